global "job" {
  value = {
    task_groups = [
      { count = 4, tasks = [{ resources = { cpu = 1000, memory_mb = 256 } }] },
      { count = 1, tasks = [{ resources = { cpu = 100, memory_mb = 256 } }] },
    ]
  }
}

test {
  rules = {
    main = false
  }
}

global "job" {
  value = {
    task_groups = [{ count = 3, tasks = [{ resources = { cpu = 500, memory_mb = 512 } }] }]
  }
}

test {
  rules = {
    main = true
  }
}

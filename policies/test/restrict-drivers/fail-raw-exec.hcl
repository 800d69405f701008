global "job" {
  value = {
    task_groups = [{ tasks = [{ driver = "docker" }] }, { tasks = [{ driver = "raw_exec" }] }]
  }
}

test {
  rules = {
    main = false
  }
}

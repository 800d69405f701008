global "job" {
  value = {
    task_groups = [{ tasks = [{ driver = "docker" }, { driver = "exec" }] }]
  }
}

test {
  rules = {
    main = true
  }
}

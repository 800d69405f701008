global "job" {
  value = {
    task_groups = [{ networks = [{ mode = "host" }], tasks = [{ driver = "exec", config = { command = "x" } }] }]
  }
}

test {
  rules = {
    main = false
  }
}

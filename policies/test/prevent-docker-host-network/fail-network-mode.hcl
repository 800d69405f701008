global "job" {
  value = {
    task_groups = [{ networks = null, tasks = [{ driver = "docker", config = { image = "a:1", network_mode = "host" } }] }]
  }
}

test {
  rules = {
    main = false
  }
}

global "job" {
  value = {
    task_groups = [{ count = 1, tasks = [{ driver = "docker", config = { image = "nginx:1.25" } }] }]
  }
}

test {
  rules = {
    main = false
  }
}

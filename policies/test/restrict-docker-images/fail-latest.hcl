global "job" {
  value = {
    task_groups = [{ count = 1, tasks = [{ driver = "docker", config = { image = "registry.example.com/web:latest" } }] }]
  }
}

test {
  rules = {
    main = false
  }
}

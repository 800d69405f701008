global "job" {
  value = {
    task_groups = [{ count = 1, tasks = [
      { driver = "docker", config = { image = "registry.example.com/web:1.4.2" } },
      { driver = "docker", config = { image = "registry.example.com/web@sha256:0123abcd" } },
      { driver = "exec", config = { command = "/bin/true" } },
    ] }]
  }
}

test {
  rules = {
    main = true
  }
}

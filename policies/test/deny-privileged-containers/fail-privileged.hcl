global "job" {
  value = {
    task_groups = [{ tasks = [{ driver = "podman", config = { image = "a:1", privileged = true } }] }]
  }
}

test {
  rules = {
    main = false
  }
}

global "job" {
  value = {
    task_groups = [{ networks = [{ mode = "bridge" }], tasks = [{ driver = "docker", config = { image = "a:1" } }] }]
  }
}

test {
  rules = {
    main = true
  }
}

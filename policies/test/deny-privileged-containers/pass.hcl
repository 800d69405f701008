global "job" {
  value = {
    task_groups = [{ tasks = [
      { driver = "docker", config = { image = "a:1" } },
      { driver = "docker", config = { image = "a:1", privileged = false } },
      { driver = "raw_exec", config = { command = "x" } },
    ] }]
  }
}

test {
  rules = {
    main = true
  }
}

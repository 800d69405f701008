global "job" {
  value = {
    type = "service"
    task_groups = [{ update = { canary = 1 } }, { update = { canary = 2 } }]
  }
}

test {
  rules = {
    main = true
  }
}

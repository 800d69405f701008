global "job" {
  value = {
    type = "service"
    task_groups = [{ update = { canary = 1 } }, { update = null }]
  }
}

test {
  rules = {
    main = false
  }
}

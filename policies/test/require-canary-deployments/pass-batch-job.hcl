global "job" {
  value = {
    type = "batch"
    task_groups = [{ update = null }]
  }
}

test {
  rules = {
    main = true
  }
}

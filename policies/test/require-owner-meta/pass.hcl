global "job" {
  value = { meta = { owner = "team-a" } }
}

test {
  rules = {
    main = true
  }
}

global "job" {
  value = { meta = { owner = "" } }
}

test {
  rules = {
    main = false
  }
}

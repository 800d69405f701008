global "job" {
  value = { meta = null }
}

test {
  rules = {
    main = false
  }
}

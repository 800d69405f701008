mock "time" {
  data = {
    now = {
      weekday_name = "Saturday"
    }
  }
}

test {
  rules = {
    main = false
  }
}

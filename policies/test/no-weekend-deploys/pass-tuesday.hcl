mock "time" {
  data = {
    now = {
      weekday_name = "Tuesday"
    }
  }
}

test {
  rules = {
    main = true
  }
}

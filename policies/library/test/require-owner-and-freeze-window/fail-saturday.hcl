module "nomad-functions" {
  source = "../../nomad-functions/nomad-functions.sentinel"
}

mock "time" {
  module {
    source = "mock-time-saturday.sentinel"
  }
}

global "job" {
  value = {
    meta = { owner = "team-shop" }
  }
}

test {
  rules = {
    main           = false
    has_owner      = true
    outside_freeze = false
  }
}

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
    meta = { owner = "team-shop", freeze_exempt = "TRUE" }
  }
}

test {
  rules = {
    main = true
  }
}

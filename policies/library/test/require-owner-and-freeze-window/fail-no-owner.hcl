module "nomad-functions" {
  source = "../../nomad-functions/nomad-functions.sentinel"
}

mock "time" {
  module {
    source = "mock-time-tuesday.sentinel"
  }
}

global "job" {
  value = {
    meta = null
  }
}

test {
  rules = {
    main      = false
    has_owner = false
  }
}

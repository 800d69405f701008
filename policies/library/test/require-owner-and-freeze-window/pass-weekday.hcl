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
    meta = { owner = "team-shop" }
  }
}

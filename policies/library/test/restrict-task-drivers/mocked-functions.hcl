# The shared functions replaced by a module mock: the policy's own logic is tested in isolation.
mock "nomad-functions" {
  module {
    source = "mock-functions-one-violation.sentinel"
  }
}

global "job" {
  value = {}
}

param "allowed_drivers" {
  value = ["docker"]
}

test {
  rules = {
    main = false
  }
}

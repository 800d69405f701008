# jobguard extension: the job is loaded from a job file, as `jobguard check` would load it
global "job" {
  file = "../../jobs/shop.nomad.hcl"
}

test {
  rules = {
    main                  = true
    from_allowed_registry = true
    version_pinned        = true
  }
}

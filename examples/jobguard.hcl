# jobguard configuration for the examples. jobguard looks for the nearest
# jobguard.hcl upwards from the working directory, so run either
#   cd examples && jobguard check
# or, from the repository root,
#   jobguard check --config examples/jobguard.hcl examples/

policy "restrict-images" {
  source            = "./policies/restrict-images.sentinel"
  enforcement_level = "soft-mandatory"
  params = {
    allowed_prefixes = ["ghcr.io/example-org/", "nginx:", "redis:", "example/"]
  }
}

policy "require-namespace" {
  source            = "./policies/require-namespace.sentinel"
  enforcement_level = "advisory"
}

rule "no-inline-secrets" {
  enforcement_level = "hard-mandatory"
}

rule "connect-requires-bridge" {
  enforcement_level = "hard-mandatory"
}

rule "vault-templates-required" {
  enforcement_level = "soft-mandatory"
}

rule "approved-artifact-sources" {
  enforcement_level = "soft-mandatory"
  params = {
    allowed = ["https://releases.hashicorp.com/", "git::https://github.com/example-org/"]
  }
}

exception "legacy-sync" {
  rules   = ["vault-templates-required"]
  jobs    = ["legacy-*"]
  reason  = "sync moves to Vault roles in Q1; tracked in OPS-142"
  expires = "2027-03-31"
}

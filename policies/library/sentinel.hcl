# The example Nomad policy library as a Sentinel policy set: run it with
#   jobguard check --config policies/library/sentinel.hcl JOBS...
# (only these policies run; jobguard's built-in rules stay off unless a rule block below turns them on).

module "nomad-functions" {
  source = "./nomad-functions/nomad-functions.sentinel"
}

param "allowed_drivers" {
  value = ["docker", "exec", "java"]
}

policy "restrict-task-drivers" {
  source            = "./restrict-task-drivers.sentinel"
  enforcement_level = "hard-mandatory"
}

policy "require-owner-and-freeze-window" {
  source            = "./require-owner-and-freeze-window.sentinel"
  enforcement_level = "soft-mandatory"
}

policy "require-resource-limits" {
  source            = "./require-resource-limits.sentinel"
  enforcement_level = "advisory"
  params = {
    max_memory_mb = 2048
  }
}

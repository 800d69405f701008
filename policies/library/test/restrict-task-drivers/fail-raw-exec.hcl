module "nomad-functions" {
  source = "../../nomad-functions/nomad-functions.sentinel"
}

global "job" {
  value = {
    task_groups = [
      {
        name  = "batch"
        tasks = [
          { name = "cleanup", driver = "raw_exec" },
          { name = "report", driver = "docker" },
        ]
      },
    ]
  }
}

test {
  rules = {
    main       = false
    violations = ["batch/cleanup (raw_exec)"]
  }
}

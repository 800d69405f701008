module "nomad-functions" {
  source = "../../nomad-functions/nomad-functions.sentinel"
}

param "max_memory_mb" {
  value = 2048
}

global "job" {
  value = {
    task_groups = [
      {
        name  = "db"
        tasks = [{ name = "postgres", driver = "docker", resources = { memory_mb = 8192 } }]
      },
    ]
  }
}

test {
  rules = {
    main               = false
    too_small_or_large = ["db/postgres (8192 MB)"]
  }
}

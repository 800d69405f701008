# BAD: credentials written into the job. Anyone who can read the job (UI, API,
# `nomad job inspect`) can read them.
job "billing" {
  datacenters = ["dc1"]

  group "billing" {
    task "worker" {
      driver = "docker"

      config {
        image = "example/billing:latest"
      }

      env {
        AWS_ACCESS_KEY_ID     = "AKIAIOSFODNN7EXAMPLE"
        AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        DB_PASSWORD           = "Tr0ub4dor&3-correct-horse"
        LOG_LEVEL             = "info"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}

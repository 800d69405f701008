# A Consul Connect service in bridge mode with an upstream, its API key read
# from Nomad Variables.
job "api" {
  datacenters = ["dc1"]
  namespace   = "api"

  meta {
    owner = "team-api"
  }

  group "api" {
    count = 2

    network {
      mode = "bridge"

      port "metrics" {
        to = 9102
      }
    }

    service {
      name = "api"
      port = "9090"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "postgres"
              local_bind_port  = 5432
            }
          }
        }
      }

      check {
        type     = "http"
        path     = "/health"
        expose   = true
        interval = "10s"
        timeout  = "3s"
      }
    }

    task "api" {
      driver = "docker"

      config {
        image = "ghcr.io/example-org/api@sha256:4f5e2c0f6a8e0f9a3f3c3c8b1d0b2a9e6f7c5d4e3b2a1f0e9d8c7b6a5f4e3d2c"
      }

      template {
        data        = <<-EOT
          {{ with nomadVar "nomad/jobs/api" }}API_KEY={{ .api_key }}{{ end }}
        EOT
        destination = "secrets/api.env"
        env         = true
        perms       = "0600"
      }

      env {
        DATABASE_URL = "postgres://127.0.0.1:5432/api"
      }

      resources {
        cpu    = 250
        memory = 128
      }
    }
  }
}

# A web service done right: pinned image, resources, health checks, and the
# database password rendered from Vault into the secrets/ directory.
job "web" {
  datacenters = ["dc1"]
  namespace   = "web"
  type        = "service"

  meta {
    owner = "team-web"
  }

  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    healthy_deadline = "3m"
    auto_revert      = true
  }

  group "frontend" {
    count = 3

    spread {
      attribute = "${node.unique.id}"
    }

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "web"
      port     = "http"
      provider = "consul"

      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "nginx" {
      driver = "docker"

      config {
        image = "nginx:1.27.2"
        ports = ["http"]
      }

      vault {
        role = "web"
      }

      template {
        data        = <<-EOT
          {{ with secret "database/creds/web" }}
          DB_USER={{ .Data.username }}
          DB_PASSWORD={{ .Data.password }}
          {{ end }}
        EOT
        destination = "secrets/db.env"
        env         = true
        perms       = "0600"
      }

      env {
        DB_HOST = "db.service.consul"
      }

      resources {
        cpu        = 500
        memory     = 256
        memory_max = 512
      }
    }
  }
}

# BAD: a Connect sidecar needs a bridge (or CNI) network; Nomad rejects this
# job at submit time, jobguard catches it in review.
job "payments" {
  datacenters = ["dc1"]

  group "payments" {
    network {
      mode = "host"
    }

    service {
      name = "payments"
      port = "8080"

      connect {
        sidecar_service {}
      }
    }

    task "payments" {
      driver = "docker"

      config {
        image        = "example/payments:2.3.0"
        network_mode = "host"
        privileged   = true
      }

      resources {
        cpu    = 300
        memory = 256
      }
    }
  }
}

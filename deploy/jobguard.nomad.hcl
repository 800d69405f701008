# jobguard admission proxy as a Nomad service job: N replicas in front of the Nomad HTTP API.
#
# Clients (CLI, UI, Terraform) talk to the "jobguard" service instead of the agents; see docs/proxy.md for how
# to make that the only way in. The policies are rendered from Nomad Variables so that updating them needs no
# new job version: the template re-renders and sends SIGHUP, which jobguard serve handles as a hot reload (a
# broken new config keeps the previous one serving).

variable "image" {
  type        = string
  description = "jobguard container image; pin it by digest in production."
  default     = "ghcr.io/jobguard/jobguard:0.1.0"
}

variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

variable "replicas" {
  type    = number
  default = 3
}

job "jobguard" {
  type        = "service"
  namespace   = "platform"
  datacenters = var.datacenters
  priority    = 80

  meta {
    owner = "platform-team"
  }

  group "proxy" {
    count = var.replicas

    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }

    update {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "10s"
      healthy_deadline = "2m"
      auto_revert      = true
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    network {
      port "http" {
        to = 4647
      }
    }

    service {
      name     = "jobguard"
      provider = "nomad"
      port     = "http"
      tags     = ["nomad-api-proxy"]

      check {
        name     = "jobguard health"
        type     = "http"
        path     = "/v1/jobguard/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "serve" {
      driver = "docker"

      config {
        image           = var.image
        ports           = ["http"]
        readonly_rootfs = true
        args = [
          "serve",
          # The local agent's HTTP API; with TLS use https:// and add --upstream-ca / --upstream-client-cert.
          "--upstream", "http://${attr.unique.network.ip-address}:4646",
          "--listen", "0.0.0.0:4647",
          "--config", "/secrets/jobguard.hcl",
          "--decision-log", "-",
        ]
      }

      # Rendered under secrets/ (0600): Nomad Variables are treated as secrets.
      # jobguard.hcl and the policies come from the Nomad Variable nomad/jobs/jobguard (keys "config" and one
      # key per policy file); a change re-renders the files and hot-reloads the proxy.
      template {
        destination   = "secrets/jobguard.hcl"
        perms         = "0600"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        data          = <<-EOT
        {{- with nomadVar "nomad/jobs/jobguard" }}{{ .config }}{{ end -}}
        EOT
      }

      template {
        destination   = "secrets/policies/restrict-images.sentinel"
        perms         = "0600"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        data          = <<-EOT
        {{- with nomadVar "nomad/jobs/jobguard" }}{{ .restrict_images }}{{ end -}}
        EOT
      }

      resources {
        cpu    = 300
        memory = 256
      }

      kill_timeout = "10s"
    }
  }
}

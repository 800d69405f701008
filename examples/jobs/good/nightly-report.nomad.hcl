# A periodic batch job with an exec task and a checksummed artifact from an
# approved source; paths use runtime interpolation, which is not a secret.
job "nightly-report" {
  datacenters = ["dc1"]
  namespace   = "batch"
  type        = "batch"

  meta {
    owner = "team-data"
  }

  periodic {
    crons            = ["0 3 * * *"]
    prohibit_overlap = true
    time_zone        = "UTC"
  }

  group "report" {
    task "report" {
      driver = "exec"

      artifact {
        source      = "https://releases.hashicorp.com/consul-template/0.39.1/consul-template_0.39.1_linux_amd64.zip"
        destination = "local/bin"
        options {
          checksum = "sha256:0f9b3d6c8c2b7a5e1d4f3e2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"
        }
      }

      config {
        command = "local/bin/report"
        args    = ["--out", "${NOMAD_ALLOC_DIR}/data/report.csv", "--host", "${attr.unique.hostname}"]
      }

      env {
        REPORT_TOKEN_FILE = "${NOMAD_SECRETS_DIR}/token"
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}

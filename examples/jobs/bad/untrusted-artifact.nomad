# BAD: a binary fetched from an unapproved host without a checksum, run with
# raw_exec (no isolation), and a Vault template whose task has no vault block.
job "legacy-sync" {
  datacenters = ["*"]
  type        = "batch"

  group "sync" {
    task "sync" {
      driver = "raw_exec"

      artifact {
        source      = "http://downloads.example.net/tools/sync.tar.gz"
        destination = "local/"
      }

      template {
        data        = "{{ with secret \"kv/data/sync\" }}TOKEN={{ .Data.data.token }}{{ end }}"
        destination = "local/sync.env"
        env         = true
      }

      config {
        command = "local/sync"
      }
    }
  }
}

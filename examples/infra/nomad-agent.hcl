# A Nomad agent configuration, not a job: `jobguard check examples/` skips it
# (no top-level job block).
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"

server {
  enabled          = true
  bootstrap_expect = 3
}

client {
  enabled = true
}

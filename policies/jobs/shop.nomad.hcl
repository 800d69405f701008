job "shop" {
  datacenters = ["dc1", "dc2"]
  type        = "service"
  namespace   = "default"

  meta {
    owner = "team-shop"
  }

  update {
    max_parallel = 1
    canary       = 1
  }

  group "web" {
    count = 3

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "shop-web"
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "app" {
      driver = "docker"
      config {
        image = "registry.example.com/shop/web:1.4.2"
        ports = ["http"]
      }
      env {
        LOG_LEVEL = "info"
      }
      resources {
        cpu    = 300
        memory = 256
      }
    }

    task "log-shipper" {
      driver = "docker"
      config {
        image = "registry.example.com/infra/vector:0.34.1"
      }
      resources {
        cpu    = 100
        memory = 128
      }
    }
  }

  group "worker" {
    count = 2

    task "worker" {
      driver = "docker"
      config {
        image = "registry.example.com/shop/worker:1.4.2"
        args  = ["--queue", "orders"]
      }
      artifact {
        source      = "https://example.com/assets.tgz"
        destination = "local/assets"
        options {
          checksum = "md5:df6a4178aec9fbdc1d6d7e3634d1bc33"
        }
      }
      resources {
        cpu    = 200
        memory = 512
      }
    }
  }
}

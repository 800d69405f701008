# BAD: does not parse (a missing closing brace). jobguard reports it with
# file:line:col, exits 2, and still checks every other file.
job "broken" {
  group "g" {
    task "t" {
      driver = "docker"
      config {
        image = "nginx:1.27.2"
    }
  }
}

# Terraform that deploys a job: also skipped by discovery.
resource "nomad_job" "web" {
  jobspec = file("${path.module}/../jobs/good/web.nomad.hcl")
}

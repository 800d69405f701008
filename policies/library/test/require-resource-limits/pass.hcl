module "nomad-functions" {
  source = "../../nomad-functions/nomad-functions.sentinel"
}

global "job" {
  file = "../../../jobs/shop.nomad.hcl"
}

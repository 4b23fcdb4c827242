# The configuration `make bench` plans with the cams provider: K data sources
# against a local cams-emulator, shaped like the null provider's benchmark
# config in the harness's configs/null.tf (variable k, output n).
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}

variable "k" {
  type    = number
  default = 1
}

variable "endpoint" {
  type = string
}

# Plans run against an emulator without a QPS limit, with the provider's
# pacing out of the way too, so they measure the provider and not CAMS'
# 5/s; the paced run sets it back to 5.
variable "rate_limit" {
  type    = number
  default = 1000
}

provider "cams" {
  endpoint   = var.endpoint
  access_key = "bench-access-key-id"
  secret_key = "bench-access-key-secret"
  rate_limit = var.rate_limit
}

# Flows 8000000000000000, 8000000000000001, ... (the bench writes them).
data "cams_flow_json" "d" {
  count   = var.k
  flow_id = tostring(8000000000000000 + count.index)
}

output "n" {
  value = length(data.cams_flow_json.d)
}

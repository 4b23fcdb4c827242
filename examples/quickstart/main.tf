# The configuration `make demo` applies against the local CAMS emulator.
#
# Credentials come from the environment (the demo exports the emulator's
# demo pair):
#   ALIBABA_CLOUD_ACCESS_KEY_ID=demo-access-key-id
#   ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-access-key-secret
# and the endpoint from the command line:
#   terraform apply -var endpoint=http://127.0.0.1:PORT
#
# Terraform 1.0 syntax only.

terraform {
  required_providers {
    cams = {
      source = "local/cams"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "CAMS endpoint, e.g. the URL printed by cams-emulator (http://127.0.0.1:PORT)."
}

provider "cams" {
  endpoint = var.endpoint
}

data "cams_flow_json" "signup" {
  flow_id = "9267533281264300"
}

output "screens" {
  description = "Screen ids, as the provider extracted them."
  value       = data.cams_flow_json.signup.screen_ids
}

output "version" {
  description = "The Flow JSON version of the document."
  value       = data.cams_flow_json.signup.flow_json_version
}

output "sha256" {
  description = "SHA-256 of the downloaded file."
  value       = data.cams_flow_json.signup.content_sha256
}

output "screens_from_json" {
  description = "The same screen ids, decoded from the document in Terraform."
  value       = [for s in jsondecode(data.cams_flow_json.signup.content).screens : s.id]
}

output "content" {
  description = "The Flow JSON document, as downloaded."
  value       = data.cams_flow_json.signup.content
}

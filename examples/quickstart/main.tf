# The configuration `make demo` applies against the local CAMS emulator:
# a WhatsApp Flow kept as code, created from a file in examples/flows/,
# published, then read back through the cams_flow_json data source.
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
  # The space the flow belongs to; its Flow JSON is uploaded to that
  # space's storage.
  cust_space_id = "cams-demo-space"
}

# The flow: checked offline at plan time, created, given its Flow JSON and
# published. Re-formatting the file plans no change.
resource "cams_flow" "signup" {
  name       = "signup"
  categories = ["SIGN_UP"]
  content    = file("${path.module}/../flows/9267533281264300.json")
  status     = "PUBLISHED"
}

# A message template whose FLOW button opens the flow on its first screen.
# Creating it sends it to Meta's review (the emulator approves it after a
# few seconds); the apply does not wait for the verdict.
resource "cams_chatapp_template" "signup" {
  name     = "signup_invite"
  language = "en_US"
  category = "MARKETING"
  body {
    text     = "Hi {{1}}, sign up in two minutes."
    examples = ["Alice"]
  }
  button {
    type            = "FLOW"
    text            = "Sign up"
    flow_id         = cams_flow.signup.id
    flow_action     = "NAVIGATE"
    navigate_screen = cams_flow.signup.screen_ids[0]
  }
}

# The same flow read back from CAMS: GetFlowJSONAssest, then the download.
data "cams_flow_json" "signup" {
  flow_id = cams_flow.signup.id
}

output "flow_id" {
  description = "The FlowId CAMS gave the new flow."
  value       = cams_flow.signup.id
}

output "status" {
  description = "The flow's status in CAMS."
  value       = cams_flow.signup.status
}

output "screens" {
  description = "Screen ids of the flow, as read back from CAMS."
  value       = data.cams_flow_json.signup.screen_ids
}

output "version" {
  description = "The Flow JSON version of the document."
  value       = data.cams_flow_json.signup.flow_json_version
}

output "sha256" {
  description = "SHA-256 of the downloaded file, equal to the resource's content_sha256."
  value       = data.cams_flow_json.signup.content_sha256
}

output "same_document" {
  description = "Whether the document read back is byte for byte the one uploaded."
  value       = data.cams_flow_json.signup.content_sha256 == cams_flow.signup.content_sha256
}

output "template_id" {
  description = "The message template, as [CUST_SPACE_ID:]NAME:LANGUAGE."
  value       = cams_chatapp_template.signup.id
}

# Terraform 1.8 or later. Needs no credentials: the document is read offline.
locals {
  signup = provider::cams::flow_json_summary(file("${path.module}/flows/signup.json"))
}

output "signup_screens" {
  value = local.signup.screen_ids # e.g. ["CREATE_ACCOUNT", "CONFIRM"]
}

output "signup_ends_on" {
  value = local.signup.terminal_screen_ids # e.g. ["CONFIRM"]
}

output "signup_flow_json_version" {
  value = local.signup.version # e.g. "7.1"; null when the document has none
}

data "cams_flow_json" "signup" {
  flow_id = "9267533281264300"
  # cust_space_id = "cams-example" # defaults to the provider's cust_space_id
}

locals {
  # The whole document, for anything the data source does not extract.
  signup_flow = jsondecode(data.cams_flow_json.signup.content)
}

output "signup_screens" {
  value = data.cams_flow_json.signup.screen_ids
}

output "signup_version" {
  value = data.cams_flow_json.signup.flow_json_version
}

output "signup_screen_count" {
  value = length(local.signup_flow.screens)
}

output "signup_sha256" {
  value = data.cams_flow_json.signup.content_sha256
}

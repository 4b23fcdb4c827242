data "cams_flow" "signup" {
  flow_id = "9267533281264300"
  # cust_space_id = "cams-example" # defaults to the provider's cust_space_id
}

output "signup_status" {
  value = data.cams_flow.signup.status # DRAFT, PUBLISHED or DEPRECATED
}

output "signup_versions" {
  value = {
    flow_json = data.cams_flow.signup.json_version
    data_api  = data.cams_flow.signup.data_api_version
  }
}

# The preview link carries a token: Terraform keeps it out of plan output.
output "signup_preview" {
  value = {
    url     = data.cams_flow.signup.preview_url
    expires = data.cams_flow.signup.preview_url_expires
  }
  sensitive = true
}

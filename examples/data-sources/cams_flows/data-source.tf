# Every flow of the provider's space whose name matches "signup".
data "cams_flows" "signup" {
  name = "signup"
}

output "signup_flow_ids" {
  value = data.cams_flows.signup.flows[*].flow_id
}

# Flows by name, e.g. to look up an ID made outside Terraform.
output "signup_flows_by_name" {
  value = { for f in data.cams_flows.signup.flows : f.name => f.flow_id }
}

# Only the live ones: with_status reads each listed flow's status (one
# paced GetFlow per flow), since ListFlow cannot tell a published flow from
# a deprecated one of the same name.
data "cams_flows" "signup_with_status" {
  name        = "signup"
  with_status = true
}

output "published_signup_flow_ids" {
  value = [for f in data.cams_flows.signup_with_status.flows : f.flow_id if f.status == "PUBLISHED"]
}

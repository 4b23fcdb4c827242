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

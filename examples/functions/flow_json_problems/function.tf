# Terraform 1.8 or later. Needs no credentials: the check runs offline.
locals {
  signup_problems = provider::cams::flow_json_problems(file("${path.module}/flows/signup.json"))
}

# Warn on every plan and apply, listing the problems
# ("POINTER (line L, column C): message (rule ID)").
check "signup_flow_json" {
  assert {
    condition     = length(local.signup_problems) == 0
    error_message = "flows/signup.json has problems:\n${join("\n", local.signup_problems)}"
  }
}

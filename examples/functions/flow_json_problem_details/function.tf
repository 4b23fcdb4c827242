# Terraform 1.8 or later. Needs no credentials: the check runs offline.
locals {
  signup_problems = provider::cams::flow_json_problem_details(file("${path.module}/flows/signup.json"))
  signup_errors   = [for p in local.signup_problems : p if p.severity == "error"]
}

# Warn on every plan and apply, one line per error with its rule and place.
check "signup_flow_json" {
  assert {
    condition = length(local.signup_errors) == 0
    error_message = join("\n", [
      for p in local.signup_errors : "flows/signup.json:${p.line}:${p.column}: ${p.message} (${p.rule} at ${p.pointer})"
    ])
  }
}

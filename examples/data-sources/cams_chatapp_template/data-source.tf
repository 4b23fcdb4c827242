# One template, by name (or template_code) and language.
data "cams_chatapp_template" "signup" {
  name     = "signup_invite"
  language = "en_US"
}

output "signup_review" {
  value = data.cams_chatapp_template.signup.audit_status
}

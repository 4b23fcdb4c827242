# A marketing template whose FLOW button opens a sign-up flow. Creating it
# sends it to Meta's review; cams_chatapp_template_approval waits for the verdict.
resource "cams_flow" "signup" {
  name       = "signup"
  categories = ["SIGN_UP"]
  content    = file("${path.module}/flows/signup.json")
  status     = "PUBLISHED"
}

resource "cams_chatapp_template" "signup" {
  name     = "signup_invite"
  language = "en_US"
  category = "MARKETING"

  header {
    format = "TEXT"
    text   = "Join us"
  }

  body {
    text     = "Hi {{1}}, sign up in two minutes."
    examples = ["Alice"]
  }

  footer = "Reply STOP to opt out"

  button {
    type            = "FLOW"
    text            = "Sign up"
    flow_id         = cams_flow.signup.id
    flow_action     = "NAVIGATE"
    navigate_screen = cams_flow.signup.screen_ids[0]
  }

  button {
    type     = "URL"
    text     = "Terms"
    url      = "https://example.com/terms/{{1}}"
    url_type = "dynamic"
    example  = "https://example.com/terms/signup"
  }
}

# A one-time-password template: Meta writes its text; only the button and
# the delivery window are configured.
resource "cams_chatapp_template" "login_code" {
  name                     = "login_code"
  language                 = "en_US"
  category                 = "AUTHENTICATION"
  message_send_ttl_seconds = 600

  button {
    type = "COPY_CODE"
    text = "Copy code"
  }
}

output "signup_review" {
  value = cams_chatapp_template.signup.audit_status
}

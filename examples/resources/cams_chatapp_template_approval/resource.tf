# A template; creating it sends it to Meta's review.
resource "cams_chatapp_template" "welcome" {
  name     = "welcome"
  language = "en_US"
  category = "UTILITY"

  body {
    text     = "Hi {{1}}, your account is ready."
    examples = ["Alice"]
  }
}

# Waits for Meta's review of the template: the apply succeeds once it is
# approved, and fails with Meta's reason if it is rejected. A change to the
# template replaces the approval, which then waits for the new review.
resource "cams_chatapp_template_approval" "welcome" {
  template_id = cams_chatapp_template.welcome.id

  timeouts {
    create = "30m"
  }
}

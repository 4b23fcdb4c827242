# Waits for Meta's review of the template (see cams_chatapp_template):
# the apply succeeds once it is approved, and fails with Meta's reason if
# it is rejected. A change to the template replaces the approval, which
# then waits for the new review.
resource "cams_chatapp_template_approval" "signup" {
  template_id = cams_chatapp_template.signup.id

  timeouts {
    create = "30m"
  }
}

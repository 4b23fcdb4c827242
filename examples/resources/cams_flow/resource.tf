# Every flow belongs to a CAMS space (its Flow JSON is uploaded to the
# space's storage): set the space once in the provider block, or on a
# resource to override it.
provider "cams" {
  cust_space_id = "cams-example"
}

# A sign-up flow kept as code: the Flow JSON lives next to the
# configuration, is checked offline at plan time, and is published by apply.
resource "cams_flow" "signup" {
  name       = "signup"
  categories = ["SIGN_UP", "LEAD_GENERATION"]
  content    = file("${path.module}/flows/signup.json")
  status     = "PUBLISHED"
}

# A flow that exchanges data with your endpoint stays a draft while you
# work on it; problems in its Flow JSON are warnings until it is published.
resource "cams_flow" "booking" {
  name          = "appointment booking"
  categories    = ["APPOINTMENT_BOOKING"]
  content       = file("${path.module}/flows/booking.json")
  endpoint_uri  = "https://flows.example.com/booking"
  cust_space_id = "cams-isv-space-1234"
}

output "signup_screens" {
  value = cams_flow.signup.screen_ids
}

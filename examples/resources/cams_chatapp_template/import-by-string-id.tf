# A template of the provider's space, as NAME:LANGUAGE.
import {
  to = cams_chatapp_template.signup
  id = "signup_invite:en_US"
}

# A template of another space (an ISV sub-customer space), as
# CUST_SPACE_ID:NAME:LANGUAGE.
import {
  to = cams_chatapp_template.login_code
  id = "cams-isv-space-1234:login_code:en_US"
}

# A flow of the provider's space, by its FlowId.
import {
  to = cams_flow.signup
  id = "9267533281264300"
}

# A flow of another space (an ISV sub-customer space), as CUST_SPACE_ID:FLOW_ID.
import {
  to = cams_flow.booking
  id = "cams-isv-space-1234:9267533281264301"
}

terraform {
  required_providers {
    cams = {
      source = "local/cams"
    }
  }
}

# Credentials from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID,
# ALIBABA_CLOUD_ACCESS_KEY_SECRET), the default region ap-southeast-1
# (Singapore) and the default pacing of 5 requests per second.
provider "cams" {
  # The CAMS space the flows belong to: the ISV sub-customer space ID, or a
  # direct customer's instance ID. cams_flow needs one (a flow's Flow JSON
  # is uploaded to its space's storage), here or on the resource.
  cust_space_id = "cams-example"
}

# A named profile of the Alibaba Cloud CLI, assuming a RAM role on top of it,
# for an ISV working in one customer's space.
provider "cams" {
  alias         = "isv"
  profile       = "ops"
  cust_space_id = "cams-example"

  assume_role {
    role_arn           = "acs:ram::123456789012:role/terraform-cams-reader"
    session_name       = "terraform"
    session_expiration = 3600
  }
}

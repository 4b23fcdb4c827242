# A template of the provider's space, as NAME:LANGUAGE:
terraform import cams_chatapp_template.signup signup_invite:en_US

# A template of another space (an ISV sub-customer space), as CUST_SPACE_ID:NAME:LANGUAGE:
terraform import cams_chatapp_template.signup cams-isv-space-1234:signup_invite:en_US

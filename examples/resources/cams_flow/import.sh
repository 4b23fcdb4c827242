# A flow of the provider's space, by its FlowId:
terraform import cams_flow.signup 9267533281264300

# A flow of another space (an ISV sub-customer space), as CUST_SPACE_ID:FLOW_ID:
terraform import cams_flow.booking cams-isv-space-1234:9267533281264301

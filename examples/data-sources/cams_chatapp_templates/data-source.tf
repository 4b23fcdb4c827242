# Every rejected marketing template of the provider's space, with Meta's reason.
data "cams_chatapp_templates" "rejected" {
  category     = "MARKETING"
  audit_status = "fail"
}

output "rejected" {
  value = { for t in data.cams_chatapp_templates.rejected.templates : t.id => t.reason }
}

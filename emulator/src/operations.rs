//! The RPC operations the emulator answers and the per-account request rate
//! each allows. Each CAMS operation's documentation page states its own
//! limit "per account", so every operation has its own window.

/// API version of CAMS.
pub const CAMS_VERSION: &str = "2020-06-06";
/// API version of STS.
pub const STS_VERSION: &str = "2015-04-01";

/// Requests per second per AccessKeyId where no figure is documented.
pub const UNDOCUMENTED_QPS: u32 = 5;

/// Every operation: (action, version, requests per second per account).
/// Sources: the operation's page in the CAMS API reference
/// (alibabacloud.com/help/en/chatapp/developer-reference/api-cams-2020-06-06-<action>).
pub const OPERATIONS: &[(&str, &str, u32)] = &[
    // Undocumented.
    ("CreateFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Undocumented.
    ("GetFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Undocumented.
    ("ListFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Undocumented.
    ("ModifyFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Documented: 5 per second per account (UpdateFlowJSONAsset page).
    ("UpdateFlowJSONAsset", CAMS_VERSION, 5),
    // Documented: 5 per second per account (GetFlowJSONAssest page).
    ("GetFlowJSONAssest", CAMS_VERSION, 5),
    // Undocumented.
    ("GetFlowPreviewUrl", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Undocumented.
    ("PublishFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Undocumented.
    ("DeprecateFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Undocumented.
    ("DeleteFlow", CAMS_VERSION, UNDOCUMENTED_QPS),
    // Documented: 5 per second per account (GetChatappUploadAuthorization page).
    ("GetChatappUploadAuthorization", CAMS_VERSION, 5),
    // Documented: 50 per second per account (CreateChatappTemplate page).
    ("CreateChatappTemplate", CAMS_VERSION, 50),
    // Documented: 50 per second per account (ModifyChatappTemplate page).
    ("ModifyChatappTemplate", CAMS_VERSION, 50),
    // Documented: 5 per second per account (GetChatappTemplateDetail page).
    ("GetChatappTemplateDetail", CAMS_VERSION, 5),
    // Documented: 5 per second per account (ListChatappTemplate page).
    ("ListChatappTemplate", CAMS_VERSION, 5),
    // Documented: 5 per second per account (DeleteChatappTemplate page).
    ("DeleteChatappTemplate", CAMS_VERSION, 5),
    // STS AssumeRole: not a CAMS operation; STS's own limit is undocumented here.
    ("AssumeRole", STS_VERSION, UNDOCUMENTED_QPS),
    // STS AssumeRoleWithOIDC: anonymous, so not paced (there is no AccessKeyId
    // to pace); listed for its version and the per-operation counts.
    ("AssumeRoleWithOIDC", STS_VERSION, UNDOCUMENTED_QPS),
];

/// The version an action belongs to, if the emulator knows the action.
pub fn version_of(action: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|(name, _, _)| *name == action)
        .map(|(_, version, _)| *version)
}

/// The documented (or default) limit of an action.
pub fn default_qps(action: &str) -> u32 {
    OPERATIONS
        .iter()
        .find(|(name, _, _)| *name == action)
        .map_or(UNDOCUMENTED_QPS, |(_, _, qps)| *qps)
}

/// The action name as a `'static` string (stats keys stay bounded by this table).
pub fn known(action: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|(name, _, _)| *name == action)
        .map(|(name, _, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flow_operation_is_in_the_table() {
        for action in [
            "CreateFlow",
            "GetFlow",
            "ListFlow",
            "ModifyFlow",
            "UpdateFlowJSONAsset",
            "GetFlowJSONAssest",
            "GetFlowPreviewUrl",
            "PublishFlow",
            "DeprecateFlow",
            "DeleteFlow",
            "GetChatappUploadAuthorization",
        ] {
            assert_eq!(version_of(action), Some(CAMS_VERSION), "{action}");
        }
        assert_eq!(version_of("AssumeRole"), Some(STS_VERSION));
        assert_eq!(version_of("GetFlowJSONAsset"), None);
        assert_eq!(default_qps("GetFlowJSONAssest"), 5);
        for action in super::super::template_api::ACTIONS {
            assert_eq!(version_of(action), Some(CAMS_VERSION), "{action}");
        }
        assert_eq!(default_qps("CreateChatappTemplate"), 50);
        assert_eq!(default_qps("ModifyChatappTemplate"), 50);
        assert_eq!(default_qps("ListChatappTemplate"), 5);
    }
}

//! Protocol 5 (`tfplugin5.Provider`): Terraform 0.12 and later.
// The two protocols' messages differ in a few fields; struct updates keep
// one adapter body for both, even where this version has nothing left.
#![allow(clippy::needless_update)]

super::adapter::provider_adapter! {
    version: 5,
    proto: crate::plugin::proto::tfplugin5,
    service: V5,
    get_schema: get_schema / get_provider_schema / "GetSchema",
    validate_provider: prepare_provider_config / "PrepareProviderConfig",
    configure: configure / "Configure",
    validate_data_source: validate_data_source_config / "ValidateDataSourceConfig",
    validate_resource: validate_resource_type_config / "ValidateResourceTypeConfig",
    stop: stop / "Stop",
    extra_rpcs: {},
}

/// Protocol 5 has no nested attributes: a schema using them cannot be sent.
fn nested_attributes(
    _: &crate::plugin::schema::NestedAttributes,
    _: &mut pb::schema::Attribute,
    _: &mut Vec<String>,
) -> Result<(), String> {
    Err("nested attributes need protocol 6 (Terraform 1.0 or later); use blocks".to_owned())
}

//! Protocol 6 (`tfplugin6.Provider`): Terraform >= 0.15 and every OpenTofu.
// The two protocols' messages differ in a few fields; struct updates keep
// one adapter body for both, even where this version has nothing left.
#![allow(clippy::needless_update)]

super::adapter::provider_adapter! {
    version: 6,
    proto: crate::plugin::proto::tfplugin6,
    service: V6,
    get_schema: get_provider_schema / get_provider_schema / "GetProviderSchema",
    validate_provider: validate_provider_config / "ValidateProviderConfig",
    configure: configure_provider / "ConfigureProvider",
    validate_data_source: validate_data_resource_config / "ValidateDataResourceConfig",
    stop: stop_provider / "StopProvider",
}

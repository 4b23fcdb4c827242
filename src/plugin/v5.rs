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
    stop: stop / "Stop",
}

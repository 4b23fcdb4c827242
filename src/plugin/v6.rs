//! Protocol 6 (`tfplugin6.Provider`): Terraform >= 0.15 and every OpenTofu.
// The two protocols' messages differ in a few fields; struct updates keep
// one adapter body for both, even where this version has nothing left.
#![allow(clippy::needless_update)]

use crate::plugin::schema::{NestedAttributes, ObjectNesting};

super::adapter::provider_adapter! {
    version: 6,
    proto: crate::plugin::proto::tfplugin6,
    service: V6,
    get_schema: get_provider_schema / get_provider_schema / "GetProviderSchema",
    validate_provider: validate_provider_config / "ValidateProviderConfig",
    configure: configure_provider / "ConfigureProvider",
    validate_data_source: validate_data_resource_config / "ValidateDataResourceConfig",
    validate_resource: validate_resource_config / "ValidateResourceConfig",
    stop: stop_provider / "StopProvider",
    extra_rpcs: {
        // State stores (Terraform 1.15, protocol 6 only): none offered.
        async fn validate_state_store_config(
            &self,
            req: Request<pb::validate_state_store::Request>,
        ) -> Result<Response<pb::validate_state_store::Response>, Status> {
            let _log = RpcLog::start("ValidateStateStoreConfig", 6);
            Ok(Response::new(pb::validate_state_store::Response {
                diagnostics: unsupported("State Store", &req.into_inner().type_name),
            }))
        }

        async fn configure_state_store(
            &self,
            req: Request<pb::configure_state_store::Request>,
        ) -> Result<Response<pb::configure_state_store::Response>, Status> {
            let _log = RpcLog::start("ConfigureStateStore", 6);
            Ok(Response::new(pb::configure_state_store::Response {
                diagnostics: unsupported("State Store", &req.into_inner().type_name),
            }))
        }

        async fn get_states(
            &self,
            req: Request<pb::get_states::Request>,
        ) -> Result<Response<pb::get_states::Response>, Status> {
            let _log = RpcLog::start("GetStates", 6);
            Ok(Response::new(pb::get_states::Response {
                state_id: Vec::new(),
                diagnostics: unsupported("State Store", &req.into_inner().type_name),
            }))
        }

        async fn delete_state(
            &self,
            req: Request<pb::delete_state::Request>,
        ) -> Result<Response<pb::delete_state::Response>, Status> {
            let _log = RpcLog::start("DeleteState", 6);
            Ok(Response::new(pb::delete_state::Response {
                diagnostics: unsupported("State Store", &req.into_inner().type_name),
            }))
        }
    },
}

/// Protocol 6 sends nested attributes as an `Object` with its nesting mode,
/// and no `type`.
fn nested_attributes(
    nested: &NestedAttributes,
    out: &mut pb::schema::Attribute,
    problems: &mut Vec<String>,
) -> Result<(), String> {
    use pb::schema::object::NestingMode as M;
    out.r#type = Vec::new();
    out.nested_type = Some(pb::schema::Object {
        attributes: nested
            .attributes
            .iter()
            .map(|a| attribute_to_proto(a, problems))
            .collect(),
        nesting: match nested.nesting {
            ObjectNesting::Single => M::Single as i32,
            ObjectNesting::List => M::List as i32,
            ObjectNesting::Set => M::Set as i32,
            ObjectNesting::Map => M::Map as i32,
        },
        ..Default::default()
    });
    Ok(())
}

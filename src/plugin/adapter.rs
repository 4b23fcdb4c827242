//! The protocol adapter, written once for tfplugin5 and tfplugin6.
//!
//! Both protocols carry the same schema, diagnostic and value messages
//! field-for-field, and the same RPCs under different names (GetSchema vs
//! GetProviderSchema, PrepareProviderConfig vs ValidateProviderConfig, ...).
//! This macro generates, for one generated proto module, the conversions
//! and the `Provider` service impl that forwards each RPC to
//! [`ProviderServer`](crate::plugin::runtime::ProviderServer). `v5.rs` and
//! `v6.rs` name the RPCs, say how nested attributes are sent (only
//! protocol 6 has them) and add the RPCs only one version has.

macro_rules! provider_adapter {
    (
        version: $version:literal,
        proto: $proto:path,
        service: $service:ident,
        get_schema: $schema_fn:ident / $schema_mod:ident / $schema_rpc:literal,
        validate_provider: $vp_fn:ident / $vp_rpc:literal,
        configure: $cf_fn:ident / $cf_rpc:literal,
        validate_data_source: $vd_fn:ident / $vd_rpc:literal,
        validate_resource: $vr_fn:ident / $vr_rpc:literal,
        stop: $st_fn:ident / $st_rpc:literal,
        extra_rpcs: { $($extra:tt)* } $(,)?
    ) => {
        use tonic::{Request, Response, Status};
        use $crate::plugin::diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
        use $crate::plugin::function::{FunctionDefinition, FunctionError, Parameter};
        use $crate::plugin::rpc_log::RpcLog;
        use $crate::plugin::runtime::{RawValue, StateOutcome};
        use $crate::plugin::schema::{Attribute, Block, Nesting, Schema};
        use $proto as pb;

        /// One description per element, as terraform-plugin-framework
        /// sends it: the markdown one when there is one, else the plain one.
        fn description(plain: &str, markdown: &Option<String>) -> (String, i32) {
            match markdown {
                Some(md) => (md.clone(), pb::StringKind::Markdown as i32),
                None => (plain.to_owned(), pb::StringKind::Plain as i32),
            }
        }

        fn schema_to_proto(s: &Schema, problems: &mut Vec<String>) -> pb::Schema {
            problems.extend(s.problems());
            pb::Schema {
                version: s.version,
                block: Some(block_to_proto(&s.block, problems)),
            }
        }

        fn attribute_to_proto(a: &Attribute, problems: &mut Vec<String>) -> pb::schema::Attribute {
            let (description, description_kind) = description(&a.description, &a.markdown_description);
            let mut out = pb::schema::Attribute {
                name: a.name.clone(),
                r#type: a.ty.to_json(),
                description,
                description_kind,
                required: a.is_required(),
                optional: a.is_optional(),
                computed: a.is_computed(),
                sensitive: a.sensitive,
                deprecated: a.deprecation.is_some(),
                deprecation_message: a.deprecation.clone().unwrap_or_default(),
                write_only: a.write_only,
                ..Default::default()
            };
            if let Some(nested) = &a.nested {
                if let Err(problem) = nested_attributes(nested, &mut out, problems) {
                    problems.push(format!("{}: {problem}", a.name));
                }
            }
            out
        }

        fn block_to_proto(b: &Block, problems: &mut Vec<String>) -> pb::schema::Block {
            let (description, description_kind) = description(&b.description, &b.markdown_description);
            pb::schema::Block {
                version: 0,
                description,
                description_kind,
                deprecated: b.deprecation.is_some(),
                deprecation_message: b.deprecation.clone().unwrap_or_default(),
                attributes: b.attributes.iter().map(|a| attribute_to_proto(a, problems)).collect(),
                block_types: b
                    .blocks
                    .iter()
                    .map(|nb| {
                        use pb::schema::nested_block::NestingMode as M;
                        pb::schema::NestedBlock {
                            type_name: nb.type_name.clone(),
                            block: Some(block_to_proto(&nb.block, problems)),
                            nesting: match nb.nesting {
                                Nesting::Single => M::Single as i32,
                                Nesting::Group => M::Group as i32,
                                Nesting::List => M::List as i32,
                                Nesting::Set => M::Set as i32,
                                Nesting::Map => M::Map as i32,
                            },
                            min_items: nb.min_items,
                            max_items: nb.max_items,
                        }
                    })
                    .collect(),
                ..Default::default()
            }
        }

        fn parameter_to_proto(p: &Parameter) -> pb::function::Parameter {
            let (description, description_kind) = description(&p.description, &p.markdown_description);
            pb::function::Parameter {
                name: p.name.clone(),
                r#type: p.ty.to_json(),
                allow_null_value: p.allow_null,
                allow_unknown_values: p.allow_unknown,
                description,
                description_kind,
            }
        }

        fn function_to_proto(f: &FunctionDefinition) -> pb::Function {
            let (description, description_kind) = description(&f.description, &f.markdown_description);
            pb::Function {
                parameters: f.parameters.iter().map(parameter_to_proto).collect(),
                variadic_parameter: f.variadic.as_ref().map(parameter_to_proto),
                r#return: Some(pb::function::Return {
                    r#type: f.return_type.to_json(),
                }),
                summary: f.summary.clone(),
                description,
                description_kind,
                deprecation_message: f.deprecation.clone().unwrap_or_default(),
            }
        }

        fn path_to_proto(path: AttributePath) -> pb::AttributePath {
            pb::AttributePath {
                steps: path
                    .addressable()
                    .steps()
                    .iter()
                    .filter_map(|step| {
                        use pb::attribute_path::step::Selector;
                        let selector = match step {
                            PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                            PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                            PathStep::Index(i) => Selector::ElementKeyInt(*i as i64),
                            PathStep::SetElement(_) => return None,
                        };
                        Some(pb::attribute_path::Step {
                            selector: Some(selector),
                        })
                    })
                    .collect(),
            }
        }

        fn diagnostics_to_proto(diags: Diagnostics) -> Vec<pb::Diagnostic> {
            diags
                .into_iter()
                .map(|d| pb::Diagnostic {
                    severity: match d.severity {
                        Severity::Error => pb::diagnostic::Severity::Error as i32,
                        Severity::Warning => pb::diagnostic::Severity::Warning as i32,
                    },
                    summary: d.summary,
                    detail: d.detail,
                    attribute: d.attribute.map(path_to_proto),
                })
                .collect()
        }

        /// One error diagnostic, for RPCs of features this runtime does not
        /// offer (Terraform only calls them for types the schema declares,
        /// so this only answers a confused client).
        fn unsupported(kind: &str, type_name: &str) -> Vec<pb::Diagnostic> {
            diagnostics_to_proto(
                Diagnostic::error(
                    format!("{kind} Type Not Found"),
                    format!("The provider offers no {} named {type_name:?}.", kind.to_lowercase()),
                )
                .into(),
            )
        }

        fn raw_value(v: &Option<pb::DynamicValue>) -> RawValue<'_> {
            match v {
                Some(v) => RawValue {
                    msgpack: &v.msgpack,
                    json: &v.json,
                },
                None => RawValue::default(),
            }
        }

        fn msgpack_value(bytes: Vec<u8>) -> pb::DynamicValue {
            pb::DynamicValue {
                msgpack: bytes,
                json: Vec::new(),
            }
        }

        fn server_capabilities() -> pb::ServerCapabilities {
            pb::ServerCapabilities {
                // PlanResourceChange handles destroy plans (null proposed state).
                plan_destroy: true,
                // Schemas never depend on the process: Terraform may cache them.
                get_provider_schema_optional: true,
                // No MoveResourceState support.
                move_resource_state: false,
                ..Default::default()
            }
        }

        /// The provider service for this protocol version.
        pub struct $service(pub std::sync::Arc<$crate::plugin::runtime::ProviderServer>);

        #[tonic::async_trait]
        impl pb::provider_server::Provider for $service {
            async fn get_metadata(
                &self,
                _: Request<pb::get_metadata::Request>,
            ) -> Result<Response<pb::get_metadata::Response>, Status> {
                let _log = RpcLog::start("GetMetadata", $version);
                Ok(Response::new(pb::get_metadata::Response {
                    server_capabilities: Some(server_capabilities()),
                    data_sources: self
                        .0
                        .data_source_schemas()
                        .map(|(n, _)| pb::get_metadata::DataSourceMetadata { type_name: n.clone() })
                        .collect(),
                    resources: self
                        .0
                        .resource_schemas()
                        .map(|(n, _)| pb::get_metadata::ResourceMetadata { type_name: n.clone() })
                        .collect(),
                    functions: self
                        .0
                        .function_definitions()
                        .map(|(n, _)| pb::get_metadata::FunctionMetadata { name: n.clone() })
                        .collect(),
                    ..Default::default()
                }))
            }

            async fn $schema_fn(
                &self,
                _: Request<pb::$schema_mod::Request>,
            ) -> Result<Response<pb::$schema_mod::Response>, Status> {
                let _log = RpcLog::start($schema_rpc, $version);
                let mut problems = Vec::new();
                let provider = schema_to_proto(self.0.provider_schema(), &mut problems);
                let resource_schemas = self
                    .0
                    .resource_schemas()
                    .map(|(n, s)| (n.clone(), schema_to_proto(s, &mut problems)))
                    .collect();
                let data_source_schemas = self
                    .0
                    .data_source_schemas()
                    .map(|(n, s)| (n.clone(), schema_to_proto(s, &mut problems)))
                    .collect();
                let functions = self
                    .0
                    .function_definitions()
                    .map(|(n, f)| (n.clone(), function_to_proto(f)))
                    .collect();
                let diagnostics = problems
                    .into_iter()
                    .map(|p| {
                        Diagnostic::provider_bug(
                            "Invalid Provider Schema",
                            format!("The schema is invalid or cannot be sent over protocol {}: {p}.", $version),
                        )
                    })
                    .collect::<Vec<_>>();
                Ok(Response::new(pb::$schema_mod::Response {
                    provider: Some(provider),
                    resource_schemas,
                    data_source_schemas,
                    functions,
                    diagnostics: diagnostics_to_proto(diagnostics.into()),
                    server_capabilities: Some(server_capabilities()),
                    ..Default::default()
                }))
            }

            async fn get_resource_identity_schemas(
                &self,
                _: Request<pb::get_resource_identity_schemas::Request>,
            ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
                // No resource identities: an empty success, never an error
                // diagnostic (fatal for Terraform >= 1.12.1).
                let _log = RpcLog::start("GetResourceIdentitySchemas", $version);
                Ok(Response::new(Default::default()))
            }

            async fn upgrade_resource_identity(
                &self,
                req: Request<pb::upgrade_resource_identity::Request>,
            ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
                let _log = RpcLog::start("UpgradeResourceIdentity", $version);
                Ok(Response::new(pb::upgrade_resource_identity::Response {
                    diagnostics: unsupported("Resource Identity", &req.into_inner().type_name),
                    ..Default::default()
                }))
            }

            async fn get_functions(
                &self,
                _: Request<pb::get_functions::Request>,
            ) -> Result<Response<pb::get_functions::Response>, Status> {
                let _log = RpcLog::start("GetFunctions", $version);
                Ok(Response::new(pb::get_functions::Response {
                    functions: self
                        .0
                        .function_definitions()
                        .map(|(n, f)| (n.clone(), function_to_proto(f)))
                        .collect(),
                    diagnostics: Vec::new(),
                }))
            }

            async fn call_function(
                &self,
                req: Request<pb::call_function::Request>,
            ) -> Result<Response<pb::call_function::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("CallFunction", $version);
                let args: Vec<RawValue<'_>> = req
                    .arguments
                    .iter()
                    .map(|a| RawValue { msgpack: &a.msgpack, json: &a.json })
                    .collect();
                let result = self.0.call_function(&req.name, &args).await;
                Ok(Response::new(match result {
                    Ok(bytes) => pb::call_function::Response {
                        result: Some(msgpack_value(bytes)),
                        error: None,
                    },
                    Err(FunctionError { text, argument }) => pb::call_function::Response {
                        result: None,
                        error: Some(pb::FunctionError {
                            text,
                            function_argument: argument.map(|i| i as i64),
                        }),
                    },
                }))
            }

            async fn $vp_fn(
                &self,
                req: Request<pb::$vp_fn::Request>,
            ) -> Result<Response<pb::$vp_fn::Response>, Status> {
                let _log = RpcLog::start($vp_rpc, $version);
                let req = req.into_inner();
                let diags = self.0.validate_provider_config(raw_value(&req.config)).await;
                Ok(Response::new(pb::$vp_fn::Response {
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }))
            }

            async fn $cf_fn(
                &self,
                req: Request<pb::$cf_fn::Request>,
            ) -> Result<Response<pb::$cf_fn::Response>, Status> {
                let _log = RpcLog::start($cf_rpc, $version);
                let req = req.into_inner();
                let diags = self
                    .0
                    .configure_provider(&req.terraform_version, raw_value(&req.config))
                    .await;
                Ok(Response::new(pb::$cf_fn::Response {
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }))
            }

            async fn $vd_fn(
                &self,
                req: Request<pb::$vd_fn::Request>,
            ) -> Result<Response<pb::$vd_fn::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start($vd_rpc, $version).data_source(&req.type_name);
                let diags = self
                    .0
                    .validate_data_source(&req.type_name, raw_value(&req.config))
                    .await;
                Ok(Response::new(pb::$vd_fn::Response {
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }))
            }

            async fn read_data_source(
                &self,
                req: Request<pb::read_data_source::Request>,
            ) -> Result<Response<pb::read_data_source::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("ReadDataSource", $version).data_source(&req.type_name);
                let out = self
                    .0
                    .read_data_source(&req.type_name, raw_value(&req.config))
                    .await;
                Ok(Response::new(pb::read_data_source::Response {
                    state: out.state.map(msgpack_value),
                    diagnostics: diagnostics_to_proto(out.diagnostics),
                    ..Default::default()
                }))
            }

            async fn $vr_fn(
                &self,
                req: Request<pb::$vr_fn::Request>,
            ) -> Result<Response<pb::$vr_fn::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start($vr_rpc, $version).resource(&req.type_name);
                let write_only_allowed = req
                    .client_capabilities
                    .as_ref()
                    .is_some_and(|c| c.write_only_attributes_allowed);
                let diags = self
                    .0
                    .validate_resource(&req.type_name, raw_value(&req.config), write_only_allowed)
                    .await;
                Ok(Response::new(pb::$vr_fn::Response {
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }))
            }

            async fn upgrade_resource_state(
                &self,
                req: Request<pb::upgrade_resource_state::Request>,
            ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("UpgradeResourceState", $version).resource(&req.type_name);
                let (json, has_flatmap) = match &req.raw_state {
                    Some(raw) => (raw.json.as_slice(), !raw.flatmap.is_empty()),
                    None => (&[][..], false),
                };
                let out = self
                    .0
                    .upgrade_resource_state(&req.type_name, req.version, json, has_flatmap)
                    .await;
                Ok(Response::new(pb::upgrade_resource_state::Response {
                    upgraded_state: out.state.map(msgpack_value),
                    diagnostics: diagnostics_to_proto(out.diagnostics),
                }))
            }

            async fn read_resource(
                &self,
                req: Request<pb::read_resource::Request>,
            ) -> Result<Response<pb::read_resource::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("ReadResource", $version).resource(&req.type_name);
                let StateOutcome { state, private, diagnostics } = self
                    .0
                    .read_resource(&req.type_name, raw_value(&req.current_state), &req.private)
                    .await;
                Ok(Response::new(pb::read_resource::Response {
                    new_state: state.map(msgpack_value),
                    diagnostics: diagnostics_to_proto(diagnostics),
                    private,
                    ..Default::default()
                }))
            }

            async fn plan_resource_change(
                &self,
                req: Request<pb::plan_resource_change::Request>,
            ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("PlanResourceChange", $version).resource(&req.type_name);
                let out = self
                    .0
                    .plan_resource_change(
                        &req.type_name,
                        raw_value(&req.prior_state),
                        raw_value(&req.proposed_new_state),
                        raw_value(&req.config),
                        &req.prior_private,
                    )
                    .await;
                Ok(Response::new(pb::plan_resource_change::Response {
                    planned_state: out.planned_state.map(msgpack_value),
                    requires_replace: out.requires_replace.into_iter().map(path_to_proto).collect(),
                    planned_private: out.planned_private,
                    diagnostics: diagnostics_to_proto(out.diagnostics),
                    ..Default::default()
                }))
            }

            async fn apply_resource_change(
                &self,
                req: Request<pb::apply_resource_change::Request>,
            ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("ApplyResourceChange", $version).resource(&req.type_name);
                let StateOutcome { state, private, diagnostics } = self
                    .0
                    .apply_resource_change(
                        &req.type_name,
                        raw_value(&req.prior_state),
                        raw_value(&req.planned_state),
                        raw_value(&req.config),
                        &req.planned_private,
                    )
                    .await;
                Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: state.map(msgpack_value),
                    private,
                    diagnostics: diagnostics_to_proto(diagnostics),
                    ..Default::default()
                }))
            }

            async fn import_resource_state(
                &self,
                req: Request<pb::import_resource_state::Request>,
            ) -> Result<Response<pb::import_resource_state::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("ImportResourceState", $version).resource(&req.type_name);
                let StateOutcome { state, private, diagnostics } =
                    self.0.import_resource_state(&req.type_name, &req.id).await;
                let imported_resources = match state {
                    Some(bytes) => vec![pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(msgpack_value(bytes)),
                        private,
                        ..Default::default()
                    }],
                    None => Vec::new(),
                };
                Ok(Response::new(pb::import_resource_state::Response {
                    imported_resources,
                    diagnostics: diagnostics_to_proto(diagnostics),
                    ..Default::default()
                }))
            }

            async fn move_resource_state(
                &self,
                req: Request<pb::move_resource_state::Request>,
            ) -> Result<Response<pb::move_resource_state::Response>, Status> {
                let req = req.into_inner();
                let _log = RpcLog::start("MoveResourceState", $version).resource(&req.target_type_name);
                // The capability is off, so Terraform never asks; answer as
                // terraform-plugin-framework does for a resource without
                // state movers: an error naming both types.
                let diags: Diagnostics = Diagnostic::error(
                    "Unable to Move Resource State",
                    format!(
                        "The provider cannot move state from {:?} ({}) to {:?}: it has no state movers.",
                        req.source_type_name, req.source_provider_address, req.target_type_name
                    ),
                )
                .into();
                Ok(Response::new(pb::move_resource_state::Response {
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }))
            }

            async fn validate_ephemeral_resource_config(
                &self,
                req: Request<pb::validate_ephemeral_resource_config::Request>,
            ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
                let _log = RpcLog::start("ValidateEphemeralResourceConfig", $version);
                Ok(Response::new(pb::validate_ephemeral_resource_config::Response {
                    diagnostics: unsupported("Ephemeral Resource", &req.into_inner().type_name),
                }))
            }

            async fn open_ephemeral_resource(
                &self,
                req: Request<pb::open_ephemeral_resource::Request>,
            ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
                let _log = RpcLog::start("OpenEphemeralResource", $version);
                Ok(Response::new(pb::open_ephemeral_resource::Response {
                    diagnostics: unsupported("Ephemeral Resource", &req.into_inner().type_name),
                    ..Default::default()
                }))
            }

            async fn renew_ephemeral_resource(
                &self,
                req: Request<pb::renew_ephemeral_resource::Request>,
            ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
                let _log = RpcLog::start("RenewEphemeralResource", $version);
                Ok(Response::new(pb::renew_ephemeral_resource::Response {
                    diagnostics: unsupported("Ephemeral Resource", &req.into_inner().type_name),
                    ..Default::default()
                }))
            }

            async fn close_ephemeral_resource(
                &self,
                req: Request<pb::close_ephemeral_resource::Request>,
            ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
                let _log = RpcLog::start("CloseEphemeralResource", $version);
                Ok(Response::new(pb::close_ephemeral_resource::Response {
                    diagnostics: unsupported("Ephemeral Resource", &req.into_inner().type_name),
                }))
            }

            async fn list_resource(
                &self,
                req: Request<pb::list_resource::Request>,
            ) -> Result<Response<tonic::codegen::BoxStream<pb::list_resource::Event>>, Status> {
                let _log = RpcLog::start("ListResource", $version);
                let event = pb::list_resource::Event {
                    diagnostic: unsupported("List Resource", &req.into_inner().type_name),
                    ..Default::default()
                };
                Ok(Response::new(Box::pin(tokio_stream::once(Ok(event)))))
            }

            async fn validate_list_resource_config(
                &self,
                req: Request<pb::validate_list_resource_config::Request>,
            ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
                let _log = RpcLog::start("ValidateListResourceConfig", $version);
                Ok(Response::new(pb::validate_list_resource_config::Response {
                    diagnostics: unsupported("List Resource", &req.into_inner().type_name),
                }))
            }

            async fn $st_fn(
                &self,
                _: Request<pb::$st_fn::Request>,
            ) -> Result<Response<pb::$st_fn::Response>, Status> {
                let _log = RpcLog::start($st_rpc, $version);
                self.0.stop("StopProvider called by Terraform");
                Ok(Response::new(pb::$st_fn::Response {
                    error: String::new(),
                }))
            }

            $($extra)*
        }
    };
}

pub(crate) use provider_adapter;

//! The protocol adapter, written once for tfplugin5 and tfplugin6.
//!
//! Both protocols carry the same schema, diagnostic and value messages
//! field-for-field, and the same RPCs under different names (GetSchema vs
//! GetProviderSchema, PrepareProviderConfig vs ValidateProviderConfig, ...).
//! This macro generates, for one generated proto module, the conversions
//! and the `Provider` service impl that forwards each RPC to
//! [`ProviderServer`](crate::plugin::runtime::ProviderServer). `v5.rs` and
//! `v6.rs` only name the RPCs.

macro_rules! provider_adapter {
    (
        version: $version:literal,
        proto: $proto:path,
        service: $service:ident,
        get_schema: $schema_fn:ident / $schema_mod:ident / $schema_rpc:literal,
        validate_provider: $vp_fn:ident / $vp_rpc:literal,
        configure: $cf_fn:ident / $cf_rpc:literal,
        validate_data_source: $vd_fn:ident / $vd_rpc:literal,
        stop: $st_fn:ident / $st_rpc:literal $(,)?
    ) => {
        use tonic::{Request, Response, Status};
        use $crate::plugin::diagnostics::{Diagnostics, PathStep, Severity};
        use $crate::plugin::rpc_log::RpcLog;
        use $crate::plugin::runtime::RawValue;
        use $crate::plugin::schema::{Block, Nesting, Schema};
        use $proto as pb;

        /// Descriptions are written in markdown (they contain `code`).
        const MARKDOWN: i32 = pb::StringKind::Markdown as i32;

        fn schema_to_proto(s: &Schema) -> pb::Schema {
            pb::Schema {
                version: s.version,
                block: Some(block_to_proto(&s.block)),
            }
        }

        fn block_to_proto(b: &Block) -> pb::schema::Block {
            pb::schema::Block {
                version: 0,
                description: b.description.clone(),
                description_kind: MARKDOWN,
                deprecated: b.deprecated,
                attributes: b
                    .attributes
                    .iter()
                    .map(|a| pb::schema::Attribute {
                        name: a.name.clone(),
                        r#type: a.ty.to_json(),
                        description: a.description.clone(),
                        description_kind: MARKDOWN,
                        required: a.is_required(),
                        optional: a.is_optional(),
                        computed: a.is_computed(),
                        sensitive: a.sensitive,
                        deprecated: a.deprecated,
                        ..Default::default()
                    })
                    .collect(),
                block_types: b
                    .blocks
                    .iter()
                    .map(|nb| pb::schema::NestedBlock {
                        type_name: nb.type_name.clone(),
                        block: Some(block_to_proto(&nb.block)),
                        nesting: match nb.nesting {
                            Nesting::Single => pb::schema::nested_block::NestingMode::Single as i32,
                            Nesting::List => pb::schema::nested_block::NestingMode::List as i32,
                        },
                        min_items: nb.min_items,
                        max_items: nb.max_items,
                    })
                    .collect(),
                ..Default::default()
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
                    attribute: d.attribute.map(|path| pb::AttributePath {
                        steps: path
                            .steps
                            .into_iter()
                            .map(|step| pb::attribute_path::Step {
                                selector: Some(match step {
                                    PathStep::Attribute(n) => {
                                        pb::attribute_path::step::Selector::AttributeName(n)
                                    }
                                    PathStep::ElementKeyString(k) => {
                                        pb::attribute_path::step::Selector::ElementKeyString(k)
                                    }
                                    PathStep::ElementKeyInt(i) => {
                                        pb::attribute_path::step::Selector::ElementKeyInt(i)
                                    }
                                }),
                            })
                            .collect(),
                    }),
                })
                .collect()
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
                    server_capabilities: Some(pb::ServerCapabilities::default()),
                    data_sources: self
                        .0
                        .data_source_names()
                        .map(|n| pb::get_metadata::DataSourceMetadata {
                            type_name: n.clone(),
                        })
                        .collect(),
                    ..Default::default()
                }))
            }

            async fn $schema_fn(
                &self,
                _: Request<pb::$schema_mod::Request>,
            ) -> Result<Response<pb::$schema_mod::Response>, Status> {
                let _log = RpcLog::start($schema_rpc, $version);
                let schemas = self.0.schemas();
                Ok(Response::new(pb::$schema_mod::Response {
                    provider: Some(schema_to_proto(schemas.provider)),
                    data_source_schemas: schemas
                        .data_sources
                        .iter()
                        .map(|(name, s)| (name.clone(), schema_to_proto(s)))
                        .collect(),
                    server_capabilities: Some(pb::ServerCapabilities::default()),
                    ..Default::default()
                }))
            }

            async fn get_resource_identity_schemas(
                &self,
                _: Request<pb::get_resource_identity_schemas::Request>,
            ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
                // No managed resources, so no identities: an empty success, never an
                // error diagnostic (fatal for Terraform >= 1.12.1).
                let _log = RpcLog::start("GetResourceIdentitySchemas", $version);
                Ok(Response::new(Default::default()))
            }

            async fn get_functions(
                &self,
                _: Request<pb::get_functions::Request>,
            ) -> Result<Response<pb::get_functions::Response>, Status> {
                let _log = RpcLog::start("GetFunctions", $version);
                Ok(Response::new(Default::default()))
            }

            async fn $vp_fn(
                &self,
                req: Request<pb::$vp_fn::Request>,
            ) -> Result<Response<pb::$vp_fn::Response>, Status> {
                let _log = RpcLog::start($vp_rpc, $version);
                let req = req.into_inner();
                let diags = self
                    .0
                    .validate_provider_config(raw_value(&req.config))
                    .await;
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
                let (state, diags) = self
                    .0
                    .read_data_source(&req.type_name, raw_value(&req.config))
                    .await;
                Ok(Response::new(pb::read_data_source::Response {
                    state: state.map(msgpack_value),
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
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
        }
    };
}

pub(crate) use provider_adapter;

//! The CAMS provider served in-process through its runtime
//! (`ProviderServer`), driven the way Terraform core drives it: values
//! msgpack-encoded against the schema, the proposed new state built as
//! Terraform builds it. No process, no handshake: for tests of what the
//! provider answers (plans, validation, apply against the emulator).

#![allow(dead_code)]

use std::sync::Arc;

use cams_provider::plugin::runtime::{PlanOutcome, ProviderServer, RawValue};
use cams_provider::plugin::schema::{NestedBlock, Nesting};
use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Value};
use cams_provider::plugin::{Diagnostics, Provider, Schema};
use cams_provider::provider::CamsProvider;

use super::local_emulator::{DEMO_KEY_ID, DEMO_SECRET};

pub fn raw(msgpack: &[u8]) -> RawValue<'_> {
    RawValue { msgpack, json: &[] }
}

/// The errors among `diags`, as "summary: detail".
pub fn errors(diags: &Diagnostics) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

/// An object of `schema` with every attribute null (blocks as Terraform
/// sends them left out), then `set`.
pub fn object(schema: &Schema, set: &[(&str, Value)]) -> Value {
    let mut members: Vec<(String, Value)> = schema
        .block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .chain(
            schema
                .block
                .blocks
                .iter()
                .map(|b| (b.type_name.clone(), absent_block(b))),
        )
        .collect();
    for (name, value) in set {
        let slot = members
            .iter_mut()
            .find(|(n, _)| n == name)
            .expect("an attribute of the schema");
        slot.1 = value.clone();
    }
    Value::Object(members.into_iter().collect())
}

/// What Terraform sends for a block the configuration leaves out.
pub fn absent_block(block: &NestedBlock) -> Value {
    match block.nesting {
        Nesting::Single => Value::Null,
        Nesting::Group => Value::Object(
            block
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null))
                .collect(),
        ),
        Nesting::List => Value::List(Vec::new()),
        Nesting::Set => Value::Set(Vec::new()),
        Nesting::Map => Value::Map(Default::default()),
    }
}

/// Terraform's proposed new state for an update: configured values, and
/// the prior value of computed attributes the configuration leaves null.
pub fn proposed_new(schema: &Schema, prior: &Value, config: &Value) -> Value {
    Value::Object(
        schema
            .block
            .attributes
            .iter()
            .map(|a| {
                let configured = config.get_attr(&a.name).cloned().unwrap_or(Value::Null);
                let value = if configured.is_null() && a.is_computed() {
                    prior.get_attr(&a.name).cloned().unwrap_or(Value::Null)
                } else {
                    configured
                };
                (a.name.clone(), value)
            })
            .chain(schema.block.blocks.iter().map(|b| {
                let configured = config.get_attr(&b.type_name).cloned();
                (
                    b.type_name.clone(),
                    configured.unwrap_or_else(|| absent_block(b)),
                )
            }))
            .collect(),
    )
}

/// The CAMS provider's runtime, configured, with a runtime to drive it.
pub struct CamsServer {
    pub server: ProviderServer,
    pub rt: tokio::runtime::Runtime,
}

impl CamsServer {
    /// Configured with the demo keys, `endpoint` and `cust_space_id`, as
    /// Terraform 1.11.4 would (no shared rate limit: tests run in parallel).
    pub fn configured(endpoint: &str, space: &str) -> Self {
        let provider: Arc<dyn Provider> = Arc::new(CamsProvider::new());
        let server = ProviderServer::new(provider);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let provider_schema = server.provider_schema().clone();
        let config = object(
            &provider_schema,
            &[
                ("endpoint", Value::from(endpoint)),
                ("access_key", Value::from(DEMO_KEY_ID)),
                ("secret_key", Value::from(DEMO_SECRET)),
                ("cust_space_id", Value::from(space)),
                ("rate_limit", Value::from(1000i64)),
                ("shared_rate_limit", Value::Bool(false)),
            ],
        );
        let bytes = encode_msgpack(&provider_schema.implied_type(), &config).expect("encode");
        let diags = rt.block_on(server.configure_provider("1.11.4", raw(&bytes)));
        assert!(errors(&diags).is_empty(), "configure: {diags:?}");
        Self { server, rt }
    }

    pub fn schema(&self, type_name: &str) -> Schema {
        self.server
            .resource_schemas()
            .find(|(name, _)| name.as_str() == type_name)
            .map(|(_, s)| s.clone())
            .expect("resource schema")
    }

    pub fn encode(&self, type_name: &str, value: &Value) -> Vec<u8> {
        encode_msgpack(&self.schema(type_name).implied_type(), value).expect("encode")
    }

    pub fn decode(&self, type_name: &str, bytes: &[u8]) -> Value {
        decode_msgpack(&self.schema(type_name).implied_type(), bytes).expect("decode")
    }

    /// ValidateResourceConfig.
    pub fn validate(&self, type_name: &str, config: &Value) -> Diagnostics {
        let c = self.encode(type_name, config);
        self.rt
            .block_on(self.server.validate_resource(type_name, raw(&c), true))
    }

    /// PlanResourceChange, with the proposed new state Terraform would
    /// send (`prior` null: a create; `config` null: a destroy).
    pub fn plan(
        &self,
        type_name: &str,
        prior: &Value,
        config: &Value,
        private: &[u8],
    ) -> PlanOutcome {
        let proposed = if config.is_null() {
            Value::Null
        } else if prior.is_null() {
            config.clone()
        } else {
            proposed_new(&self.schema(type_name), prior, config)
        };
        let (p, n, c) = (
            self.encode(type_name, prior),
            self.encode(type_name, &proposed),
            self.encode(type_name, config),
        );
        self.rt.block_on(self.server.plan_resource_change(
            type_name,
            raw(&p),
            raw(&n),
            raw(&c),
            private,
        ))
    }
}

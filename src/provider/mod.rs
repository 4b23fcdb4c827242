//! The `cams` provider: wires the plugin runtime to the Alibaba client.
//!
//! * [`block`]: the provider block (schema, settings, credential errors).
//! * [`flows`]: the flows domain (resource, data sources, offline rules,
//!   functions).
//! * [`templates`]: the message templates domain.
//! * [`errors`]: client errors as diagnostics, shared by the domains.

pub mod block;
pub mod errors;
pub mod flows;
pub mod templates;

#[cfg(test)]
mod advice_names;
#[cfg(test)]
mod test_support;

use std::num::NonZeroU32;
use std::sync::Arc;

use crate::alibaba::credentials::{self, SystemEnv};
use crate::alibaba::{CamsClient, ClientConfig};
use crate::plugin::model::Model;
use crate::plugin::{
    Attr, Config, ConfigureRequest, ConfigureResponse, Context, DataSource, Diagnostic,
    Diagnostics, Provider, ProviderData, Resource, Schema, ValidateRequest,
};
use block::model::ProviderModel;

/// The provider's source address used in the docs, the examples and debug
/// mode. Any address works with a filesystem mirror or dev_overrides as long
/// as `required_providers` uses the same one.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/local/cams";

/// What `configure` hands to every data source read.
pub struct Configured {
    pub client: CamsClient,
    pub cust_space_id: Option<String>,
    /// The provider's `max_content_bytes`, which also caps uploads.
    pub max_content_bytes: u64,
}

#[derive(Default)]
pub struct CamsProvider {
    /// What the provider block's validation saw of `cust_space_id`, for
    /// `cams_flow`'s validation.
    space: Arc<block::space::ProviderSpace>,
}

impl CamsProvider {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait::async_trait]
impl Provider for CamsProvider {
    fn type_name(&self) -> &'static str {
        "cams"
    }

    fn schema(&self) -> Schema {
        block::schema::provider_schema()
    }

    fn functions(&self) -> Vec<Arc<dyn crate::plugin::Function>> {
        vec![
            Arc::new(flows::functions::FlowJsonProblems),
            Arc::new(flows::functions::FlowJsonProblemDetails),
            Arc::new(flows::functions::FlowJsonSummary),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(flows::json_data_source::FlowJson),
            Arc::new(flows::data_source::FlowDataSource),
            Arc::new(flows::list_data_source::FlowsDataSource),
            Arc::new(templates::TemplateDataSource),
            Arc::new(templates::TemplatesDataSource),
        ]
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(flows::resource::FlowResource::new(self.space.clone())),
            Arc::new(templates::TemplateResource),
            Arc::new(templates::ApprovalResource),
        ]
    }

    async fn validate(&self, req: ValidateRequest) -> Diagnostics {
        self.record_space(&req.config);
        block::settings::validate(&req.config)
    }

    async fn configure(&self, _ctx: &Context, req: ConfigureRequest) -> ConfigureResponse {
        self.record_space(&req.config);
        let configured = ProviderModel::from_config(&req.config)
            .map_err(Diagnostics::from)
            .and_then(|block| self.configure_client(&block));
        match configured {
            Ok((data, warnings)) => ConfigureResponse {
                provider_data: Some(data),
                diagnostics: warnings,
            },
            Err(diagnostics) => ConfigureResponse {
                provider_data: None,
                diagnostics,
            },
        }
    }
}

impl CamsProvider {
    /// Records the block's `cust_space_id` for the flows' validation; a
    /// block the model cannot read (a provider bug, which validation
    /// reports) counts as setting one, so that nothing more is reported.
    fn record_space(&self, config: &Config) {
        let space = ProviderModel::from_config(config).map_or(Attr::Unknown, |b| b.cust_space_id);
        self.space.record(&space);
    }

    /// The provider block's settings made into a client, with the warnings
    /// that go with it.
    fn configure_client(
        &self,
        config: &ProviderModel,
    ) -> Result<(ProviderData, Diagnostics), Diagnostics> {
        let settings = block::settings::settings(config, &|name| std::env::var(name).ok())?;
        let client_config = ClientConfig {
            region: settings.region.clone(),
            endpoint: settings.endpoint.clone(),
            // Unset: each operation keeps its own documented limit (50 per
            // second for template create and modify, 5 for the rest).
            rate_limit_per_second: settings.rate_limit.and_then(NonZeroU32::new),
            max_attempts: settings.max_retries,
            max_content_bytes: settings.max_content_bytes,
            request_timeout: std::time::Duration::from_secs(settings.request_timeout_seconds),
            throttle_retry_budget: std::time::Duration::from_secs(
                settings.throttle_timeout_seconds,
            ),
            shared_budget_dir: settings
                .shared_rate_limit
                .then(crate::alibaba::host_budget::location::default_dir),
            signature_version: settings.credentials.signature_version,
            ..ClientConfig::default()
        };
        let http = crate::alibaba::http::build_client(client_config.timeouts()).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Cannot Create HTTP Client",
                e.without_url().to_string(),
            ))
        })?;
        let creds =
            credentials::resolve(&settings.credentials, &SystemEnv, http.clone()).map_err(|e| {
                Diagnostics::from(block::credential_errors::diagnostic(&e, Some(config)))
            })?;
        let mut warnings = Diagnostics::new();
        if creds.source().starts_with("environment") {
            warnings.extend(env_family_warning());
        }
        let client = CamsClient::with_http(client_config, creds, http).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Provider Configuration",
                e.to_string(),
            ))
        })?;
        Ok((
            ProviderData::new(Configured {
                client,
                cust_space_id: settings.cust_space_id,
                max_content_bytes: settings.max_content_bytes,
            }),
            warnings,
        ))
    }
}

/// Both environment families set with different AccessKey IDs: the first
/// wins, and the user should know (names only, never values).
fn env_family_warning() -> Diagnostics {
    let mut out = Diagnostics::new();
    if let Some(ignored) = credentials::conflicting_env_families(&SystemEnv) {
        out.push(Diagnostic::warning(
            "Two Access Keys in the Environment",
            format!(
                "{used} and {ignored} are both set, with different AccessKey IDs. The provider uses {used} and its secret, and ignores {ignored}. Unset the one you do not mean, so that other tools agree with Terraform on which key is used.",
                used = ignored.used,
                ignored = ignored.ignored,
            ),
        ));
    }
    out
}

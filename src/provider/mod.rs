//! The `cams` provider: wires the plugin runtime to the Alibaba client.
use crate::plugin::{Block, Config, Context, DataSource, Diagnostics, ProviderData, Schema};
use std::sync::Arc;

/// The provider's source address in documentation and debug mode.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/local/cams";

pub struct CamsProvider;
impl CamsProvider {
    pub fn new() -> Self {
        Self
    }
}
impl Default for CamsProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl crate::plugin::Provider for CamsProvider {
    fn type_name(&self) -> &'static str {
        "cams"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new("x"))
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![]
    }
    async fn validate(&self, _c: &Config) -> Diagnostics {
        Diagnostics::new()
    }
    async fn configure(&self, _c: &Config, _x: &Context) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(()))
    }
}

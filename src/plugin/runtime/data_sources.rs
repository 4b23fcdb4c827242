//! The data source RPCs: ValidateDataResourceConfig and ReadDataSource.

use super::guard::guard;
use super::{
    decode, deprecation_warnings, not_found, Entry, ProviderServer, RawValue, StateOutcome,
};
use crate::plugin::config::{Config, ValidateRequest};
use crate::plugin::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::provider::{DataSource, ReadDataSourceRequest};
use crate::plugin::resource::Private;
use crate::plugin::shape;

impl ProviderServer {
    fn data_source(&self, type_name: &str) -> Result<&Entry<dyn DataSource>, Diagnostic> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| not_found("Data Source", type_name, self.data_sources.keys()))
    }

    pub(crate) async fn validate_data_source(
        &self,
        type_name: &str,
        config: RawValue<'_>,
    ) -> Diagnostics {
        let result = async {
            let entry = self.data_source(type_name)?;
            let config = decode(&entry.ty, config)?;
            Ok::<_, Diagnostic>((entry, config))
        }
        .await;
        let (entry, config) = match result {
            Ok(v) => v,
            Err(d) => return d.into(),
        };
        let mut diags = deprecation_warnings(&entry.schema.block, &config);
        let req = ValidateRequest {
            config: Config::new(config),
        };
        diags.extend(guard("ValidateDataResourceConfig", entry.imp.validate(req)).await);
        diags
    }

    /// ReadDataSource: returns the msgpack state (when there is no error).
    pub async fn read_data_source(&self, type_name: &str, config: RawValue<'_>) -> StateOutcome {
        let (entry, config) = match self
            .data_source(type_name)
            .and_then(|e| Ok((e, decode(&e.ty, config)?)))
        {
            Ok(v) => v,
            Err(d) => return StateOutcome::error(d),
        };
        let ctx = self.context();
        if !ctx.is_configured() {
            return StateOutcome::error(Diagnostic::provider_bug(
                "Provider Not Configured",
                format!("Terraform asked to read {type_name} before configuring the provider."),
            ));
        }
        let req = ReadDataSourceRequest {
            config: Config::new(config),
        };
        let resp = guard("ReadDataSource", async {
            let r = entry.imp.read(&ctx, req).await;
            (r.state, r.diagnostics)
        })
        .await;
        let (state, mut diags) = resp;
        if diags.has_errors() {
            return StateOutcome::failed(diags);
        }
        let Some(state) = state else {
            diags.push(Diagnostic::provider_bug(
                "Missing Data Source State",
                format!("The read of {type_name} returned neither a state nor an error."),
            ));
            return StateOutcome::failed(diags);
        };
        let mut state = state.into_value();
        shape::fill_missing(&entry.ty, &mut state);
        self.finish_state(&entry.ty, state, Private::new(), diags, "Data Source")
    }
}

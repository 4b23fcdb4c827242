//! What every operation of a data source or resource is handed besides its
//! request: the provider's configured data and the stop signal.

use std::any::Any;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::diagnostics::Diagnostic;

/// Whatever `Provider::configure` produced (e.g. an API client), handed to
/// every data source and resource operation through
/// [`Context::provider_data`].
#[derive(Clone)]
pub struct ProviderData(Arc<dyn Any + Send + Sync>);

impl ProviderData {
    pub fn new<T: Any + Send + Sync>(data: T) -> Self {
        Self(Arc::new(data))
    }
}

impl std::fmt::Debug for ProviderData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderData(..)")
    }
}

/// Per-operation context.
#[derive(Clone, Debug)]
pub struct Context {
    /// Cancelled when Terraform calls StopProvider (Ctrl-C). Long operations
    /// must observe it and return promptly.
    pub cancel: CancellationToken,
    provider_data: Option<ProviderData>,
    /// The version of Terraform core, as sent to ConfigureProvider.
    pub terraform_version: String,
}

impl Context {
    pub fn new(
        cancel: CancellationToken,
        provider_data: Option<ProviderData>,
        terraform_version: String,
    ) -> Self {
        Self {
            cancel,
            provider_data,
            terraform_version,
        }
    }

    /// Whether `Provider::configure` has succeeded.
    pub(crate) fn is_configured(&self) -> bool {
        self.provider_data.is_some()
    }

    /// The value `Provider::configure` produced, as the type it was made
    /// of. Not configured yet, or another type, is a provider bug and comes
    /// back as the diagnostic to return.
    pub fn provider_data<T: Any + Send + Sync>(&self) -> Result<Arc<T>, Diagnostic> {
        let data = self.provider_data.as_ref().ok_or_else(|| {
            Diagnostic::provider_bug(
                "Provider Not Configured",
                "Terraform ran this operation before configuring the provider.",
            )
        })?;
        data.0.clone().downcast::<T>().map_err(|_| {
            Diagnostic::provider_bug(
                "Unexpected Provider Data Type",
                format!(
                    "The provider's configuration is not a {}.",
                    std::any::type_name::<T>()
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_data_is_reached_by_its_type() {
        let cancel = CancellationToken::new();
        let ctx = Context::new(cancel.clone(), Some(ProviderData::new(7u32)), String::new());
        assert_eq!(*ctx.provider_data::<u32>().unwrap(), 7);
        let wrong = ctx.provider_data::<String>().unwrap_err();
        assert_eq!(wrong.summary, "Unexpected Provider Data Type");
        let unconfigured = Context::new(cancel, None, String::new());
        assert_eq!(
            unconfigured.provider_data::<u32>().unwrap_err().summary,
            "Provider Not Configured"
        );
    }
}

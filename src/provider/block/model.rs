//! The provider block as the provider reads it: typed models of its
//! schema ([`super::schema`]).

use crate::plugin::value::Number;
use crate::plugin::Attr;
use crate::{attribute_name, model};

model! {
    /// The `cams` provider block.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ProviderModel {
        pub access_key: Attr<String>,
        pub secret_key: Attr<String>,
        pub security_token: Attr<String>,
        pub region: Attr<String>,
        pub endpoint: Attr<String>,
        pub profile: Attr<String>,
        pub shared_credentials_file: Attr<String>,
        pub sts_endpoint: Attr<String>,
        pub signature_version: Attr<String>,
        pub cust_space_id: Attr<String>,
        pub max_retries: Attr<Number>,
        pub rate_limit: Attr<Number>,
        pub shared_rate_limit: Attr<bool>,
        pub throttle_timeout: Attr<Number>,
        pub max_content_bytes: Attr<Number>,
        pub request_timeout: Attr<Number>,
        pub assume_role: Attr<Vec<AssumeRoleModel>>,
        pub assume_role_with_oidc: Attr<Vec<OidcModel>>,
    }
}

model! {
    /// An `assume_role` block.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct AssumeRoleModel {
        pub role_arn: Attr<String>,
        pub session_name: Attr<String>,
        pub session_expiration: Attr<Number>,
        pub policy: Attr<String>,
        pub external_id: Attr<String>,
    }
}

model! {
    /// An `assume_role_with_oidc` block.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct OidcModel {
        pub oidc_provider_arn: Attr<String>,
        pub role_arn: Attr<String>,
        pub oidc_token_file: Attr<String>,
        pub oidc_token: Attr<String>,
        pub role_session_name: Attr<String>,
        pub policy: Attr<String>,
        pub session_expiration: Attr<Number>,
    }
}

/// The blocks of a nested block list: none when left out, or while
/// unknown.
pub fn blocks<T>(list: &Attr<Vec<T>>) -> &[T] {
    match list {
        Attr::Known(items) => items,
        _ => &[],
    }
}

impl ProviderModel {
    /// The string argument named `name` among those that choose the
    /// credentials, which credentials errors name.
    pub(crate) fn credential_argument(&self, name: &str) -> Option<&Attr<String>> {
        [
            (attribute_name!(ProviderModel, access_key), &self.access_key),
            (attribute_name!(ProviderModel, secret_key), &self.secret_key),
            (
                attribute_name!(ProviderModel, security_token),
                &self.security_token,
            ),
            (attribute_name!(ProviderModel, profile), &self.profile),
            (
                attribute_name!(ProviderModel, shared_credentials_file),
                &self.shared_credentials_file,
            ),
        ]
        .into_iter()
        .find(|(argument, _)| *argument == name)
        .map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::mismatches;
    use crate::provider::block::schema::provider_schema;

    #[test]
    fn the_model_matches_the_schema() {
        assert_eq!(
            mismatches::<ProviderModel>(&provider_schema()),
            Vec::<String>::new()
        );
    }
}

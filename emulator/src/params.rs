//! The parameters of an RPC request: query string plus form body, as the
//! gateway decodes them before re-canonicalizing for the signature check.

/// Decoded `name=value` pairs in arrival order (query first, then body).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RpcParams {
    pairs: Vec<(String, String)>,
}

impl RpcParams {
    /// Decodes the query string and, when the body is a form, the body.
    /// `+` decodes to a space, as gateways do with SDK wire encodings.
    pub fn from_parts(query: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
        let mut pairs: Vec<(String, String)> = query
            .map(|q| decode_pairs(q.as_bytes()))
            .unwrap_or_default();
        let is_form = content_type.is_some_and(|ct| {
            ct.split(';').next().is_some_and(|mime| {
                mime.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
        if is_form {
            pairs.extend(decode_pairs(body));
        }
        RpcParams { pairs }
    }

    /// Adds a parameter (V3 requests carry Action and Version in headers).
    pub fn push(&mut self, name: &str, value: &str) {
        self.pairs.push((name.to_string(), value.to_string()));
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a parameter, if present and non-empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every pair, for the canonicalized query (which drops `Signature`).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn decode_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_form_body_are_merged() {
        let params = RpcParams::from_parts(
            Some("Action=GetFlowJSONAssest&FlowId=a+b%2A"),
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            b"CustSpaceId=cams-1&FlowId=ignored",
        );
        assert_eq!(params.get("FlowId"), Some("a b*"));
        assert_eq!(params.get("CustSpaceId"), Some("cams-1"));
        assert_eq!(params.pairs().count(), 4);
    }

    #[test]
    fn other_bodies_are_not_parameters() {
        let params = RpcParams::from_parts(None, Some("application/json"), b"FlowId=x");
        assert_eq!(params.get("FlowId"), None);
        let params = RpcParams::from_parts(Some("FlowId="), None, b"");
        assert_eq!(
            (params.get("FlowId"), params.non_empty("FlowId")),
            (Some(""), None)
        );
    }
}

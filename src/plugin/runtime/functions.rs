//! CallFunction: arguments decoded and checked against the definition,
//! no provider configuration needed.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;

use super::guard::panic_diagnostic;
use super::{decode, ProviderServer, RawValue};
use crate::plugin::function::{CallRequest, FunctionError};
use crate::plugin::value;

impl ProviderServer {
    /// CallFunction: the msgpack result, or a function error. Needs no
    /// provider configuration.
    pub async fn call_function(
        &self,
        name: &str,
        arguments: &[RawValue<'_>],
    ) -> Result<Vec<u8>, FunctionError> {
        let entry = self.functions.get(name).ok_or_else(|| {
            FunctionError::new(format!(
                "The provider has no function named {name:?}; it offers: {}.",
                self.functions
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let def = &entry.definition;
        if arguments.len() < def.parameters.len()
            || (def.variadic.is_none() && arguments.len() > def.parameters.len())
        {
            return Err(FunctionError::new(format!(
                "{name} takes {}{} arguments, {} given.",
                def.parameters.len(),
                if def.variadic.is_some() {
                    " or more"
                } else {
                    ""
                },
                arguments.len()
            )));
        }
        let mut req = CallRequest {
            arguments: Vec::new(),
            variadic: Vec::new(),
        };
        for (i, raw) in arguments.iter().enumerate() {
            let param = def
                .parameters
                .get(i)
                .or(def.variadic.as_ref())
                .ok_or_else(|| FunctionError::new("too many arguments"))?;
            let v = decode(&param.ty, *raw).map_err(|d| {
                FunctionError::argument(
                    i,
                    format!("Invalid value for {}: {}", param.name, d.detail),
                )
            })?;
            if v.is_null() && !param.allow_null {
                return Err(FunctionError::argument(
                    i,
                    format!(
                        "Invalid value for {}: the argument must not be null.",
                        param.name
                    ),
                ));
            }
            if !v.is_wholly_known() && !param.allow_unknown {
                return Err(FunctionError::argument(
                    i,
                    format!(
                        "Invalid value for {}: the argument must be known.",
                        param.name
                    ),
                ));
            }
            if i < def.parameters.len() {
                req.arguments.push(v);
            } else {
                req.variadic.push(v);
            }
        }
        let result = match AssertUnwindSafe(entry.imp.call(req)).catch_unwind().await {
            Ok(r) => r?,
            Err(payload) => {
                let d = panic_diagnostic("CallFunction", payload.as_ref());
                return Err(FunctionError::new(d.detail));
            }
        };
        value::encode_msgpack(&def.return_type, &result).map_err(|e| {
            FunctionError::new(format!(
                "The provider's function {name} returned a value that does not match its return type: {e}. This is always an issue with the provider and should be reported to the provider developers."
            ))
        })
    }
}

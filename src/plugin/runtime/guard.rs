//! The panic guard: a panic inside provider code becomes an error
//! diagnostic (logged in Terraform's format) and the process keeps serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;

use crate::plugin::diagnostics::{Diagnostic, Diagnostics};

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

pub(super) fn panic_diagnostic(
    operation: &str,
    payload: &(dyn std::any::Any + Send),
) -> Diagnostic {
    let message = panic_message(payload);
    tracing::error!(target: "provider", tf_rpc = operation, panic = %message, "operation panicked");
    Diagnostic::provider_bug(
        "Provider Panicked",
        format!("The provider panicked during {operation}: {message}. The provider process keeps running."),
    )
}

/// What an operation's output becomes when it panics: its empty value
/// with the panic as an error diagnostic.
pub(super) trait FromPanic {
    fn from_panic(d: Diagnostic) -> Self;
}

impl FromPanic for Diagnostics {
    fn from_panic(d: Diagnostic) -> Self {
        d.into()
    }
}

impl<A: Default> FromPanic for (A, Diagnostics) {
    fn from_panic(d: Diagnostic) -> Self {
        (A::default(), d.into())
    }
}

impl<A: Default, B: Default> FromPanic for (A, B, Diagnostics) {
    fn from_panic(d: Diagnostic) -> Self {
        (A::default(), B::default(), d.into())
    }
}

impl<A: Default, B: Default, C: Default> FromPanic for (A, B, C, Diagnostics) {
    fn from_panic(d: Diagnostic) -> Self {
        (A::default(), B::default(), C::default(), d.into())
    }
}

/// Runs an operation, turning a panic into an error diagnostic.
pub(super) async fn guard<T: FromPanic, F: Future<Output = T>>(operation: &str, fut: F) -> T {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(out) => out,
        Err(payload) => T::from_panic(panic_diagnostic(operation, payload.as_ref())),
    }
}

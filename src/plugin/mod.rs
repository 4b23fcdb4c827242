//! The Terraform plugin runtime. Knows nothing about Alibaba Cloud.
//!
//! * [`handshake`]: magic cookie, version negotiation, the handshake line.
//! * [`tls`]: AutoMTLS (server certificate, pinned client certificate).
//! * [`server`]: socket, gRPC services, lifecycle and signals.
//! * [`value`]: Terraform values and their msgpack/JSON encodings.
//! * [`schema`], [`diagnostics`], [`provider`], [`resource`], [`function`],
//!   [`plan_modifier`]: the API provider code uses.
//! * [`runtime`]: the one implementation of the RPCs (with `planning`,
//!   consistency checks and value shaping); `v5`/`v6` adapt it.

mod adapter;
pub mod config;
mod consistency;
pub mod context;
pub mod diagnostics;
pub mod function;
pub mod go_plugin;
pub mod handshake;
pub mod logging;
mod parent;
pub mod plan_modifier;
#[cfg(test)]
mod plan_proptests;
mod planning;
pub mod proto;
pub mod provider;
pub mod resource;
mod rpc_log;
pub mod runtime;
pub mod schema;
pub mod server;
mod shape;
pub mod tls;
pub mod v5;
pub mod v6;
pub mod value;

use std::process::ExitCode;
use std::sync::Arc;

pub use config::{Attr, Config, State, ValidateRequest};
pub use context::{Context, ProviderData};
pub use diagnostics::{AttributePath, Diagnostic, Diagnostics};
pub use function::{
    CallRequest, CallResponse, Function, FunctionDefinition, FunctionError, Parameter,
};
pub use plan_modifier::{
    PlanModification, PlanModifier, PlanModifierRequest, RequiresReplace, RequiresReplaceIf,
    SemanticEquality, UseStateForUnknown,
};
pub use provider::{
    ConfigureRequest, ConfigureResponse, DataSource, Provider, ReadDataSourceRequest,
    ReadDataSourceResponse,
};
pub use resource::{
    ApplyResponse, CreateRequest, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest,
    UpgradeStateRequest, UpgradeStateResponse,
};
pub use schema::{
    Attribute, Block, NestedAttributes, NestedBlock, Nesting, ObjectNesting, Presence, Schema,
};
pub use server::Mode;

/// Runs a provider as a plugin process: the whole `main` of a provider
/// binary. Returns the process exit code.
pub fn run(provider: Arc<dyn Provider>, mode: Mode) -> ExitCode {
    if matches!(mode, Mode::Managed)
        && !handshake::cookie_is_valid(std::env::var(handshake::MAGIC_COOKIE_KEY).ok().as_deref())
    {
        eprintln!("{}", handshake::NOT_STARTED_BY_TERRAFORM);
        return ExitCode::from(1);
    }
    logging::init_from_env();
    install_panic_logger();
    // Messages name the binary as users see it in Terraform's output.
    let name = format!("terraform-provider-{}", provider.type_name());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let server = Arc::new(runtime::ProviderServer::new(provider));
    let result = runtime.block_on(server::serve(server, mode));
    // Exit without waiting for idle connections or blocking tasks: the host
    // measures Shutdown-to-exit and kills us after 2 s.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(target: "provider", error = %e, "provider server failed");
            eprintln!("{name}: {e}");
            ExitCode::from(1)
        }
    }
}

/// Panics inside operations become diagnostics (see `runtime`); this only
/// makes sure the panic itself is logged in Terraform's format instead of
/// as loose text.
fn install_panic_logger() {
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(target: "provider", panic = %info, "panic");
    }));
}

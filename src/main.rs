//! terraform-provider-cams: the plugin binary Terraform starts.

use std::process::ExitCode;
use std::sync::Arc;

use cams_provider::plugin::{self, Mode};
use cams_provider::provider::{CamsProvider, PROVIDER_ADDRESS};

fn main() -> ExitCode {
    let mut mode = Mode::Managed;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--debug" => {
                mode = Mode::Debug {
                    provider_address: PROVIDER_ADDRESS.to_owned(),
                }
            }
            "--version" | "-v" => {
                println!("terraform-provider-cams {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("terraform-provider-cams: unknown argument {other:?} (known: --debug, --version)");
                return ExitCode::from(2);
            }
        }
    }
    plugin::run(Arc::new(CamsProvider::new()), mode)
}

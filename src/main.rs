//! terraform-provider-cams: the plugin binary Terraform starts.

use std::process::ExitCode;
use std::sync::Arc;

use cams_provider::plugin::{self, Mode};
use cams_provider::provider::{CamsProvider, PROVIDER_ADDRESS};

const NAME: &str = "terraform-provider-cams";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve(Mode),
    Version,
    Help,
}

fn usage() -> String {
    format!(
        "{NAME} {version}: the Terraform provider for Alibaba Cloud CAMS (WhatsApp Flows).\n\
         \n\
         Terraform starts this binary itself; it is not meant to be run by hand.\n\
         \n\
         Usage:\n  \
           {NAME}              serve the provider to Terraform (needs Terraform's environment)\n  \
           {NAME} --debug      serve it for a debugger: prints TF_REATTACH_PROVIDERS to use\n  \
           {NAME} --version    print the version (also -V, -v)\n  \
           {NAME} --help       print this text (also -h)\n",
        version = env!("CARGO_PKG_VERSION")
    )
}

/// Reads the arguments (without the program name). Each flag stands alone:
/// `--version` or `--help` with anything else is an error, not a guess.
fn parse(args: &[String]) -> Result<Command, String> {
    let known = "known: --debug, --version (-V), --help (-h)";
    match args {
        [] => Ok(Command::Serve(Mode::Managed)),
        [one] => match one.as_str() {
            "--debug" => Ok(Command::Serve(Mode::Debug {
                provider_address: PROVIDER_ADDRESS.to_owned(),
            })),
            "--version" | "-V" | "-v" => Ok(Command::Version),
            "--help" | "-h" => Ok(Command::Help),
            other => Err(format!("unknown argument {other:?} ({known})")),
        },
        [first, rest @ ..] => Err(format!(
            "{first:?} takes no further arguments, got {rest:?} ({known})"
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Command::Serve(mode)) => plugin::run(Arc::new(CamsProvider::new()), mode),
        Ok(Command::Version) => {
            println!("{NAME} {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Help) => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{NAME}: {message}\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_flag_alone() {
        assert_eq!(parse(&args(&[])), Ok(Command::Serve(Mode::Managed)));
        for v in ["--version", "-V", "-v"] {
            assert_eq!(parse(&args(&[v])), Ok(Command::Version));
        }
        for h in ["--help", "-h"] {
            assert_eq!(parse(&args(&[h])), Ok(Command::Help));
        }
        assert!(matches!(
            parse(&args(&["--debug"])),
            Ok(Command::Serve(Mode::Debug { .. }))
        ));
    }

    #[test]
    fn anything_more_is_refused() {
        assert!(parse(&args(&["--version", "extra"])).is_err());
        assert!(parse(&args(&["--debug", "--version"])).is_err());
        let err = parse(&args(&["--frobnicate"])).unwrap_err();
        assert!(
            err.contains("--frobnicate") && err.contains("--help"),
            "{err}"
        );
    }
}

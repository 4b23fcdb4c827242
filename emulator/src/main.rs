//! `cams-emulator`: a local Alibaba Cloud CAMS stand-in (thin CLI over
//! the `cams_emulator` library).

use std::io::Write as _;
use std::process::ExitCode;

use cams_emulator::cli::{parse_args, Command, HELP};
use cams_emulator::EmulatorConfig;

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => *config,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("cams-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("cams-emulator: {message}\nTry 'cams-emulator --help'.");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cams-emulator: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: EmulatorConfig) -> ExitCode {
    let running = match cams_emulator::start(config).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("cams-emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let announced = writeln!(stdout, "cams-emulator listening on {}", running.url())
        .and_then(|()| stdout.flush());
    if announced.is_err() {
        // Whoever started us cannot learn the port; serving would be useless.
        eprintln!("cams-emulator: cannot write the listening line on stdout");
        return ExitCode::FAILURE;
    }
    wait_for_stop_signal().await;
    eprintln!("cams-emulator: stopping");
    running.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

//! The provider as a process: its command line, a bad client certificate at
//! start, and what happens when Terraform dies without shutting it down.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::plugin_client::{provider_binary, ClientIdentity, COOKIE};

fn run(args: &[&str]) -> std::process::Output {
    Command::new(provider_binary())
        .args(args)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run the provider")
}

#[test]
fn help_and_version_flags() {
    for flag in ["--help", "-h"] {
        let out = run(&[flag]);
        assert!(out.status.success(), "{flag}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Usage:") && text.contains("--debug"),
            "{text}"
        );
    }
    for flag in ["--version", "-V", "-v"] {
        let out = run(&[flag]);
        assert!(out.status.success(), "{flag}: {out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("terraform-provider-cams {}", env!("CARGO_PKG_VERSION"))
        );
    }
    for args in [
        &["--version", "extra"][..],
        &["--bogus"],
        &["--debug", "-h"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("terraform-provider-cams: "), "{err}");
    }
}

#[test]
fn pem_armour_around_no_certificate_fails_at_start_naming_the_binary() {
    let out = Command::new(provider_binary())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env(
            "PLUGIN_CLIENT_CERT",
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
        )
        .stdin(Stdio::null())
        .output()
        .expect("run the provider");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "no handshake line: {out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("terraform-provider-cams: PLUGIN_CLIENT_CERT holds PEM, but not a valid X.509 certificate"),
        "{err}"
    );
}

/// Whether `pid` has ended (gone, or a zombie nobody has reaped yet).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
    }
}

#[test]
fn the_provider_exits_when_terraform_is_killed() {
    // A shell stands in for Terraform: it starts the provider (handshake
    // line into a file), prints the provider's pid, and is then SIGKILLed.
    let dir = tempfile::tempdir().unwrap();
    let handshake_file = dir.path().join("handshake");
    let client = ClientIdentity::terraform_like();
    let mut host = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" > "$1" & echo $!; wait"#)
        .arg(provider_binary())
        .arg(&handshake_file)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", &client.cert_pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the stand-in host");
    let mut pid_line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(host.stdout.take().unwrap()),
        &mut pid_line,
    )
    .unwrap();
    let provider_pid: u32 = pid_line.trim().parse().expect("provider pid");
    let socket = wait_for_socket(&handshake_file);
    assert!(socket.exists(), "{}", socket.display());

    host.kill().unwrap(); // SIGKILL: no Shutdown, no signal to the provider
    host.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ended(provider_pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let still_running = !ended(provider_pid);
    if still_running {
        // Do not leave it behind whatever the outcome.
        let _ = Command::new("kill")
            .arg("-9")
            .arg(provider_pid.to_string())
            .status();
    }
    assert!(!still_running, "the provider outlived its host by 10 s");
    assert!(
        !socket.exists(),
        "the socket {} was left behind",
        socket.display()
    );
}

/// Reads the socket path from the handshake line once it is written.
fn wait_for_socket(handshake_file: &Path) -> std::path::PathBuf {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line = std::fs::read_to_string(handshake_file).unwrap_or_default();
        if line.ends_with('\n') {
            let fields: Vec<&str> = line.trim_end().split('|').collect();
            return std::path::PathBuf::from(fields[3]);
        }
        assert!(Instant::now() < deadline, "no handshake line: {line:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

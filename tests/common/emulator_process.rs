//! The `cams-emulator` binary as a child process, driven through its CLI.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const DEMO_KEY_ID: &str = "demo-access-key-id";
pub const DEMO_SECRET: &str = "demo-access-key-secret";
pub const SIGNUP_FLOW: &str = "9267533281264300";

pub fn flows_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/flows")
}

pub struct EmulatorProcess {
    child: Child,
    pub url: String,
}

impl EmulatorProcess {
    /// Starts the emulator with the example flows and extra CLI arguments.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_flows(&flows_dir(), args)
    }

    /// Starts the emulator serving the flows in `dir`.
    pub fn start_with_flows(dir: &std::path::Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cams-emulator"))
            .arg("--flows")
            .arg(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cams-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("emulator prints its address");
        let url = line
            .trim()
            .strip_prefix("cams-emulator listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, url }
    }

    /// `GET /_emulator/stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        let addr = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).expect("connect to emulator");
        write!(
            stream,
            "GET /_emulator/stats HTTP/1.0\r\nHost: {addr}\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split("\r\n\r\n").nth(1).expect("HTTP body");
        serde_json::from_str(body).expect("stats JSON")
    }

    pub fn stat(&self, name: &str) -> u64 {
        self.stats()[name]
            .as_u64()
            .unwrap_or_else(|| panic!("stat {name} missing"))
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temp flows dir holding a copy of the signup flow under each id.
pub fn flows_with_ids(ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let signup =
        std::fs::read(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).expect("signup flow");
    for id in ids {
        std::fs::write(dir.path().join(format!("{id}.json")), &signup).unwrap();
    }
    dir
}

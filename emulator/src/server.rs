//! Listening, routing and per-connection serving. Connections are served
//! one by one with hyper (not `axum::serve`) so a handler can ask for its
//! connection to be reset.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{oneshot, Notify};
use tokio::task::{JoinHandle, JoinSet};

use super::acs3_signature::sha256_hex;
use super::config::EmulatorConfig;
use super::fault::FaultRule;
use super::pop::{json_body, PopError};
use super::state::Emulator;
use super::state_file::StateFileError;
use super::stats::Stats;
use super::{api, bucket, files, flow_api, template_api};

/// Lets a handler reset the TCP connection its request came on.
#[derive(Debug, Default)]
pub struct ConnectionControl {
    reset: Notify,
}

impl ConnectionControl {
    /// Asks the connection task to drop the socket with a TCP RST.
    pub fn reset(&self) {
        self.reset.notify_one();
    }
}

/// A running emulator. Dropping it (or [`RunningEmulator::shutdown`]) stops
/// the listener and closes every connection.
#[derive(Debug)]
pub struct RunningEmulator {
    local_addr: SocketAddr,
    emulator: Arc<Emulator>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// Base URL of the API endpoint, e.g. `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        local_url(self.local_addr)
    }

    /// The address the emulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.emulator.stats()
    }

    /// Zeroes the counters, fault counters and rate-limit windows (as
    /// `POST /_emulator/reset`).
    pub fn reset(&self) {
        self.emulator.reset()
    }

    /// Replaces the fault rules at run time (their counters start at zero).
    pub fn set_faults(&self, faults: Vec<FaultRule>) {
        self.emulator.set_faults(faults)
    }

    /// Stops listening, closes every connection and waits for the listener task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Why the emulator did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the flows directory {0} does not exist or is not a directory")]
    FlowsDir(String),
    #[error(transparent)]
    State(#[from] StateFileError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// Binds `config.listen` and serves until the returned handle is dropped or
/// shut down. Must be called inside a tokio runtime.
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, StartError> {
    // A mistyped --flows would otherwise answer "not found" for every flow.
    if !config.flows_dir.is_dir() {
        return Err(StartError::FlowsDir(config.flows_dir.display().to_string()));
    }
    let listen_error = |source| StartError::Listen {
        address: config.listen,
        source,
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(listen_error)?;
    let local_addr = listener.local_addr().map_err(listen_error)?;
    let public_url = config
        .public_url
        .clone()
        .map(|url| url.trim_end_matches('/').to_string())
        .unwrap_or_else(|| local_url(local_addr));
    let host_id = public_url
        .split_once("://")
        .map_or(public_url.as_str(), |(_, rest)| rest)
        .to_string();
    let emulator = Arc::new(Emulator::new(&config, public_url, host_id)?);
    let router = router(emulator.clone());
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, router, stopped, emulator.clone()));
    Ok(RunningEmulator {
        local_addr,
        emulator,
        stop: Some(stop),
        task: Some(task),
    })
}

/// `http://ip:port`, with a wildcard IP replaced by loopback (what a local
/// client can connect to).
fn local_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .route("/", get(api::handle).post(api::handle))
        .route("/oss/{*key}", get(files::handle))
        .route(
            "/{bucket}/{*key}",
            get(bucket::handle)
                .put(bucket::handle)
                .head(bucket::handle)
                // axum's default 2 MB body cap is below a Flow JSON's 10 MB;
                // one byte more lets the handler answer OSS's EntityTooLarge.
                .layer(DefaultBodyLimit::max(bucket::MAX_OBJECT_BYTES + 1)),
        )
        .route("/_emulator/stats", get(stats))
        .route("/_stats", get(stats))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/templates/review", post(template_api::review))
        .route("/_emulator/flows", get(flows))
        .fallback(not_found)
        .with_state(emulator)
}

async fn stats(State(emulator): State<Arc<Emulator>>) -> Response {
    match serde_json::to_value(emulator.stats()) {
        Ok(value) => json_body(&value),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /_emulator/flows`: every flow the emulator holds (kept, and the
/// seeded ones of `--flows` not changed yet), read from its own store (not
/// through the RPC API), so tests check what CAMS holds without the client
/// under test.
async fn flows(State(emulator): State<Arc<Emulator>>) -> Response {
    let flows: Vec<serde_json::Value> = flow_api::all_flows(&emulator)
        .await
        .iter()
        .map(|flow| {
            json!({
                "id": flow.id,
                "name": flow.name,
                "categories": flow.categories,
                "status": flow.status.as_str(),
                "cust_space_id": flow.cust_space_id,
                "endpoint_uri": flow.endpoint_uri,
                "content_sha256": flow.json.as_deref().map(|j| sha256_hex(j.as_bytes())),
                "content": flow.json,
            })
        })
        .collect();
    json_body(&json!({ "flows": flows }))
}

async fn reset(State(emulator): State<Arc<Emulator>>) -> Response {
    emulator.reset();
    json_body(&json!({ "reset": true }))
}

async fn not_found(State(emulator): State<Arc<Emulator>>) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string().to_uppercase();
    PopError::new(
        StatusCode::NOT_FOUND,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    )
    .into_response(&request_id, &emulator.host_id)
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    mut stopped: oneshot::Receiver<()>,
    emulator: Arc<Emulator>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A send or a dropped sender both mean stop.
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(error) => {
                    // Usually too many open files; back off instead of spinning.
                    emulator.log(format_args!("accept failed: {error}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket, kept to reset it: hyper owns the first.
    let (stream, reset_handle) = match duplicate(stream) {
        Ok(pair) => pair,
        Err(_) => return,
    };
    let control = Arc::new(ConnectionControl::default());
    let service = TowerToHyperService::new(router.layer(Extension(control.clone())));
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        _ = control.reset.notified() => {
            // SO_LINGER 0 applies to the socket, so closing the last handle
            // sends RST instead of FIN: the client sees a connection reset.
            let socket = TcpSocket::from_std_stream(reset_handle);
            let _ = socket.set_zero_linger();
            drop(socket);
            return;
        }
    }
    drop(reset_handle);
}

/// Splits a stream into the tokio stream and a std handle on the same socket.
fn duplicate(stream: TcpStream) -> std::io::Result<(TcpStream, std::net::TcpStream)> {
    let std_stream = stream.into_std()?;
    let clone = std_stream.try_clone()?;
    Ok((TcpStream::from_std(std_stream)?, clone))
}

//! Serving: the unix socket, TLS, the gRPC services, and the process
//! lifecycle (handshake line, SIGINT ignored, Shutdown exits promptly).

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use std::io::Write as _;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use super::go_plugin::{Broker, Controller, Stdio};
use super::proto::go_plugin::{grpc_broker_server, grpc_controller_server, grpc_stdio_server};
use super::proto::{tfplugin5, tfplugin6};
use super::runtime::ProviderServer;
use super::{handshake, parent, tls, v5, v6};

/// terraform-plugin-go's limit; tonic's default (4 MiB) is too small for
/// large states.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// A client that connects but never finishes TLS is dropped after this.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the process lingers after a shutdown so that responses already
/// handed to the connection tasks reach the socket.
const SHUTDOWN_FLUSH_GRACE: Duration = Duration::from_micros(300);

/// How the plugin was started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Started by Terraform: cookie checked, handshake line on stdout,
    /// AutoMTLS when `PLUGIN_CLIENT_CERT` is set.
    Managed,
    /// `--debug`: plaintext, prints `TF_REATTACH_PROVIDERS` for the user,
    /// serves until interrupted.
    Debug { provider_address: String },
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {path}: {source}")]
    Listen { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot write the handshake line: {0}")]
    Stdout(io::Error),
    #[error("gRPC server failed: {0}")]
    Grpc(#[from] tonic::transport::Error),
    #[error("cannot install signal handlers: {0}")]
    Signals(io::Error),
}

/// Removes the socket file when serving ends.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A unique socket path in `PLUGIN_UNIX_SOCKET_DIR` or the temp dir.
fn socket_path() -> PathBuf {
    let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("plugin{}", uuid::Uuid::new_v4().simple()))
}

/// A connection as tonic sees it: plain (debug mode) or TLS.
pub(crate) enum PluginConn {
    Plain(UnixStream),
    Tls(Box<TlsStream<UnixStream>>),
}

impl Connected for PluginConn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for PluginConn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for PluginConn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_flush(cx),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            PluginConn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            PluginConn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Accepts connections, finishing TLS off the accept loop so one slow
/// client never blocks another.
fn accept_loop(
    listener: UnixListener,
    acceptor: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> ReceiverStream<io::Result<PluginConn>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                _ = shutdown.cancelled() => return,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(target: "provider", error = %e, "accept failed");
                        continue;
                    }
                },
            };
            let tx = tx.clone();
            match &acceptor {
                None => {
                    let _ = tx.send(Ok(PluginConn::Plain(stream))).await;
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(tls)) => {
                                let _ = tx.send(Ok(PluginConn::Tls(Box::new(tls)))).await;
                            }
                            Ok(Err(e)) => {
                                tracing::warn!(target: "provider", error = %e, "TLS handshake refused");
                            }
                            Err(_) => tracing::warn!(target: "provider", "TLS handshake timed out"),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

/// Serves `server` until the host shuts us down (managed mode) or the user
/// interrupts (debug mode).
pub async fn serve(server: Arc<ProviderServer>, mode: Mode) -> Result<(), ServeError> {
    let protocol = match mode {
        Mode::Managed => {
            handshake::negotiate_version(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())
        }
        Mode::Debug { .. } => handshake::SUPPORTED_VERSIONS[0],
    };
    // Terraform handles Ctrl-C itself and calls StopProvider; dying on the
    // terminal's SIGINT would break the in-flight request. Install this
    // before anything else so an early Ctrl-C is ignored too.
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(ServeError::Signals)?;
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(ServeError::Signals)?;

    let path = socket_path();
    let listener = UnixListener::bind(&path).map_err(|source| ServeError::Listen {
        path: path.clone(),
        source,
    })?;
    let _socket_file = SocketFile(path.clone());

    let client_cert = match mode {
        Mode::Managed => std::env::var("PLUGIN_CLIENT_CERT")
            .ok()
            .filter(|s| !s.is_empty()),
        Mode::Debug { .. } => None,
    };
    let (acceptor, server_cert) = match client_cert {
        Some(pem) => {
            let client = tls::parse_client_cert(&pem)?;
            let identity = tls::generate_server_identity()?;
            let config = tls::server_config(&identity, client)?;
            (Some(TlsAcceptor::from(config)), Some(identity.cert_der))
        }
        None => (None, None),
    };

    let shutdown = CancellationToken::new();
    let incoming = accept_loop(listener, acceptor, shutdown.clone());
    let router = routes(server.clone(), protocol, shutdown.clone());
    let grpc_shutdown = shutdown.clone();
    let grpc = tokio::spawn(async move {
        router
            .serve_with_incoming_shutdown(incoming, grpc_shutdown.cancelled_owned())
            .await
    });

    // The listener is bound and accepting: now tell the host where we are.
    let address = path.to_string_lossy().into_owned();
    match &mode {
        Mode::Managed => {
            let line =
                handshake::handshake_line(protocol, "unix", &address, server_cert.as_deref());
            // A blocking write is fine: one short line, once.
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(line.as_bytes())
                .map_err(ServeError::Stdout)?;
            stdout.flush().map_err(ServeError::Stdout)?;
        }
        Mode::Debug { provider_address } => print_reattach(provider_address, protocol, &address),
    }
    tracing::info!(target: "provider", tf_proto_version = protocol, "provider started");

    let debug = matches!(mode, Mode::Debug { .. });
    // In debug mode the parent is the user's shell, not a host.
    let parent_gone = async {
        if debug {
            std::future::pending().await
        } else {
            parent::exited().await
        }
    };
    tokio::pin!(parent_gone);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            parent = &mut parent_gone => {
                tracing::warn!(target: "provider", parent, "the process that started the provider has exited without shutting it down; exiting");
                break;
            }
            _ = sigterm.recv() => break,
            _ = sigint.recv() => {
                if debug {
                    break;
                }
                tracing::debug!(target: "provider", "ignoring SIGINT: Terraform will call StopProvider");
            }
        }
    }
    shutdown.cancel();
    server.stop("the plugin is shutting down");
    // Give in-flight responses (e.g. Shutdown's own, written by a worker
    // thread within microseconds) a moment to flush, but do not wait for the
    // host to close its connection: go-plugin ignores Shutdown's answer (Go
    // plugins drop it) and only waits for the process to exit. A blocking
    // sleep, because tokio timers round up to whole milliseconds; this thread
    // runs `block_on`, not a worker, so the workers keep writing meanwhile.
    if !grpc.is_finished() {
        std::thread::sleep(SHUTDOWN_FLUSH_GRACE);
    }
    Ok(())
}

fn routes(
    server: Arc<ProviderServer>,
    protocol: u8,
    shutdown: CancellationToken,
) -> tonic::transport::server::Router {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    // go-plugin registers its health check under the service name "plugin".
    tokio::spawn(async move {
        health_reporter
            .set_service_status("plugin", tonic_health::ServingStatus::Serving)
            .await;
    });
    let mut builder = tonic::transport::Server::builder();
    let router = builder
        .add_service(grpc_controller_server::GrpcControllerServer::new(
            Controller {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(grpc_stdio_server::GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(grpc_broker_server::GrpcBrokerServer::new(Broker {
            shutdown,
        }))
        .add_service(health_service);
    if protocol == 5 {
        router.add_service(
            tfplugin5::provider_server::ProviderServer::new(v5::V5(server))
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
    } else {
        router.add_service(
            tfplugin6::provider_server::ProviderServer::new(v6::V6(server))
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
    }
}

/// The `TF_REATTACH_PROVIDERS` value for debug mode. `Test: true` is
/// required: Terraform 1.0.x mishandles protocol 6 without it, and it
/// keeps Terraform from shutting the debug process down.
pub(crate) fn reattach_json(
    provider_address: &str,
    protocol: u8,
    pid: u32,
    socket: &Path,
) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": protocol,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "unix", "String": socket.to_string_lossy() }
        }
    })
    .to_string()
}

fn print_reattach(provider_address: &str, protocol: u8, socket: &str) {
    let value = reattach_json(
        provider_address,
        protocol,
        std::process::id(),
        Path::new(socket),
    );
    println!("Provider server started in debug mode (no TLS). To attach Terraform, run this in another shell:\n");
    println!("\texport TF_REATTACH_PROVIDERS='{value}'\n");
    println!("Then run terraform as usual. Press Ctrl-C here to stop the provider.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_has_the_fields_terraform_1_0_needs() {
        let v: serde_json::Value = serde_json::from_str(&reattach_json(
            "registry.terraform.io/local/cams",
            6,
            42,
            Path::new("/tmp/p"),
        ))
        .unwrap();
        let p = &v["registry.terraform.io/local/cams"];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Pid"], 42);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/tmp/p");
    }
}

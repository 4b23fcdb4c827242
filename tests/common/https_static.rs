//! A static file server over HTTPS on loopback, as a bucket behind HTTPS
//! serves a provider network mirror: GET of a path under a directory, nothing
//! else. Its certificate is signed by a test CA written to a PEM file, which
//! a test hands to Terraform through `SSL_CERT_FILE` (Go's crypto/x509 reads
//! that file as the system roots on Linux).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

pub struct HttpsStaticServer {
    pub url: String,
    /// The test CA's certificate, the only root a client needs.
    pub ca_pem: PathBuf,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl HttpsStaticServer {
    /// Serves `root` at `https://127.0.0.1:PORT/` until dropped.
    pub fn start(root: &Path) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ca_pem, tls) = test_ca_and_server_config();
        let ca_path = dir.path().join("test-ca.pem");
        std::fs::write(&ca_path, ca_pem).unwrap();

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let root = Arc::new(root.to_path_buf());
        let listener = runtime.block_on(async {
            TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback")
        });
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(move |uri: Uri| serve_file(root.clone(), uri));
        let tls_listener = TlsListener {
            tcp: listener,
            acceptor: TlsAcceptor::from(tls),
        };
        runtime.spawn(async move {
            let _ = axum::serve(tls_listener, app).await;
        });
        Self {
            url: format!("https://{addr}/"),
            ca_pem: ca_path,
            _runtime: runtime,
            _dir: dir,
        }
    }
}

async fn serve_file(root: Arc<PathBuf>, uri: Uri) -> Response {
    let relative = Path::new(uri.path().trim_start_matches('/'));
    // Only plain names below the root: no `..`, no absolute paths.
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return StatusCode::BAD_REQUEST.into_response();
    }
    // By extension, as a bucket sets it on upload: Terraform refuses mirror
    // JSON served with another type.
    let content_type = match relative.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(root.join(relative)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A CA, and a server configuration whose certificate (for 127.0.0.1) it
/// signed.
fn test_ca_and_server_config() -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "cams mirror test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let ca = rcgen::Issuer::new(ca_params, ca_key);

    let key = rcgen::KeyPair::generate().expect("server key");
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "127.0.0.1");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).expect("server certificate");

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server TLS config");
    (ca_cert.pem(), Arc::new(config))
}

/// TCP accept plus the TLS handshake; a client that gives up on the
/// handshake (say, because it does not trust the CA) is dropped, and the
/// next connection is accepted.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

//! AutoMTLS: the server certificate made at start-up, and client
//! authentication pinned to the certificate Terraform passes in
//! `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is ECDSA P-521 and marked as a CA. A
//! default rustls client verifier either never offers P-521/SHA-512 (so Go
//! sends no certificate) or rejects a CA certificate used as an end entity.
//! We use the aws-lc-rs provider, which verifies P-521 signatures, and a
//! verifier that accepts exactly the pinned certificate and checks the
//! handshake signature against its key (proof of possession).

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT holds PEM, but not a valid X.509 certificate ({0}); Terraform sets this variable itself, so check what set it")]
    InvalidClientCert(String),
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate")]
    BadClientCert,
    #[error("could not generate the server certificate: {0}")]
    CertGeneration(#[from] rcgen::Error),
    #[error("could not build the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The server's certificate and key, made fresh at each start.
pub(crate) struct ServerIdentity {
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

/// The crypto provider used for every TLS connection of the plugin.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Makes a self-signed certificate for `localhost` (SAN, as Go requires).
/// P-256 keeps start-up fast; Terraform accepts any key it can verify.
pub(crate) fn generate_server_identity() -> Result<ServerIdentity, TlsError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "terraform-provider-cams");
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(365 * 30);
    let cert = params.self_signed(&key)?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// Reads the client certificate Terraform passes in `PLUGIN_CLIENT_CERT`.
pub(crate) fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    let der =
        CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|_| TlsError::BadClientCert)?;
    // PEM armour around bytes that are no X.509 certificate would only show
    // later, as every client refused; say so at start instead.
    webpki::EndEntityCert::try_from(&der)
        .map_err(|e| TlsError::InvalidClientCert(format!("{e:?}")))?;
    Ok(der)
}

/// The rustls server configuration: our certificate, ALPN `h2` (grpc-go
/// >= 1.67 insists on it), and client authentication pinned to `client`.
pub(crate) fn server_config(
    identity: &ServerIdentity,
    client: CertificateDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedClientVerifier {
        pinned: client,
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts exactly one client certificate, byte for byte.
#[derive(Debug)]
struct PinnedClientVerifier {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Pinning replaces path validation: the host told us, out of band,
        // which certificate it will present. Its expiry is the host's choice.
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // aws-lc-rs includes ECDSA_NISTP521_SHA512, so Go's client finds a
        // scheme for its P-521 key and sends its certificate.
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_identity_is_fresh_each_time() {
        let a = generate_server_identity().unwrap();
        let b = generate_server_identity().unwrap();
        assert_ne!(a.cert_der.as_ref(), b.cert_der.as_ref());
    }

    #[test]
    fn p521_is_offered_to_clients() {
        let provider = crypto_provider();
        let verifier = PinnedClientVerifier {
            pinned: CertificateDer::from(vec![1, 2, 3]),
            algorithms: provider.signature_verification_algorithms,
        };
        assert!(verifier
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
        assert!(verifier
            .verify_client_cert(&CertificateDer::from(vec![1, 2, 4]), &[], UnixTime::now())
            .is_err());
        assert!(verifier
            .verify_client_cert(&CertificateDer::from(vec![1, 2, 3]), &[], UnixTime::now())
            .is_ok());
    }

    #[test]
    fn client_cert_must_be_pem() {
        assert!(parse_client_cert("not a cert").is_err());
        let armoured_garbage =
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            parse_client_cert(armoured_garbage),
            Err(TlsError::InvalidClientCert(_))
        ));
    }
}

//! Head office's TLS: a self-signed certificate for the host names it is reached by (desks pin
//! its SHA-256, so no CA is involved), and the rustls server configuration (ring only).

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A host name is not a DNS name or IP address.
    #[error("cannot make a certificate for these host names: {0}")]
    Certificate(String),
    /// The certificate or key does not load.
    #[error("the TLS certificate or key is not usable: {0}")]
    Config(String),
}

/// A new certificate and its private key.
pub struct Generated {
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PKCS#8 DER (secret).
    pub key_der: Zeroizing<Vec<u8>>,
    /// The private key, PKCS#8 PEM (secret).
    pub key_pem: Zeroizing<String>,
}

/// A self-signed ECDSA P-256 certificate for `hosts` (names or IP addresses).
pub fn generate(hosts: &[String]) -> Result<Generated, TlsError> {
    let mut params = rcgen::CertificateParams::new(hosts.to_vec())
        .map_err(|e| TlsError::Certificate(e.to_string()))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "branchdesk-hq");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "SM INVEST");
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| TlsError::Certificate(e.to_string()))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| TlsError::Certificate(e.to_string()))?;
    Ok(Generated {
        cert_der: cert.der().to_vec(),
        cert_pem: cert.pem(),
        key_der: Zeroizing::new(key.serialize_der()),
        key_pem: Zeroizing::new(key.serialize_pem()),
    })
}

/// The DER of the first certificate in a PEM file.
pub fn cert_der_from_pem(pem: &str) -> Result<Vec<u8>, TlsError> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|c| c.to_vec())
        .map_err(|e| TlsError::Config(e.to_string()))
}

/// SHA-256 of a certificate's DER: what desks pin.
pub fn fingerprint(cert_der: &[u8]) -> [u8; 32] {
    sync::sha256(cert_der)
}

/// The server configuration: TLS 1.2 and 1.3 with ring, HTTP/2 and HTTP/1.1 by ALPN.
pub fn server_config(
    cert_der: &[u8],
    key_der: &[u8],
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert_der.to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der.to_vec())),
        )
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

//! The desk's HTTPS client for head office. It trusts exactly one certificate, the one whose
//! SHA-256 the enrolment code carried, never the system's CAs; it checks head office's signature
//! on every answer before believing it.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::ack::Ack;
use crate::batch::{AuditHead, BatchInput, Record, SealedBatch};
use crate::enrol::{DeskRequest, EnrolAnswer, EnrolRequest, EnrolmentCode};
use crate::feed::{FeedEntry, SealedFeed};
use crate::refusal::{Refusal, RefusalCode};
use crate::{PROTOCOL_VERSION, PeerKeys, SecretKeys, SyncError, VERSION_HEADER};

/// Why a call to head office did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Head office answered with a refusal.
    #[error("head office refused: {0}")]
    Refused(Refusal),
    /// Head office presented another certificate than the pinned one.
    #[error("head office presented a certificate other than the one it was enrolled with")]
    Certificate,
    /// No answer: connection refused or cut, timeout.
    #[error("head office could not be reached: {0}")]
    Transport(String),
    /// The answer is not a valid, signed message from head office.
    #[error("head office's answer is not valid: {0}")]
    Answer(#[from] SyncError),
}

/// A connection to one head office.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    head_office: PeerKeys,
}

impl Client {
    /// A client for `url` that accepts only the certificate with SHA-256 `cert_sha256`.
    pub fn new(
        url: &str,
        cert_sha256: [u8; 32],
        head_office: PeerKeys,
    ) -> Result<Self, ClientError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Pinned {
            sha256: cert_sha256,
            algorithms: provider.signature_verification_algorithms,
        };
        let mut tls =
            rustls::ClientConfig::builder_with_provider(provider.clone() as Arc<CryptoProvider>)
                .with_safe_default_protocol_versions()
                .map_err(|e| ClientError::Transport(e.to_string()))?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            // Only head office itself, never where it might redirect to.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(Self {
            http,
            base: url.trim_end_matches('/').to_owned(),
            head_office,
        })
    }

    /// A client for the head office an enrolment code names.
    pub fn for_code(code: &EnrolmentCode) -> Result<Self, ClientError> {
        Self::new(&code.url, code.cert_sha256, code.head_office.clone())
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, ClientError> {
        let res = req
            .header(VERSION_HEADER, PROTOCOL_VERSION)
            .send()
            .await
            .map_err(transport)?;
        let status = res.status();
        let body = res.bytes().await.map_err(transport)?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        match serde_json::from_slice::<Refusal>(&body) {
            Ok(r) => Err(ClientError::Refused(r)),
            Err(_) => Err(ClientError::Transport(format!(
                "HTTP {status} without a refusal"
            ))),
        }
    }

    /// Enrols the desk with a code; checks head office's signed answer.
    pub async fn enrol(
        &self,
        code: &EnrolmentCode,
        desk: &SecretKeys,
        name: &str,
    ) -> Result<EnrolAnswer, ClientError> {
        let req = EnrolRequest::sign(code, desk, name);
        let body = self
            .send(self.http.post(format!("{}/v1/enrol", self.base)).json(&req))
            .await?;
        let answer: EnrolAnswer =
            serde_json::from_slice(&body).map_err(|_| SyncError::malformed("enrolment answer"))?;
        answer.verify(&self.head_office, &desk.public())?;
        Ok(answer)
    }

    /// Pushes one batch; returns head office's verified acknowledgement.
    pub async fn push(&self, batch: &SealedBatch) -> Result<Ack, ClientError> {
        let body = self
            .send(
                self.http
                    .post(format!("{}/v1/push", self.base))
                    .header("content-type", "application/octet-stream")
                    .body(batch.to_bytes()),
            )
            .await?;
        self.ack(&body, &batch.header.device)
    }

    fn ack(&self, body: &[u8], device: &str) -> Result<Ack, ClientError> {
        let ack: Ack = serde_json::from_slice(body).map_err(|_| SyncError::malformed("ack"))?;
        ack.verify(&self.head_office)?;
        if ack.device != device {
            return Err(SyncError::malformed("ack for another desk").into());
        }
        Ok(ack)
    }

    /// What head office has stored of this desk's records.
    pub async fn cursor(
        &self,
        device: &str,
        desk: &SecretKeys,
        at: &str,
    ) -> Result<Ack, ClientError> {
        let req = DeskRequest::sign(device, 0, at, desk);
        let body = self
            .send(
                self.http
                    .post(format!("{}/v1/cursor", self.base))
                    .json(&req),
            )
            .await?;
        self.ack(&body, device)
    }

    /// The desk's feed after `since`: entries, checked, and the epoch to continue from.
    pub async fn feed(
        &self,
        device: &str,
        since: u64,
        desk: &SecretKeys,
        at: &str,
    ) -> Result<(Vec<FeedEntry>, u64), ClientError> {
        let req = DeskRequest::sign(device, since, at, desk);
        let body = self
            .send(self.http.post(format!("{}/v1/feed", self.base)).json(&req))
            .await?;
        let sealed = SealedFeed::parse(&body)?;
        let entries = sealed.open(&self.head_office, desk, device, since)?;
        Ok((entries, sealed.header.through))
    }

    /// Sends one chunk of an attachment; returns head office's state of it as JSON.
    pub async fn put_chunk(
        &self,
        device: &str,
        desk: &SecretKeys,
        attachment: &str,
        offset: u64,
        chunk: &[u8],
    ) -> Result<serde_json::Value, ClientError> {
        let signature = crate::chunk::sign(desk, device, attachment, offset, chunk);
        let body = self
            .send(
                self.http
                    .put(format!(
                        "{}/v1/attachments/{attachment}?offset={offset}",
                        self.base
                    ))
                    .header(crate::chunk::DEVICE_HEADER, device)
                    .header(crate::chunk::SIGNATURE_HEADER, signature)
                    .body(chunk.to_vec()),
            )
            .await?;
        serde_json::from_slice(&body).map_err(|_| SyncError::malformed("attachment state").into())
    }

    /// Pushes `records` (the desk's outbox in sequence order, from any point at or before the
    /// first one head office lacks) in batches of
    /// `batch_size`, continuing from what head office has stored: asks for the cursor first, and
    /// again after a refusal that says the desk and head office disagree about where it stands.
    /// Returns the last acknowledgement. `now` gives the time to stamp requests with.
    pub async fn push_records(
        &self,
        device: &str,
        desk: &SecretKeys,
        records: &[Record],
        batch_size: usize,
        audit_head: Option<AuditHead>,
        now: &(dyn Fn() -> String + Sync),
    ) -> Result<Ack, ClientError> {
        let first = records.first().map_or(1, |r| r.seq);
        let mut ack = self.cursor(device, desk, &now()).await?;
        let mut resyncs = 0;
        loop {
            let acked = ack.acked_seq;
            if records.last().is_none_or(|r| r.seq <= acked) {
                return Ok(ack);
            }
            // The records must reach back to the first one head office does not have.
            let start = usize::try_from((acked + 1).saturating_sub(first))
                .ok()
                .filter(|_| first <= acked + 1)
                .ok_or(SyncError::malformed(
                    "records do not continue from head office's cursor",
                ))?;
            let prev = ack.verify(&self.head_office)?;
            let end = (start + batch_size.max(1)).min(records.len());
            let batch = SealedBatch::seal(
                &BatchInput {
                    device,
                    prev_hash: prev,
                    created_at: &now(),
                    audit_head,
                    records: &records[start..end],
                },
                desk,
                &self.head_office,
            )?;
            match self.push(&batch).await {
                Ok(a) => ack = a,
                Err(ClientError::Refused(r))
                    if matches!(
                        r.code,
                        RefusalCode::SequenceGap | RefusalCode::ChainMismatch
                    ) && resyncs < 3 =>
                {
                    resyncs += 1;
                    ack = self.cursor(device, desk, &now()).await?;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn transport(e: reqwest::Error) -> ClientError {
    if pinned_refused(&e) {
        ClientError::Certificate
    } else {
        ClientError::Transport(e.to_string())
    }
}

/// Whether the TLS handshake failed on our pin (the rustls error sits inside io errors).
fn pinned_refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(
            CertificateError::ApplicationVerificationFailure,
        )) = err.downcast_ref::<rustls::Error>()
        {
            return true;
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

/// Accepts exactly the pinned certificate; still checks the handshake signatures with it.
#[derive(Debug)]
struct Pinned {
    sha256: [u8; 32],
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if crate::sha256(end_entity.as_ref()) == self.sha256 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
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
        self.algorithms.supported_schemes()
    }
}

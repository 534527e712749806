//! Joining head office. An administrator makes a one-time code with `branchdesk-hq enrol`; it
//! binds head office's URL, its TLS certificate's SHA-256 and its public keys, so the desk needs
//! nothing else to trust it. The desk answers with its own public keys, signed, and the code's
//! token; head office accepts a token once, before it expires.
//!
//! ```text
//! code    = "BDE1-" base64url(version:u16 url:str cert_sha256:[32] hq_signing:[32]
//!                             hq_recipient:str branch:str token:[32] expires_at:str)
//! signed  = "branchdesk/sync/enrol/v1" 0x00 token:[32] signing:[32] recipient:str name:str
//! answer  = "branchdesk/sync/enrolled/v1" 0x00 device:str signing:[32] recipient:str branch:str
//!           enrolled_at:str
//! ```

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::wire::{Reader, Writer};
use crate::{PeerKeys, SecretKeys, SyncError, keys::signature_from_hex};

const PREFIX: &str = "BDE1-";
const REQUEST_DOMAIN: &[u8] = b"branchdesk/sync/enrol/v1";
const ANSWER_DOMAIN: &[u8] = b"branchdesk/sync/enrolled/v1";

/// What a one-time enrolment code carries.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    /// Head office's base URL (`https://host:port`).
    pub url: String,
    /// SHA-256 of head office's TLS certificate (DER): the only certificate the desk will trust.
    pub cert_sha256: [u8; 32],
    /// Head office's public keys.
    pub head_office: PeerKeys,
    /// The branch the desk joins.
    pub branch: String,
    /// The one-time secret; head office keeps only its hash.
    pub token: [u8; 32],
    /// Until when it can be used (RFC 3339, UTC).
    pub expires_at: String,
}

impl std::fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolmentCode")
            .field("url", &self.url)
            .field("branch", &self.branch)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl EnrolmentCode {
    /// The code as text an administrator passes on.
    pub fn encode(&self) -> String {
        let mut w = Writer::new();
        w.u16(crate::PROTOCOL_VERSION)
            .str(&self.url)
            .raw(&self.cert_sha256)
            .raw(&self.head_office.signing.to_bytes())
            .str(&self.head_office.recipient.to_string())
            .str(&self.branch)
            .raw(&self.token)
            .str(&self.expires_at);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(w.finish())
        )
    }

    /// Reads a code as typed or pasted (surrounding whitespace and line breaks ignored).
    pub fn decode(text: &str) -> Result<Self, SyncError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let body = compact
            .strip_prefix(PREFIX)
            .ok_or(SyncError::malformed("enrolment code"))?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SyncError::malformed("enrolment code"))?;
        let mut r = Reader::new(&bytes, "enrolment code");
        let theirs = r.u16()?;
        if theirs != crate::PROTOCOL_VERSION {
            return Err(SyncError::Version {
                ours: crate::PROTOCOL_VERSION,
                theirs,
            });
        }
        let url = r.str()?;
        let cert_sha256 = r.array()?;
        let signing: [u8; 32] = r.array()?;
        let recipient = r.str()?;
        let code = Self {
            url,
            cert_sha256,
            head_office: PeerKeys::parse(&hex::encode(signing), &recipient)?,
            branch: r.str()?,
            token: r.array()?,
            expires_at: r.str()?,
        };
        r.end()?;
        Ok(code)
    }
}

/// The desk's request to join: its public keys, signed with its key, and the code's token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The desk's protocol version.
    pub protocol: u16,
    /// The code's token, hex.
    pub token: String,
    /// The desk's Ed25519 verifying key, hex.
    pub signing: String,
    /// The desk's age recipient.
    pub recipient: String,
    /// A name for the desk that administrators see (e.g. the computer's name).
    pub name: String,
    /// The desk's signature, hex: proves it holds the key it registers.
    pub signature: String,
}

impl EnrolRequest {
    /// Builds and signs a request.
    pub fn sign(code: &EnrolmentCode, desk: &SecretKeys, name: &str) -> Self {
        let public = desk.public();
        let recipient = public.recipient.to_string();
        let sig = desk.sign(
            REQUEST_DOMAIN,
            &request_message(&code.token, &public.signing.to_bytes(), &recipient, name),
        );
        Self {
            protocol: crate::PROTOCOL_VERSION,
            token: hex::encode(code.token),
            signing: public.signing_hex(),
            recipient,
            name: name.to_owned(),
            signature: hex::encode(sig),
        }
    }

    /// Checks the version, the keys and the desk's signature; returns the token and the keys.
    pub fn verify(&self) -> Result<([u8; 32], PeerKeys), SyncError> {
        if self.protocol != crate::PROTOCOL_VERSION {
            return Err(SyncError::Version {
                ours: crate::PROTOCOL_VERSION,
                theirs: self.protocol,
            });
        }
        let token: [u8; 32] = hex::decode(&self.token)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SyncError::malformed("enrolment token"))?;
        if self.name.chars().count() > 100 || self.name.chars().any(char::is_control) {
            return Err(SyncError::malformed("desk name"));
        }
        let keys = PeerKeys::parse(&self.signing, &self.recipient)?;
        let sig = signature_from_hex(&self.signature)?;
        keys.verify(
            REQUEST_DOMAIN,
            &request_message(
                &token,
                &keys.signing.to_bytes(),
                &self.recipient,
                &self.name,
            ),
            &sig,
        )?;
        Ok((token, keys))
    }
}

fn request_message(token: &[u8; 32], signing: &[u8; 32], recipient: &str, name: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.raw(token).raw(signing).str(recipient).str(name);
    w.finish()
}

/// Head office's answer: the device id it gave the desk, signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolAnswer {
    /// Head office's protocol version.
    pub protocol: u16,
    /// The desk's device id from now on.
    pub device: String,
    /// The branch it joined.
    pub branch: String,
    /// When (RFC 3339, UTC).
    pub enrolled_at: String,
    /// Head office's signature, hex.
    pub signature: String,
}

impl EnrolAnswer {
    /// Signs an answer binding the device id to the desk's keys (signing key and age recipient).
    pub fn sign(
        device: &str,
        desk: &PeerKeys,
        branch: &str,
        enrolled_at: &str,
        head_office: &SecretKeys,
    ) -> Self {
        let sig = head_office.sign(
            ANSWER_DOMAIN,
            &answer_message(device, desk, branch, enrolled_at),
        );
        Self {
            protocol: crate::PROTOCOL_VERSION,
            device: device.to_owned(),
            branch: branch.to_owned(),
            enrolled_at: enrolled_at.to_owned(),
            signature: hex::encode(sig),
        }
    }

    /// Checks head office's signature over the desk's own keys: head office registered exactly
    /// the signing key and the age recipient this desk holds.
    pub fn verify(&self, head_office: &PeerKeys, desk: &PeerKeys) -> Result<(), SyncError> {
        if self.protocol != crate::PROTOCOL_VERSION {
            return Err(SyncError::Version {
                ours: crate::PROTOCOL_VERSION,
                theirs: self.protocol,
            });
        }
        let sig = signature_from_hex(&self.signature)?;
        head_office.verify(
            ANSWER_DOMAIN,
            &answer_message(&self.device, desk, &self.branch, &self.enrolled_at),
            &sig,
        )
    }
}

fn answer_message(device: &str, desk: &PeerKeys, branch: &str, at: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(device)
        .raw(&desk.signing.to_bytes())
        .str(&desk.recipient.to_string())
        .str(branch)
        .str(at);
    w.finish()
}

/// A desk's signed request for its feed (`POST /v1/feed`) or its cursor (`POST /v1/cursor`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskRequest {
    /// The desk's protocol version.
    pub protocol: u16,
    /// Its device id.
    pub device: String,
    /// The last feed epoch it applied (0 for the cursor).
    pub since: u64,
    /// When it asked (RFC 3339, UTC).
    pub at: String,
    /// The desk's signature, hex.
    pub signature: String,
}

const DESK_REQUEST_DOMAIN: &[u8] = b"branchdesk/sync/desk-request/v1";

impl DeskRequest {
    /// Builds and signs a request.
    pub fn sign(device: &str, since: u64, at: &str, desk: &SecretKeys) -> Self {
        let sig = desk.sign(
            DESK_REQUEST_DOMAIN,
            &desk_request_message(device, since, at),
        );
        Self {
            protocol: crate::PROTOCOL_VERSION,
            device: device.to_owned(),
            since,
            at: at.to_owned(),
            signature: hex::encode(sig),
        }
    }

    /// Checks the version and the signature with the device's key (hex).
    pub fn verify(&self, desk_signing_hex: &str) -> Result<(), SyncError> {
        if self.protocol != crate::PROTOCOL_VERSION {
            return Err(SyncError::Version {
                ours: crate::PROTOCOL_VERSION,
                theirs: self.protocol,
            });
        }
        let sig = signature_from_hex(&self.signature)?;
        crate::keys::verify_with(
            desk_signing_hex,
            DESK_REQUEST_DOMAIN,
            &desk_request_message(&self.device, self.since, &self.at),
            &sig,
        )
    }
}

fn desk_request_message(device: &str, since: u64, at: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(device).u64(since).str(at);
    w.finish()
}

//! Enrolment: an administrator enters head office's one-time code; the desk registers the
//! Ed25519 and age keys its vault already holds, checks head office's signed answer, and pins
//! head office's certificate and keys in the vault. Everything that can be checked locally is
//! checked before the code is spent at head office.

use chrono::{DateTime, Utc};
use sync::SecretKeys;
use sync::client::Client;
use sync::enrol::EnrolmentCode;
use vault::{Enrolment, HeadOfficeLink, Role};

use crate::access::{OneOfficer, VaultAccess};
use crate::failure::Failure;

/// What a code says, for the administrator to confirm before enrolling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentPreview {
    /// Head office's address.
    pub url: String,
    /// The branch the desk joins.
    pub branch: String,
    /// Until when the code can be used.
    pub expires_at: String,
    /// Whether that time has passed.
    pub expired: bool,
}

/// Reads a code as pasted (line breaks and spaces are ignored) for the administrator to confirm;
/// `expired` says whether its deadline passed by `now` (head office has the last word).
pub fn preview(code: &str, now: DateTime<Utc>) -> Result<EnrolmentPreview, Failure> {
    let code = decode(code)?;
    let expired = DateTime::parse_from_rfc3339(&code.expires_at)
        .map(|t| t.with_timezone(&Utc) <= now)
        .unwrap_or(false);
    Ok(EnrolmentPreview {
        url: code.url.clone(),
        branch: code.branch.clone(),
        expires_at: code.expires_at.clone(),
        expired,
    })
}

/// The code as pasted. Its expiry is head office's to judge: a desk retrying after a lost answer
/// gets its enrolment back even past the deadline.
fn decode(text: &str) -> Result<EnrolmentCode, Failure> {
    EnrolmentCode::decode(text).map_err(|_| Failure::BadCode)
}

/// Enrols the desk with `code` under the name `desk_name` (administrators only). `again` is the
/// explicit re-enrolment of a desk head office revoked.
pub async fn enrol(
    access: &impl VaultAccess,
    code: &str,
    desk_name: &str,
    again: bool,
    now: &(dyn Fn() -> DateTime<Utc> + Sync),
) -> Result<HeadOfficeLink, Failure> {
    let code = decode(code)?;
    let access = &OneOfficer::of(access)?;
    let keys = access.with(|v| -> Result<SecretKeys, Failure> {
        if v.officer().role != Role::Admin {
            return Err(Failure::Forbidden);
        }
        match v.head_office()? {
            Some(link) if link.revoked_at.is_none() => return Err(Failure::AlreadyEnrolled),
            Some(_) if !again => return Err(Failure::Revoked),
            _ => {}
        }
        let secrets = v.desk_secrets()?;
        SecretKeys::from_parts(secrets.signing(), secrets.identity())
            .map_err(|_| Failure::Vault(vault::VaultError::Damaged))
    })??;
    let client = Client::for_code(&code)?;
    let answer = client.enrol(&code, &keys, desk_name).await?;
    let cert = hex::encode(code.cert_sha256);
    let signing = code.head_office.signing_hex();
    let recipient = code.head_office.recipient.to_string();
    let link = access.with(|v| {
        v.enrol_head_office(
            &Enrolment {
                url: &code.url,
                cert_sha256: &cert,
                signing: &signing,
                recipient: &recipient,
                branch: &answer.branch,
                device_id: &answer.device,
            },
            again,
            now(),
        )
    })??;
    Ok(link)
}

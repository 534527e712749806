//! The desk's own keys, made with the vault and kept encrypted inside it: an Ed25519 signing key
//! (signs issued documents, consent records and sync batches) and an age X25519 identity (receives
//! head office's feed). Only the public halves ever leave the vault.

use age::secrecy::ExposeSecret;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use zeroize::Zeroizing;

use crate::error::VaultError;

/// The public halves of the desk's keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskPublicKeys {
    /// Ed25519 verifying key, hex (64 characters).
    pub signing: String,
    /// age X25519 recipient (`age1…`).
    pub age_recipient: String,
}

/// Creates both keys if the vault has none yet (new vaults, and vaults from schema 1).
pub(crate) fn ensure(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<bool, VaultError> {
    let have: i64 = tx.query_row("SELECT count(*) FROM desk_key", [], |r| r.get(0))?;
    if have == 2 {
        return Ok(false);
    }
    let at = crate::stamp::stamp(now);
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    let secret = Zeroizing::new(signing.to_bytes());
    tx.execute(
        "INSERT OR IGNORE INTO desk_key (kind, secret, public, created_at) VALUES ('ed25519-signing', ?1, ?2, ?3)",
        params![&secret[..], hex::encode(signing.verifying_key().to_bytes()), at],
    )?;
    let identity = age::x25519::Identity::generate();
    let id_text = identity.to_string();
    tx.execute(
        "INSERT OR IGNORE INTO desk_key (kind, secret, public, created_at) VALUES ('age-x25519', ?1, ?2, ?3)",
        params![id_text.expose_secret().as_bytes(), identity.to_public().to_string(), at],
    )?;
    Ok(true)
}

pub(crate) fn public(conn: &Connection) -> Result<DeskPublicKeys, VaultError> {
    let get = |kind: &str| -> Result<String, VaultError> {
        conn.query_row(
            "SELECT public FROM desk_key WHERE kind = ?1",
            params![kind],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(VaultError::Damaged)
    };
    Ok(DeskPublicKeys {
        signing: get("ed25519-signing")?,
        age_recipient: get("age-x25519")?,
    })
}

/// The desk's Ed25519 signing key, or `None` before the desk has keys (schema 1). Zeroized on drop.
pub(crate) fn signing_key(conn: &Connection) -> Result<Option<SigningKey>, VaultError> {
    if crate::migrations::version(conn)? < 2 {
        return Ok(None);
    }
    let secret: Option<Zeroizing<Vec<u8>>> = conn
        .query_row(
            "SELECT secret FROM desk_key WHERE kind = 'ed25519-signing'",
            [],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .optional()?
        .map(Zeroizing::new);
    let Some(secret) = secret else {
        return Ok(None);
    };
    let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(
        secret
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Damaged)?,
    );
    Ok(Some(SigningKey::from_bytes(&bytes)))
}

/// Signs `message` with the desk's Ed25519 key.
pub(crate) fn sign(conn: &Connection, message: &[u8]) -> Result<[u8; 64], VaultError> {
    let key = signing_key(conn)?.ok_or(VaultError::Damaged)?;
    Ok(key.sign(message).to_bytes())
}

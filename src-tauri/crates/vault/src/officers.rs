//! Managing the desk's officers: adding, disabling, roles, passphrases, and rotating the data key.
//!
//! Every change to an officer is audited with the officer's whole state as the payload, and the
//! officer row names that audit entry (`audit_seq`). On unlock the table is checked against those
//! entries, so a role or status changed behind the desk's back (with the `sqlcipher` shell, say)
//! refuses to open instead of being trusted.
//!
//! Disabling an officer removes their key entry from `vault.keys` and rotates the data key, so
//! what they knew of it no longer opens the vault.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::error::VaultError;
use crate::keyfile::{self, KeyFile, Wrap};
use crate::migrations;
use crate::officer::{self, Officer, OfficerId, Role, random_id};
use crate::secret::{DataKey, DeviceSecret, Passphrase};
use crate::stamp::stamp;
use crate::vault::{Vault, check_passphrase};

/// What a rotation of the data key did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RekeyReport {
    /// Officers whose entry could not take the new key (entries from before this build that were
    /// not unlocked since): an administrator gives them a new passphrase.
    pub need_new_passphrase: Vec<OfficerId>,
    /// Whether head office's recovery copy was renewed (false when its recipient is unknown).
    pub recovery_renewed: bool,
}

/// An officer's name, role and status.
pub(crate) fn row(
    conn: &Connection,
    id: &OfficerId,
) -> Result<Option<(String, Role, bool)>, VaultError> {
    let row: Option<(String, String, bool)> = conn
        .query_row(
            "SELECT name, role, disabled FROM officer WHERE id = ?1",
            params![id.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(name, role, disabled)| {
        Role::parse(&role)
            .map(|role| (name, role, disabled))
            .ok_or(VaultError::Damaged)
    })
    .transpose()
}

/// The first enabled administrator by name (who head office's recovery key signs in as when
/// nobody was named).
pub(crate) fn first_admin(conn: &Connection) -> Result<Option<OfficerId>, VaultError> {
    Ok(conn
        .query_row(
            "SELECT id FROM officer WHERE role = 'admin' AND disabled = 0 ORDER BY name, id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .map(OfficerId))
}

/// Every officer's name by id.
pub(crate) fn names(conn: &Connection) -> Result<HashMap<String, String>, VaultError> {
    let mut stmt = conn.prepare("SELECT id, name FROM officer")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The audited state of an officer: canonical JSON of the row (keys in a fixed order).
fn state_payload(id: &OfficerId, name: &str, role: Role, disabled: bool) -> Vec<u8> {
    serde_json::json!({ "id": id.0, "name": name, "role": role.as_str(), "disabled": disabled })
        .to_string()
        .into_bytes()
}

/// Audits officer `id`'s current row as `action` and points the row at that entry.
pub(crate) fn record_state(
    tx: &Transaction<'_>,
    actor: &OfficerId,
    id: &OfficerId,
    now: DateTime<Utc>,
    action: &str,
) -> Result<i64, VaultError> {
    record_state_with(tx, actor, id, now, action, audit::record)
}

/// [`record_state`] for a roster change from head office's feed, which applies on a revoked desk
/// too.
pub(crate) fn record_state_from_head_office(
    tx: &Transaction<'_>,
    actor: &OfficerId,
    id: &OfficerId,
    now: DateTime<Utc>,
    action: &str,
) -> Result<i64, VaultError> {
    record_state_with(tx, actor, id, now, action, audit::record_unguarded)
}

type RecordFn =
    fn(&Transaction<'_>, &OfficerId, DateTime<Utc>, &str, &str, &[u8]) -> Result<i64, VaultError>;

fn record_state_with(
    tx: &Transaction<'_>,
    actor: &OfficerId,
    id: &OfficerId,
    now: DateTime<Utc>,
    action: &str,
    record: RecordFn,
) -> Result<i64, VaultError> {
    let (name, role, disabled) = row(tx, id)?.ok_or(VaultError::UnknownOfficer)?;
    let seq = record(
        tx,
        actor,
        now,
        action,
        &id.0,
        &state_payload(id, &name, role, disabled),
    )?;
    if migrations::version(tx)? >= migrations::AUDIT_KEYED {
        tx.execute(
            "UPDATE officer SET audit_seq = ?1 WHERE id = ?2",
            params![seq, id.0],
        )?;
    }
    Ok(seq)
}

fn roster_audited(conn: &Connection) -> Result<bool, VaultError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM meta WHERE key = 'roster_audited'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// For a vault from before audited officer states: audits every officer as they are now
/// (`officer.roster`), once.
pub(crate) fn baseline_roster(
    tx: &Transaction<'_>,
    actor: &OfficerId,
    now: DateTime<Utc>,
) -> Result<(), VaultError> {
    if roster_audited(tx)? {
        return Ok(());
    }
    let ids: Vec<String> = {
        let mut stmt = tx.prepare("SELECT id FROM officer WHERE audit_seq IS NULL ORDER BY id")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    for id in ids {
        record_state(tx, actor, &OfficerId(id), now, "officer.roster")?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('roster_audited', '1')",
        [],
    )?;
    Ok(())
}

/// Refuses a vault whose officer table differs from what the audit chain says it is.
pub(crate) fn check_roster(conn: &Connection) -> Result<(), VaultError> {
    if migrations::version(conn)? < migrations::AUDIT_KEYED {
        return Ok(());
    }
    let audited = roster_audited(conn)?;
    let mut stmt = conn.prepare("SELECT id, name, role, disabled, audit_seq FROM officer")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, Option<i64>>(4)?,
        ))
    })?;
    for r in rows {
        let (id, name, role, disabled, seq) = r?;
        let id = OfficerId(id);
        let role = Role::parse(&role).ok_or(VaultError::Damaged)?;
        let Some(seq) = seq else {
            if audited {
                return Err(VaultError::Damaged);
            }
            continue;
        };
        let expected: [u8; 32] = Sha256::digest(state_payload(&id, &name, role, disabled)).into();
        if audit::officer_entry_payload(conn, seq, &id)? != Some(expected) {
            return Err(VaultError::Damaged);
        }
    }
    Ok(())
}

/// After a successful unlock with `key`: settles a rekey that was interrupted. If the database
/// took the new key, every entry moves to it (entries that could not receive it are removed);
/// otherwise the unfinished new key is dropped. Returns whether the file changed.
pub(crate) fn settle_rekey(
    file: &mut KeyFile,
    key: &DataKey,
    _device: &DeviceSecret,
) -> Result<bool, VaultError> {
    let Some(next_id) = file.next_key_id.take() else {
        return Ok(false);
    };
    if next_id == key.id() {
        finish_rekey(file);
    } else {
        for w in &mut file.officers {
            w.next_key = None;
        }
        file.next_recovery = None;
    }
    Ok(true)
}

/// Moves every entry to the new key; returns the officers whose entry could not take it.
fn finish_rekey(file: &mut KeyFile) -> Vec<OfficerId> {
    let mut dropped = Vec::new();
    for w in &mut file.officers {
        match w.next_key.take() {
            Some(next) => w.key = Some(next),
            None if !w.revoked => {
                w.revoke();
                dropped.push(w.id.clone());
            }
            None => {}
        }
    }
    file.recovery = file.next_recovery.take();
    file.next_key_id = None;
    dropped
}

impl Vault {
    /// Officers of this desk.
    pub fn officers(&self) -> Result<Vec<Officer>, VaultError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, role, disabled FROM officer ORDER BY created_at, name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, role, disabled) = row?;
            out.push(Officer {
                id: OfficerId(id),
                name,
                role: Role::parse(&role).ok_or(VaultError::Damaged)?,
                disabled,
            });
        }
        Ok(out)
    }

    /// Adds an officer with their first passphrase (administrators only).
    pub fn add_officer(
        &mut self,
        name: &str,
        role: Role,
        passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<Officer, VaultError> {
        self.require(Role::Admin)?;
        let name = officer::clean_name(name).ok_or(VaultError::BadOfficerName)?;
        check_passphrase(passphrase)?;
        let id = OfficerId(random_id());
        let wrap = Wrap::new(id.clone(), &name, &self.key, &self.device, passphrase)?;
        // The entry goes into the key file first: if the database then refuses, it is removed
        // again; an orphan entry could only ever say "unknown officer".
        KeyFile::update(&self.dir, |file| {
            file.officers.push(wrap);
            Ok(true)
        })?;
        let stored = (|| -> Result<(), VaultError> {
            let tx = self.conn.transaction()?;
            tx.execute(
                "INSERT INTO officer (id, name, role, disabled, created_at) VALUES (?1, ?2, ?3, 0, ?4)",
                params![id.0, name, role.as_str(), stamp(now)],
            )?;
            record_state(&tx, &self.officer.id, &id, now, "officer.add")?;
            audit::commit(tx, &self.dir)
        })();
        if let Err(e) = stored {
            let _ = KeyFile::update(&self.dir, |file| {
                file.officers.retain(|w| w.id != id);
                Ok(true)
            });
            return Err(e);
        }
        Ok(Officer {
            id,
            name,
            role,
            disabled: false,
        })
    }

    /// The checks every change to another officer's account shares: administrators only, never
    /// yourself, and never leaving the desk without an active administrator.
    fn target_of_change(
        &self,
        id: &OfficerId,
        loses_admin: impl Fn(&Officer) -> bool,
    ) -> Result<Officer, VaultError> {
        self.require(Role::Admin)?;
        if id == &self.officer.id {
            return Err(VaultError::Forbidden);
        }
        let officers = self.officers()?;
        let target = officers
            .iter()
            .find(|o| &o.id == id)
            .ok_or(VaultError::UnknownOfficer)?;
        if target.role == Role::Admin && !target.disabled && loses_admin(target) {
            let active_admins = officers
                .iter()
                .filter(|o| o.role == Role::Admin && !o.disabled)
                .count();
            if active_admins <= 1 {
                return Err(VaultError::LastAdmin);
            }
        }
        Ok(target.clone())
    }

    /// Disables or re-enables an officer (administrators only; never yourself or the last admin).
    /// Disabling removes the officer's key entry and rotates the data key; a re-enabled officer
    /// needs a new passphrase from an administrator.
    pub fn set_officer_disabled(
        &mut self,
        id: &OfficerId,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.target_of_change(id, |_| disabled)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE officer SET disabled = ?1 WHERE id = ?2",
            params![disabled, id.0],
        )?;
        let action = if disabled {
            "officer.disable"
        } else {
            "officer.enable"
        };
        record_state(&tx, &self.officer.id, id, now, action)?;
        audit::commit(tx, &self.dir)?;
        if disabled {
            KeyFile::update(&self.dir, |file| {
                if let Some(w) = file.wrap_of_mut(id) {
                    w.revoke();
                }
                Ok(true)
            })?;
            self.rotate_key(now)?;
        }
        Ok(())
    }

    /// Changes an officer's role (administrators only; never your own, never the last admin's).
    pub fn set_officer_role(
        &mut self,
        id: &OfficerId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        let target = self.target_of_change(id, |_| role != Role::Admin)?;
        if target.role == role {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE officer SET role = ?1 WHERE id = ?2",
            params![role.as_str(), id.0],
        )?;
        record_state(&tx, &self.officer.id, id, now, "officer.role")?;
        audit::commit(tx, &self.dir)
    }

    /// Gives an officer a new passphrase with a new key entry (administrators for anyone; every
    /// officer for themself). This is also how a re-enabled or recovered officer gets access back.
    pub fn reset_passphrase(
        &mut self,
        id: &OfficerId,
        passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        if id != &self.officer.id {
            self.require(Role::Admin)?;
        }
        check_passphrase(passphrase)?;
        let (name, _, _) = row(&self.conn, id)?.ok_or(VaultError::UnknownOfficer)?;
        let wrap = Wrap::new(id.clone(), &name, &self.key, &self.device, passphrase)?;
        let tx = self.conn.transaction()?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "officer.reset_passphrase",
            &id.0,
            b"{}",
        )?;
        // The audit entry commits only once the new entry is durably on disk.
        KeyFile::update(&self.dir, |file| {
            match file.wrap_of_mut(id) {
                Some(w) => *w = wrap,
                None => file.officers.push(wrap),
            }
            Ok(true)
        })?;
        audit::commit(tx, &self.dir)
    }

    /// Rotates the data key on demand (administrators only): the database is re-encrypted under
    /// a new random key, given to every active officer and to head office.
    pub fn rekey(&mut self, now: DateTime<Utc>) -> Result<RekeyReport, VaultError> {
        self.require(Role::Admin)?;
        self.rotate_key(now)
    }

    /// The rotation. Crash-safe: the key file holds both keys until the database has the new
    /// one, and unlock opens with whichever the database takes, then settles the file.
    pub(crate) fn rotate_key(&mut self, now: DateTime<Utc>) -> Result<RekeyReport, VaultError> {
        let next = DataKey::generate();
        let mut recovery_renewed = false;
        KeyFile::update(&self.dir, |file| {
            for w in &mut file.officers {
                w.next_key = w
                    .recipient()
                    .map(|r| keyfile::encrypt_to(&next, &r))
                    .transpose()?;
            }
            file.next_recovery = file
                .recovery_recipient
                .as_deref()
                .and_then(|r| r.parse::<age::x25519::Recipient>().ok())
                .map(|r| keyfile::encrypt_to(&next, &r))
                .transpose()?;
            recovery_renewed = file.next_recovery.is_some();
            file.next_key_id = Some(next.id());
            Ok(true)
        })?;
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")?;
        let rekeyed = self.conn.execute_batch(&next.rekey_pragma());
        self.conn.execute_batch("PRAGMA journal_mode = WAL;")?;
        if let Err(e) = rekeyed {
            let key = &self.key;
            let device = &self.device;
            let _ = KeyFile::update(&self.dir, |file| settle_rekey(file, key, device));
            return Err(e.into());
        }
        self.key = next;
        let mut dropped = Vec::new();
        KeyFile::update(&self.dir, |file| {
            dropped = finish_rekey(file);
            Ok(true)
        })?;
        let tx = self.conn.transaction()?;
        let payload = serde_json::json!({
            "need_new_passphrase": dropped.iter().map(|o| o.0.clone()).collect::<Vec<_>>(),
            "recovery_renewed": recovery_renewed,
        })
        .to_string();
        // Maintenance, not a change to records: audited on a revoked desk too (the rekey is done).
        audit::record_unguarded(
            &tx,
            &self.officer.id,
            now,
            "vault.rekey",
            "desk",
            payload.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(RekeyReport {
            need_new_passphrase: dropped,
            recovery_renewed,
        })
    }
}

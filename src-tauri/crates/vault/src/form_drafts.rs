//! An officer's open form, saved inside the vault when the desk locks itself for idleness, and
//! handed back (once) when the same officer unlocks: nothing typed is lost, nothing is left in the
//! clear. One draft per officer; it is desk-local scratch, so it is audited but never queued for
//! head office.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::audit;
use crate::error::VaultError;
use crate::stamp::stamp;
use crate::vault::Vault;

/// Largest draft kept, in bytes of its text (a form is a few hundred).
pub const MAX_FORM_DRAFT: usize = 64 * 1024;
const MAX_KIND: usize = 40;

/// A saved form: what kind of form, and its content as the UI serialised it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormDraft {
    /// Which form it is, as the UI names it.
    pub kind: String,
    /// The form's content as the UI serialised it.
    pub data: String,
    /// When it was saved (RFC 3339, UTC).
    pub saved_at: String,
}

impl Vault {
    /// Keeps the signed-in officer's open form, replacing any earlier one.
    pub fn save_form_draft(
        &mut self,
        kind: &str,
        data: &str,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        if kind.is_empty() || kind.len() > MAX_KIND || data.len() > MAX_FORM_DRAFT {
            return Err(VaultError::BadSetting);
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO form_draft (officer_id, kind, data, saved_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (officer_id) DO UPDATE SET kind = ?2, data = ?3, saved_at = ?4",
            params![self.officer.id.0, kind, data, stamp(now)],
        )?;
        audit::append(
            &tx,
            &self.officer.id,
            now,
            "form_draft.save",
            kind,
            data.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(())
    }

    /// Hands back the signed-in officer's saved form, if any, and forgets it.
    pub fn take_form_draft(&mut self, now: DateTime<Utc>) -> Result<Option<FormDraft>, VaultError> {
        let tx = self.conn.transaction()?;
        let draft = tx
            .query_row(
                "SELECT kind, data, saved_at FROM form_draft WHERE officer_id = ?1",
                [&self.officer.id.0],
                |r| {
                    Ok(FormDraft {
                        kind: r.get(0)?,
                        data: r.get(1)?,
                        saved_at: r.get(2)?,
                    })
                },
            )
            .optional()?;
        if let Some(d) = &draft {
            tx.execute(
                "DELETE FROM form_draft WHERE officer_id = ?1",
                [&self.officer.id.0],
            )?;
            audit::append(
                &tx,
                &self.officer.id,
                now,
                "form_draft.take",
                &d.kind,
                d.data.as_bytes(),
            )?;
        }
        audit::commit(tx, &self.dir)?;
        Ok(draft)
    }
}

//! How the vault writes a moment: one format for audit entries, outbox records, key files and rows,
//! so stored times sort as text and compare across tables.

use chrono::{DateTime, SecondsFormat, Utc};

/// How the vault stores a moment: RFC 3339 UTC with microseconds (audit, outbox, keys, rows).
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

//! Append-only schema migrations. Never edit a released step: add a new one at the end.
//! The schema version is SQLite's `user_version`: the number of steps applied.
//!
//! The schema stays readable by SQLite 3.15 (Debian 12's `sqlcipher` shell): no STRICT tables,
//! types enforced with CHECK constraints instead.

use rusqlite::Connection;

use crate::error::VaultError;

const STEPS: &[&str] = &[
    // 1: officers and the audit chain.
    "CREATE TABLE officer (
         id          TEXT PRIMARY KEY,
         name        TEXT NOT NULL,
         role        TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
         disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
         created_at  TEXT NOT NULL
     );
     CREATE TABLE audit (
         seq           INTEGER PRIMARY KEY,
         at            TEXT NOT NULL,
         officer_id    TEXT NOT NULL REFERENCES officer(id),
         action        TEXT NOT NULL,
         entity_id     TEXT NOT NULL,
         payload_hash  BLOB NOT NULL,
         prev_hash     BLOB NOT NULL,
         hash          BLOB NOT NULL
     );
     CREATE TABLE meta (
         key    TEXT PRIMARY KEY,
         value  TEXT NOT NULL
     );",
    // 2: the outbox for head-office sync, and the desk's own keys.
    "CREATE TABLE outbox (
         seq         INTEGER PRIMARY KEY,
         created_at  TEXT NOT NULL,
         officer_id  TEXT NOT NULL REFERENCES officer(id),
         action      TEXT NOT NULL,
         entity_id   TEXT NOT NULL,
         payload     BLOB NOT NULL,
         state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'acked')),
         attempts    INTEGER NOT NULL DEFAULT 0,
         last_error  TEXT
     );
     CREATE INDEX outbox_queued ON outbox(state, seq);
     CREATE TABLE desk_key (
         kind        TEXT PRIMARY KEY CHECK (kind IN ('ed25519-signing', 'age-x25519')),
         secret      BLOB NOT NULL,
         public      TEXT NOT NULL,
         created_at  TEXT NOT NULL
     );",
    // 3: clients (with a name index for search) and loan applications, one row per version.
    "CREATE TABLE client (
         id            TEXT PRIMARY KEY,
         iin           TEXT NOT NULL UNIQUE CHECK (length(iin) = 12),
         name_key      TEXT NOT NULL,
         phone_digits  TEXT NOT NULL,
         data          TEXT NOT NULL,
         version       INTEGER NOT NULL CHECK (version >= 1),
         created_at    TEXT NOT NULL,
         created_by    TEXT NOT NULL REFERENCES officer(id),
         updated_at    TEXT NOT NULL
     );
     CREATE INDEX client_by_name ON client(name_key, id);
     CREATE INDEX client_by_phone ON client(phone_digits);
     CREATE VIRTUAL TABLE client_name USING fts5(
         name, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
     );
     CREATE TABLE application (
         id           TEXT PRIMARY KEY,
         lineage      TEXT NOT NULL,
         version      INTEGER NOT NULL CHECK (version >= 1),
         replaces     TEXT REFERENCES application(id),
         client_id    TEXT NOT NULL REFERENCES client(id),
         product_id   TEXT NOT NULL,
         amount_tiyn  INTEGER NOT NULL CHECK (amount_tiyn > 0),
         months       INTEGER NOT NULL CHECK (months >= 1),
         method       TEXT NOT NULL CHECK (method IN ('annuity', 'equal-principal')),
         purpose      TEXT NOT NULL,
         stage        TEXT NOT NULL CHECK (stage IN ('draft', 'submitted', 'referred', 'approved',
                          'declined', 'returned', 'offer_issued', 'signed', 'superseded')),
         maker_id     TEXT NOT NULL REFERENCES officer(id),
         quote        TEXT NOT NULL,
         created_at   TEXT NOT NULL,
         updated_at   TEXT NOT NULL,
         UNIQUE (lineage, version)
     );
     CREATE INDEX application_by_client ON application(client_id, updated_at);
     CREATE INDEX application_by_stage ON application(stage, updated_at);
     CREATE INDEX application_by_time ON application(updated_at, id);
     CREATE TABLE application_event (
         seq             INTEGER PRIMARY KEY,
         application_id  TEXT NOT NULL REFERENCES application(id),
         at              TEXT NOT NULL,
         officer_id      TEXT NOT NULL REFERENCES officer(id),
         step            TEXT NOT NULL,
         stage           TEXT NOT NULL,
         reason          TEXT
     );
     CREATE INDEX application_event_by_application ON application_event(application_id, seq);
     ALTER TABLE officer ADD COLUMN approval_limit_tiyn INTEGER
         CHECK (approval_limit_tiyn IS NULL OR approval_limit_tiyn >= 0);",
    // 4: an officer's open form, kept when the desk locks itself so unlocking returns to it.
    "CREATE TABLE form_draft (
         officer_id  TEXT PRIMARY KEY REFERENCES officer(id),
         kind        TEXT NOT NULL,
         data        TEXT NOT NULL,
         saved_at    TEXT NOT NULL
     );",
    // 5: issued documents (policy printouts, consent forms, offers) with their PDF and hashes.
    "CREATE TABLE document (
         id              TEXT PRIMARY KEY,
         kind            TEXT NOT NULL CHECK (kind IN ('policy', 'consent', 'offer')),
         client_id       TEXT REFERENCES client(id),
         application_id  TEXT REFERENCES application(id),
         policy_version  INTEGER,
         issued_at       TEXT NOT NULL,
         officer_id      TEXT NOT NULL REFERENCES officer(id),
         content         TEXT NOT NULL,
         content_sha256  TEXT NOT NULL CHECK (length(content_sha256) = 64),
         signature       TEXT NOT NULL CHECK (length(signature) = 128),
         pdf             BLOB NOT NULL,
         pdf_sha256      TEXT NOT NULL CHECK (length(pdf_sha256) = 64)
     );
     CREATE INDEX document_by_client ON document(client_id, issued_at);
     CREATE INDEX document_by_application ON document(application_id, issued_at);",
    // 6: keyed audit entries (HMAC under the desk's chain key), and each officer's last audited
    // state (the audit entry whose payload is the officer row as it must be).
    "ALTER TABLE audit ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1));
     ALTER TABLE officer ADD COLUMN audit_seq INTEGER;",
    // 7: consent events (grants and withdrawals, signed by the desk) with their evidence kept as
    // attachments; the receipt and the credit-bureau form become document kinds (SQLite cannot
    // change a CHECK, so `document` is rebuilt with its rows).
    "CREATE TABLE document_7 (
         id              TEXT PRIMARY KEY,
         kind            TEXT NOT NULL CHECK (kind IN ('policy', 'consent', 'offer', 'receipt',
                             'bureau-consent')),
         client_id       TEXT REFERENCES client(id),
         application_id  TEXT REFERENCES application(id),
         policy_version  INTEGER,
         issued_at       TEXT NOT NULL,
         officer_id      TEXT NOT NULL REFERENCES officer(id),
         content         TEXT NOT NULL,
         content_sha256  TEXT NOT NULL CHECK (length(content_sha256) = 64),
         signature       TEXT NOT NULL CHECK (length(signature) = 128),
         pdf             BLOB NOT NULL,
         pdf_sha256      TEXT NOT NULL CHECK (length(pdf_sha256) = 64)
     );
     INSERT INTO document_7 SELECT id, kind, client_id, application_id, policy_version, issued_at,
         officer_id, content, content_sha256, signature, pdf, pdf_sha256 FROM document;
     DROP TABLE document;
     ALTER TABLE document_7 RENAME TO document;
     CREATE INDEX document_by_client ON document(client_id, issued_at);
     CREATE INDEX document_by_application ON document(application_id, issued_at);
     CREATE TABLE attachment (
         id          TEXT PRIMARY KEY,
         client_id   TEXT NOT NULL REFERENCES client(id),
         kind        TEXT NOT NULL CHECK (kind IN ('signature-strokes', 'signature-image', 'scan')),
         media_type  TEXT NOT NULL CHECK (media_type IN ('application/json', 'image/png',
                         'image/jpeg', 'application/pdf')),
         sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
         size        INTEGER NOT NULL CHECK (size > 0),
         bytes       BLOB NOT NULL,
         created_at  TEXT NOT NULL,
         officer_id  TEXT NOT NULL REFERENCES officer(id)
     );
     CREATE INDEX attachment_by_client ON attachment(client_id);
     CREATE TABLE consent_event (
         id                TEXT PRIMARY KEY,
         client_id         TEXT NOT NULL REFERENCES client(id),
         scope             TEXT NOT NULL CHECK (scope IN ('privacy', 'credit-bureau')),
         action            TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
         policy_version    INTEGER NOT NULL CHECK (policy_version >= 1),
         policy_sha256     TEXT NOT NULL CHECK (length(policy_sha256) = 64),
         decisions         TEXT NOT NULL,
         method            TEXT NOT NULL CHECK (method IN ('paper', 'screen', 'paper-and-screen',
                               'phone')),
         form_document_id  TEXT REFERENCES document(id),
         request_key       TEXT NOT NULL UNIQUE,
         at                TEXT NOT NULL,
         officer_id        TEXT NOT NULL REFERENCES officer(id),
         content           TEXT NOT NULL,
         signature         TEXT NOT NULL CHECK (length(signature) = 128)
     );
     CREATE INDEX consent_event_by_client ON consent_event(client_id, at, id);",
    // 8: sync with head office. The enrolment (one row: head office's pinned certificate and
    // keys, this desk's device id, where push and feed stand, the audit head head office
    // acknowledged); the outbox gains a `refused` state and can drop an acknowledged payload
    // (keeping its hash); decisions and publications received from head office's feed.
    "CREATE TABLE head_office (
         id               INTEGER PRIMARY KEY CHECK (id = 1),
         url              TEXT NOT NULL,
         cert_sha256      TEXT NOT NULL CHECK (length(cert_sha256) = 64),
         signing          TEXT NOT NULL CHECK (length(signing) = 64),
         recipient        TEXT NOT NULL,
         branch           TEXT NOT NULL,
         device_id        TEXT NOT NULL,
         seq_base         INTEGER NOT NULL DEFAULT 0 CHECK (seq_base >= 0),
         enrolled_at      TEXT NOT NULL,
         enrolled_by      TEXT NOT NULL REFERENCES officer(id),
         revoked_at       TEXT,
         feed_through     INTEGER NOT NULL DEFAULT 0 CHECK (feed_through >= 0),
         acked_seq        INTEGER NOT NULL DEFAULT 0 CHECK (acked_seq >= 0),
         acked_batch      TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
         anchor_seq       INTEGER,
         anchor_hash      TEXT,
         last_attempt_at  TEXT,
         last_success_at  TEXT,
         last_code        TEXT,
         last_message     TEXT
     );
     CREATE TABLE sync_setting (
         key    TEXT PRIMARY KEY,
         value  TEXT NOT NULL
     );
     CREATE TABLE outbox_8 (
         seq             INTEGER PRIMARY KEY,
         created_at      TEXT NOT NULL,
         officer_id      TEXT NOT NULL REFERENCES officer(id),
         action          TEXT NOT NULL,
         entity_id       TEXT NOT NULL,
         payload         BLOB,
         payload_sha256  BLOB,
         state           TEXT NOT NULL DEFAULT 'queued'
                             CHECK (state IN ('queued', 'sent', 'acked', 'refused')),
         attempts        INTEGER NOT NULL DEFAULT 0,
         last_error      TEXT,
         acked_at        TEXT,
         CHECK (payload IS NOT NULL OR (state = 'acked' AND length(payload_sha256) = 32))
     );
     INSERT INTO outbox_8 (seq, created_at, officer_id, action, entity_id, payload, state,
                           attempts, last_error)
         SELECT seq, created_at, officer_id, action, entity_id, payload, state, attempts,
                last_error FROM outbox;
     DROP TABLE outbox;
     ALTER TABLE outbox_8 RENAME TO outbox;
     CREATE INDEX outbox_by_state ON outbox(state, seq);
     CREATE INDEX outbox_compactable ON outbox(seq) WHERE state = 'acked' AND payload IS NOT NULL;
     CREATE TABLE head_office_decision (
         application_id  TEXT PRIMARY KEY REFERENCES application(id),
         outcome         TEXT NOT NULL CHECK (outcome IN ('approved', 'declined')),
         reason          TEXT,
         decided_by      TEXT NOT NULL,
         decided_at      TEXT NOT NULL,
         epoch           INTEGER NOT NULL,
         applied_at      TEXT NOT NULL
     );
     CREATE TABLE publication (
         epoch           INTEGER PRIMARY KEY,
         kind            TEXT NOT NULL CHECK (kind IN ('products', 'caps', 'policy')),
         published_at    TEXT NOT NULL,
         effective_from  TEXT,
         body            TEXT NOT NULL,
         received_at     TEXT NOT NULL
     );
     CREATE INDEX publication_by_kind ON publication(kind, epoch);",
    // 9: verification reports (identity documents against the client's record, our own
    // printouts, signed files from outside), and publications of the desks head office knows
    // and of the trust anchors it configures (`publication` is rebuilt for its kinds).
    "CREATE TABLE verification (
         id           TEXT PRIMARY KEY,
         kind         TEXT NOT NULL CHECK (kind IN ('identity', 'printout', 'signed')),
         client_id    TEXT REFERENCES client(id),
         subject      TEXT NOT NULL,
         file_sha256  TEXT CHECK (file_sha256 IS NULL OR length(file_sha256) = 64),
         verdict      TEXT NOT NULL,
         report       TEXT NOT NULL,
         at           TEXT NOT NULL,
         officer_id   TEXT NOT NULL REFERENCES officer(id)
     );
     CREATE INDEX verification_by_client ON verification(client_id, at);
     CREATE TABLE publication_9 (
         epoch           INTEGER PRIMARY KEY,
         kind            TEXT NOT NULL CHECK (kind IN ('products', 'caps', 'policy', 'desks',
                             'anchors')),
         published_at    TEXT NOT NULL,
         effective_from  TEXT,
         body            TEXT NOT NULL,
         received_at     TEXT NOT NULL
     );
     INSERT INTO publication_9 SELECT epoch, kind, published_at, effective_from, body,
         received_at FROM publication;
     DROP TABLE publication;
     ALTER TABLE publication_9 RENAME TO publication;
     CREATE INDEX publication_by_kind ON publication(kind, epoch);",
];

/// The first schema whose audit entries are keyed and whose officers name their audit entry.
pub(crate) const AUDIT_KEYED: u32 = 6;

/// The first schema that knows head office (enrolment, outbox states, feed).
pub(crate) const HEAD_OFFICE: u32 = 8;

/// The first schema that keeps verification reports.
pub(crate) const VERIFICATION: u32 = 9;

/// The schema version this build writes.
pub(crate) const LATEST: u32 = STEPS.len() as u32;

/// Brings the schema up to [`LATEST`] in one transaction; refuses a vault from a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), VaultError> {
    migrate_to(conn, LATEST)
}

/// The schema version the database says it has.
pub(crate) fn version(conn: &Connection) -> Result<u32, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies the steps up to `target` (tests build older vaults with a lower target).
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), VaultError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(VaultError::TooNew {
            found,
            known: LATEST,
        });
    }
    if found >= target {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for step in &STEPS[found as usize..target as usize] {
        tx.execute_batch(step)?;
    }
    tx.execute_batch(&format!("PRAGMA user_version = {target};"))?;
    tx.commit()?;
    Ok(())
}

-- Head office's store, version 1 (SQLite). Mirrors migrations/postgres/0001_init.sql.
CREATE TABLE enrolment (
    token_sha256  BLOB PRIMARY KEY,
    branch        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    device        TEXT
);
CREATE TABLE device (
    id            TEXT PRIMARY KEY,
    branch        TEXT NOT NULL,
    name          TEXT NOT NULL,
    signing       TEXT NOT NULL UNIQUE,
    recipient     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    enrolled_at   TEXT NOT NULL,
    revoked_at    TEXT,
    last_seen     TEXT,
    acked_seq     BIGINT NOT NULL DEFAULT 0,
    head_hash     BLOB NOT NULL,
    audit_seq     BIGINT,
    audit_hash    BLOB
);
CREATE TABLE batch (
    device        TEXT NOT NULL REFERENCES device(id),
    hash          BLOB NOT NULL,
    first_seq     BIGINT NOT NULL,
    last_seq      BIGINT NOT NULL,
    prev_hash     BLOB NOT NULL,
    envelope      BLOB NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (device, hash)
);
CREATE INDEX batch_end ON batch(device, last_seq);
CREATE TABLE record (
    device        TEXT NOT NULL REFERENCES device(id),
    seq           BIGINT NOT NULL,
    created_at    TEXT NOT NULL,
    officer_id    TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    payload       BLOB NOT NULL,
    payload_sha256 BLOB NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (device, seq)
);
CREATE TABLE client (
    id            TEXT PRIMARY KEY,
    device        TEXT NOT NULL,
    data          TEXT NOT NULL,
    seq           BIGINT NOT NULL
);
CREATE TABLE application (
    id            TEXT PRIMARY KEY,
    device        TEXT NOT NULL,
    lineage       TEXT NOT NULL,
    version       BIGINT NOT NULL,
    client_id     TEXT NOT NULL,
    product_id    TEXT NOT NULL,
    amount_tiyn   BIGINT NOT NULL,
    months        BIGINT NOT NULL,
    stage         TEXT NOT NULL,
    maker_id      TEXT NOT NULL,
    payload       TEXT NOT NULL,
    seq           BIGINT NOT NULL
);
CREATE INDEX application_stage ON application(stage);
CREATE TABLE application_step (
    device        TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    application_id TEXT NOT NULL,
    step          TEXT NOT NULL,
    stage         TEXT NOT NULL,
    reason        TEXT,
    at            TEXT NOT NULL,
    officer_id    TEXT NOT NULL,
    PRIMARY KEY (device, seq)
);
CREATE INDEX application_step_app ON application_step(application_id);
CREATE TABLE decision (
    application_id TEXT PRIMARY KEY REFERENCES application(id),
    outcome       TEXT NOT NULL CHECK (outcome IN ('approve', 'decline')),
    reason        TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    epoch         BIGINT NOT NULL
);
CREATE TABLE document (
    id            TEXT PRIMARY KEY,
    device        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    client_id     TEXT,
    application_id TEXT,
    payload       TEXT NOT NULL,
    seq           BIGINT NOT NULL
);
CREATE TABLE consent_event (
    id            TEXT PRIMARY KEY,
    device        TEXT NOT NULL,
    client_id     TEXT,
    action        TEXT NOT NULL,
    payload       TEXT NOT NULL,
    seq           BIGINT NOT NULL
);
CREATE TABLE attachment (
    id            TEXT PRIMARY KEY,
    device        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL,
    received      BIGINT NOT NULL DEFAULT 0,
    complete      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE attachment_chunk (
    attachment_id TEXT NOT NULL REFERENCES attachment(id),
    "offset"      BIGINT NOT NULL,
    bytes         BLOB NOT NULL,
    PRIMARY KEY (attachment_id, "offset")
);
CREATE TABLE feed_entry (
    epoch         INTEGER PRIMARY KEY AUTOINCREMENT,
    target        TEXT,
    kind          TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    effective_from TEXT,
    body          BLOB NOT NULL
);
CREATE INDEX feed_target ON feed_entry(target, epoch);

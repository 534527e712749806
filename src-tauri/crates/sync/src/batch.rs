//! A push batch: a run of outbox records in sequence order, sealed to head office and signed by
//! the desk over the header, which names the ciphertext's hash and the previous batch's hash.
//!
//! ```text
//! envelope  = "BDSB" version:u16 header_len:u32 header signature:[64] ciphertext
//! header    = device:str first_seq:u64 last_seq:u64 count:u32 prev_hash:[32]
//!             ciphertext_sha256:[32] ciphertext_len:u64 created_at:str audit_head:opt(u64 [32])
//! signed    = "branchdesk/sync/batch/v1" 0x00 "BDSB" version header
//! hash      = SHA-256("BDSB" version header signature)     -- the next batch's prev_hash
//! plaintext = count:u32 record*          (zstd, then age X25519 to head office)
//! record    = seq:u64 created_at:str officer_id:str action:str entity_id:str payload:bytes
//! ```

use crate::envelope::{Envelope, Kind};
use crate::wire::{Reader, Writer};
use crate::{PeerKeys, SecretKeys, SyncError, sha256};

const KIND: Kind = Kind {
    magic: b"BDSB",
    domain: b"branchdesk/sync/batch/v1",
    what: "batch",
};

/// Most records one batch may carry: a batch is one transaction at head office, kept short.
pub const MAX_RECORDS: usize = 10_000;

/// Largest sequence number (head office stores them as signed 64-bit integers).
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// One outbox record as the desk wrote it, in the same transaction as the change it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The desk's outbox sequence number: 1, 2, 3… per device, no gaps.
    pub seq: u64,
    /// When the change was made (RFC 3339, UTC).
    pub created_at: String,
    /// The officer who made it.
    pub officer_id: String,
    /// What was done: `client.add`, `application.submit`, `consent.grant`, …
    pub action: String,
    /// The id of what it was done to.
    pub entity_id: String,
    /// The change itself (JSON written by the vault).
    pub payload: Vec<u8>,
}

/// The chain position a desk reports with a batch: its audit chain's last entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditHead {
    /// The audit entry's sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: [u8; 32],
}

/// The signed header of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    /// The device id head office gave the desk at enrolment.
    pub device: String,
    /// Sequence number of the first record.
    pub first_seq: u64,
    /// Sequence number of the last record.
    pub last_seq: u64,
    /// How many records (always `last_seq - first_seq + 1`).
    pub count: u32,
    /// Hash of the batch that ended at `first_seq - 1`, or 32 zero bytes before the first batch.
    pub prev_hash: [u8; 32],
    /// SHA-256 of the ciphertext.
    pub ciphertext_sha256: [u8; 32],
    /// Length of the ciphertext in bytes.
    pub ciphertext_len: u64,
    /// When the desk sealed the batch (RFC 3339, UTC).
    pub created_at: String,
    /// The desk's audit chain head when it sealed the batch.
    pub audit_head: Option<AuditHead>,
}

impl BatchHeader {
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.str(&self.device)
            .u64(self.first_seq)
            .u64(self.last_seq)
            .u32(self.count)
            .raw(&self.prev_hash)
            .raw(&self.ciphertext_sha256)
            .u64(self.ciphertext_len)
            .str(&self.created_at);
        match &self.audit_head {
            None => w.u8(0),
            Some(h) => w.u8(1).u64(h.seq).raw(&h.hash),
        };
        w.finish()
    }

    fn decode(bytes: &[u8]) -> Result<Self, SyncError> {
        let mut r = Reader::new(bytes, "batch header");
        let h = BatchHeader {
            device: r.str()?,
            first_seq: r.u64()?,
            last_seq: r.u64()?,
            count: r.u32()?,
            prev_hash: r.array()?,
            ciphertext_sha256: r.array()?,
            ciphertext_len: r.u64()?,
            created_at: r.str()?,
            audit_head: match r.u8()? {
                0 => None,
                1 => Some(AuditHead {
                    seq: r.u64()?,
                    hash: r.array()?,
                }),
                _ => return Err(SyncError::malformed("batch header")),
            },
        };
        r.end()?;
        let span_ok = h.first_seq >= 1
            && h.last_seq >= h.first_seq
            && h.last_seq <= MAX_SEQ
            && h.count as usize <= MAX_RECORDS
            && h.last_seq - h.first_seq + 1 == u64::from(h.count);
        if !span_ok {
            return Err(SyncError::malformed("batch header"));
        }
        Ok(h)
    }
}

/// What the desk seals: where the batch sits in its chain, and the records.
#[derive(Debug)]
pub struct BatchInput<'a> {
    /// The desk's device id.
    pub device: &'a str,
    /// The previous batch's hash (zeros before the first).
    pub prev_hash: [u8; 32],
    /// Seal time, RFC 3339 UTC (from the caller's clock).
    pub created_at: &'a str,
    /// The audit chain head to report.
    pub audit_head: Option<AuditHead>,
    /// Records in sequence order without gaps; at least one.
    pub records: &'a [Record],
}

/// A batch as it travels: parsed header, signature and ciphertext, plus the exact bytes.
#[derive(Clone, Debug)]
pub struct SealedBatch {
    /// The header, signature not yet checked unless it came from [`SealedBatch::verify`].
    pub header: BatchHeader,
    envelope: Envelope,
}

impl SealedBatch {
    /// Encodes, compresses, encrypts to head office and signs.
    pub fn seal(
        input: &BatchInput<'_>,
        desk: &SecretKeys,
        head_office: &PeerKeys,
    ) -> Result<Self, SyncError> {
        let (first, last) = match (input.records.first(), input.records.last()) {
            (Some(f), Some(l)) => (f.seq, l.seq),
            _ => return Err(SyncError::malformed("empty batch")),
        };
        let in_order = input.records.windows(2).all(|w| w[1].seq == w[0].seq + 1);
        if first == 0 || last > MAX_SEQ || !in_order {
            return Err(SyncError::malformed("record sequence"));
        }
        let nul = |t: &str| t.contains('\0');
        if input.records.iter().any(|r| {
            nul(&r.created_at) || nul(&r.officer_id) || nul(&r.action) || nul(&r.entity_id)
        }) || nul(input.device)
            || nul(input.created_at)
        {
            // The other side refuses such strings: say so here, where the record can be fixed.
            return Err(SyncError::malformed("NUL character in a record's text"));
        }
        if input.records.len() > MAX_RECORDS {
            return Err(SyncError::TooLarge);
        }
        let count = u32::try_from(input.records.len()).map_err(|_| SyncError::TooLarge)?;
        let plain = encode_records(input.records);
        if plain.len() > crate::MAX_PLAINTEXT {
            return Err(SyncError::TooLarge);
        }
        let ciphertext = crate::seal::seal(&plain, &head_office.recipient)?;
        if ciphertext.len() + 1024 > crate::MAX_ENVELOPE {
            // Head office would refuse it: the caller sends fewer records per batch.
            return Err(SyncError::TooLarge);
        }
        let header = BatchHeader {
            device: input.device.to_owned(),
            first_seq: first,
            last_seq: last,
            count,
            prev_hash: input.prev_hash,
            ciphertext_sha256: sha256(&ciphertext),
            ciphertext_len: ciphertext.len() as u64,
            created_at: input.created_at.to_owned(),
            audit_head: input.audit_head,
        };
        let envelope = Envelope::sign(&KIND, header.encode(), ciphertext, desk);
        Ok(Self { header, envelope })
    }

    /// The envelope's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.envelope.to_bytes(&KIND)
    }

    /// Parses an envelope from untrusted bytes. Checks its shape and version only: call
    /// [`SealedBatch::verify`] with the sender's key before trusting any of it.
    pub fn parse(bytes: &[u8]) -> Result<Self, SyncError> {
        let envelope = Envelope::parse(&KIND, bytes)?;
        let header = BatchHeader::decode(&envelope.header_bytes)?;
        Ok(Self { header, envelope })
    }

    /// Checks the desk's signature over the header and that the ciphertext is the one it names.
    pub fn verify(&self, desk: &PeerKeys) -> Result<(), SyncError> {
        let h = &self.header;
        self.envelope
            .verify(&KIND, desk, h.ciphertext_len, &h.ciphertext_sha256)
    }

    /// The batch's hash: what the next batch names as `prev_hash` and head office acknowledges.
    pub fn hash(&self) -> [u8; 32] {
        self.envelope.hash(&KIND)
    }

    /// Decrypts and decodes the records, checking they are exactly the ones the header names.
    /// Call only after [`SealedBatch::verify`].
    pub fn open(&self, head_office: &SecretKeys) -> Result<Vec<Record>, SyncError> {
        let plain = crate::seal::open(&self.envelope.ciphertext, head_office.identity())?;
        let records = decode_records(&plain)?;
        let matches = records.len() == self.header.count as usize
            && records
                .iter()
                .zip(self.header.first_seq..)
                .all(|(rec, seq)| rec.seq == seq);
        if !matches {
            return Err(SyncError::malformed("records"));
        }
        Ok(records)
    }
}

/// The plaintext of a batch.
pub fn encode_records(records: &[Record]) -> Vec<u8> {
    let mut w = Writer::new();
    w.u32(u32::try_from(records.len()).unwrap_or(u32::MAX));
    for r in records {
        w.u64(r.seq)
            .str(&r.created_at)
            .str(&r.officer_id)
            .str(&r.action)
            .str(&r.entity_id)
            .bytes(&r.payload);
    }
    w.finish()
}

/// Decodes a batch's plaintext.
pub fn decode_records(bytes: &[u8]) -> Result<Vec<Record>, SyncError> {
    let mut r = Reader::new(bytes, "records");
    let n = r.u32()? as usize;
    // Each record takes at least 28 bytes: never reserve more than the input can hold.
    let mut out = Vec::with_capacity(n.min(bytes.len() / 28));
    for _ in 0..n {
        out.push(Record {
            seq: r.u64()?,
            created_at: r.str()?,
            officer_id: r.str()?,
            action: r.str()?,
            entity_id: r.str()?,
            payload: r.bytes()?.to_vec(),
        });
    }
    r.end()?;
    Ok(out)
}

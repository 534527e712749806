//! Head office's feed to one desk: entries numbered by a monotonic epoch, signed by head office
//! and encrypted to the desk. A desk asks for everything after the last epoch it applied; an
//! answer for another desk, another starting point, or going backwards is refused.
//!
//! ```text
//! envelope  = "BDSF" version:u16 header_len:u32 header signature:[64] ciphertext
//! header    = device:str since:u64 through:u64 count:u32 ciphertext_sha256:[32]
//!             ciphertext_len:u64 created_at:str
//! signed    = "branchdesk/sync/feed/v1" 0x00 "BDSF" version header
//! plaintext = count:u32 entry*           (zstd, then age X25519 to the desk)
//! entry     = epoch:u64 kind:str published_at:str effective_from:opt(str) body:bytes
//! ```

use crate::envelope::{Envelope, Kind};
use crate::wire::{Reader, Writer};
use crate::{PeerKeys, SecretKeys, SyncError, sha256};

const KIND: Kind = Kind {
    magic: b"BDSF",
    domain: b"branchdesk/sync/feed/v1",
    what: "feed",
};

/// What a feed entry carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// Head office approved or declined a referred application.
    Decision,
    /// A new product catalogue.
    Products,
    /// New regulatory caps.
    Caps,
    /// A new policy version (privacy or credit bureau).
    Policy,
    /// An officer disabled or enabled at head office.
    Roster,
    /// This desk's enrolment was revoked.
    Revocation,
    /// The desks head office knows, with their signing keys: whose sealed printouts are genuine.
    Desks,
    /// The certificates head office trusts as anchors for signed files from outside.
    Anchors,
}

impl FeedKind {
    /// Every kind.
    pub const ALL: [FeedKind; 8] = [
        FeedKind::Decision,
        FeedKind::Products,
        FeedKind::Caps,
        FeedKind::Policy,
        FeedKind::Roster,
        FeedKind::Revocation,
        FeedKind::Desks,
        FeedKind::Anchors,
    ];

    /// Its name on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Decision => "decision",
            FeedKind::Products => "products",
            FeedKind::Caps => "caps",
            FeedKind::Policy => "policy",
            FeedKind::Roster => "roster",
            FeedKind::Revocation => "revocation",
            FeedKind::Desks => "desks",
            FeedKind::Anchors => "anchors",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One entry of the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    /// Its place in the feed; strictly increasing, not necessarily contiguous for one desk.
    pub epoch: u64,
    /// What it carries.
    pub kind: FeedKind,
    /// When head office published it (RFC 3339, UTC).
    pub published_at: String,
    /// The day it takes effect, if not at once (`YYYY-MM-DD`).
    pub effective_from: Option<String>,
    /// The content, JSON, validated by head office before it was published.
    pub body: Vec<u8>,
}

/// The signed header of a feed answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedHeader {
    /// The desk it is for.
    pub device: String,
    /// The epoch the desk asked to continue from (exclusive).
    pub since: u64,
    /// The last epoch this answer covers (inclusive); the desk's next `since`.
    pub through: u64,
    /// How many entries.
    pub count: u32,
    /// SHA-256 of the ciphertext.
    pub ciphertext_sha256: [u8; 32],
    /// Length of the ciphertext.
    pub ciphertext_len: u64,
    /// When head office sealed it.
    pub created_at: String,
}

impl FeedHeader {
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.str(&self.device)
            .u64(self.since)
            .u64(self.through)
            .u32(self.count)
            .raw(&self.ciphertext_sha256)
            .u64(self.ciphertext_len)
            .str(&self.created_at);
        w.finish()
    }

    fn decode(bytes: &[u8]) -> Result<Self, SyncError> {
        let mut r = Reader::new(bytes, "feed header");
        let h = FeedHeader {
            device: r.str()?,
            since: r.u64()?,
            through: r.u64()?,
            count: r.u32()?,
            ciphertext_sha256: r.array()?,
            ciphertext_len: r.u64()?,
            created_at: r.str()?,
        };
        r.end()?;
        if h.through < h.since {
            return Err(SyncError::malformed("feed header"));
        }
        Ok(h)
    }
}

/// A feed answer as it travels.
#[derive(Clone, Debug)]
pub struct SealedFeed {
    /// The header (trusted only after [`SealedFeed::open`]).
    pub header: FeedHeader,
    envelope: Envelope,
}

impl SealedFeed {
    /// Seals `entries` (epochs increasing, all after `since`) for `device`.
    pub fn seal(
        device: &str,
        since: u64,
        entries: &[FeedEntry],
        created_at: &str,
        head_office: &SecretKeys,
        desk: &PeerKeys,
    ) -> Result<Self, SyncError> {
        check_epochs(since, entries)?;
        let through = entries.last().map_or(since, |e| e.epoch);
        let plain = encode_entries(entries);
        if plain.len() > crate::MAX_PLAINTEXT {
            return Err(SyncError::TooLarge);
        }
        let ciphertext = crate::seal::seal(&plain, &desk.recipient)?;
        let header = FeedHeader {
            device: device.to_owned(),
            since,
            through,
            count: u32::try_from(entries.len()).map_err(|_| SyncError::TooLarge)?,
            ciphertext_sha256: sha256(&ciphertext),
            ciphertext_len: ciphertext.len() as u64,
            created_at: created_at.to_owned(),
        };
        let envelope = Envelope::sign(&KIND, header.encode(), ciphertext, head_office);
        Ok(Self { header, envelope })
    }

    /// The envelope's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.envelope.to_bytes(&KIND)
    }

    /// Parses an envelope from untrusted bytes (shape and version only).
    pub fn parse(bytes: &[u8]) -> Result<Self, SyncError> {
        let envelope = Envelope::parse(&KIND, bytes)?;
        let header = FeedHeader::decode(&envelope.header_bytes)?;
        Ok(Self { header, envelope })
    }

    /// Checks head office's signature, that the answer is for `device` and continues from
    /// `since`, decrypts it and checks each entry's epoch. Anything else is refused.
    pub fn open(
        &self,
        head_office: &PeerKeys,
        desk: &SecretKeys,
        device: &str,
        since: u64,
    ) -> Result<Vec<FeedEntry>, SyncError> {
        let h = &self.header;
        self.envelope
            .verify(&KIND, head_office, h.ciphertext_len, &h.ciphertext_sha256)?;
        if self.header.device != device || self.header.since != since {
            return Err(SyncError::malformed("feed for another desk or position"));
        }
        let plain = crate::seal::open(&self.envelope.ciphertext, desk.identity())?;
        let entries = decode_entries(&plain)?;
        check_epochs(since, &entries)?;
        let through = entries.last().map_or(since, |e| e.epoch);
        if entries.len() != self.header.count as usize || through != self.header.through {
            return Err(SyncError::malformed("feed entries"));
        }
        Ok(entries)
    }
}

fn check_epochs(since: u64, entries: &[FeedEntry]) -> Result<(), SyncError> {
    let mut last = since;
    for e in entries {
        if e.epoch <= last {
            return Err(SyncError::malformed("feed epochs"));
        }
        last = e.epoch;
    }
    Ok(())
}

fn encode_entries(entries: &[FeedEntry]) -> Vec<u8> {
    let mut w = Writer::new();
    w.u32(u32::try_from(entries.len()).unwrap_or(u32::MAX));
    for e in entries {
        w.u64(e.epoch)
            .str(e.kind.as_str())
            .str(&e.published_at)
            .opt_str(e.effective_from.as_deref())
            .bytes(&e.body);
    }
    w.finish()
}

fn decode_entries(bytes: &[u8]) -> Result<Vec<FeedEntry>, SyncError> {
    let mut r = Reader::new(bytes, "feed entries");
    let n = r.u32()? as usize;
    let mut out = Vec::with_capacity(n.min(bytes.len() / 22));
    for _ in 0..n {
        out.push(FeedEntry {
            epoch: r.u64()?,
            kind: FeedKind::parse(&r.str()?).ok_or(SyncError::malformed("feed kind"))?,
            published_at: r.str()?,
            effective_from: r.opt_str()?,
            body: r.bytes()?.to_vec(),
        });
    }
    r.end()?;
    Ok(out)
}

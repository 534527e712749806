//! One sync round: push, pull, compact.
//!
//! Push: ask head office's signed cursor, then send the outbox from the record after it in
//! batches of [`BATCH_RECORDS`], each chained to the previous batch's hash and carrying the audit
//! chain's head. Two batches are on the wire at once, so head office stores one while the next
//! travels (on a slow link the round trip and head office's store are otherwise paid per batch);
//! answers are taken in order, and any answer that does not move head office's cursor to the end
//! of its batch drops what follows it and starts again from the cursor. A record is `sent` while its batch is in flight and becomes `acked` only on head
//! office's signed acknowledgement; a cut connection leaves it `sent`, and the next round starts
//! from head office's cursor again, so a record is never lost and never stored twice (head office
//! stores each sequence number once). Pull: the feed after the last applied epoch, page by page,
//! each page applied in one vault transaction. Then acknowledged payloads past the retention are
//! compacted.

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use sync::batch::{AuditHead, BatchInput, Record, SealedBatch};
use sync::client::{Client, ClientError};
use sync::refusal::RefusalCode;
use sync::{PeerKeys, SecretKeys, SyncError};
use vault::{FeedReport, HeadOfficeLink, OUTBOX_RETENTION_DAYS, OutboxRecord};

use crate::access::{OneOfficer, VaultAccess};
use crate::failure::Failure;

/// Records per batch.
pub const BATCH_RECORDS: usize = 500;

/// Batches on the wire at once: head office stores one while the next travels.
const PIPELINE: usize = 2;

/// How often one round starts again from head office's cursor before giving up.
const MAX_STALLS: u32 = 3;

/// What a round is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Sending the outbox.
    Push,
    /// Receiving head office's feed.
    Feed,
    /// Compacting acknowledged records.
    Compact,
}

/// Where a round stands, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// What it is doing.
    pub phase: Phase,
    /// Records head office acknowledged in this round.
    pub records_done: u64,
    /// Records this round has to send.
    pub records_total: u64,
    /// Bytes sent so far in this round.
    pub bytes_sent: u64,
}

/// What a round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Records head office acknowledged in this round.
    pub records_pushed: u64,
    /// Batches sent.
    pub batches: u64,
    /// Batch bytes sent.
    pub bytes_sent: u64,
    /// Head office's cursor at the end.
    pub acked_seq: u64,
    /// What the feed changed.
    pub feed: FeedReport,
    /// Feed entries received.
    pub feed_entries: u64,
    /// Payloads compacted.
    pub compacted: i64,
}

/// The clock a round stamps with.
pub type Clock<'a> = &'a (dyn Fn() -> DateTime<Utc> + Sync);

struct Session {
    link: HeadOfficeLink,
    keys: SecretKeys,
    head_office: PeerKeys,
    client: Client,
}

/// Runs one round against head office and records its outcome in the vault (the top bar's
/// "last sync"). `progress` is called after each batch and phase.
pub async fn sync_now(
    access: &impl VaultAccess,
    progress: &(dyn Fn(Progress) + Sync),
    now: Clock<'_>,
) -> Result<RoundReport, Failure> {
    let access = &OneOfficer::of(access)?;
    // One round per vault at a time, across processes (the window and the CLI).
    let Some(_round) = access.with(|v| v.sync_guard())?? else {
        return Err(Failure::Running);
    };
    let result = round(access, progress, now).await;
    let noted = access.with(|v| match &result {
        Ok(_) => v.note_sync_attempt(Ok(()), now()),
        Err(Failure::NotEnrolled | Failure::Locked) => Ok(()),
        Err(f) => v.note_sync_attempt(Err((f.code(), &f.to_string())), now()),
    });
    // The round's own outcome matters more than the note about it.
    match (result, noted) {
        (Err(e), _) => Err(e),
        (Ok(r), Ok(Ok(()))) => Ok(r),
        (Ok(_), Ok(Err(e))) => Err(e.into()),
        (Ok(_), Err(e)) => Err(e),
    }
}

async fn round(
    access: &impl VaultAccess,
    progress: &(dyn Fn(Progress) + Sync),
    now: Clock<'_>,
) -> Result<RoundReport, Failure> {
    let s = open(access)?;
    let mut report = RoundReport::default();
    if s.link.revoked_at.is_none()
        && let Err(e) = push(access, &s, &mut report, progress, now).await
    {
        // Refused: the feed may say why (a revocation) or bring decisions all the same.
        if e.is_refusal() {
            pull(access, &s, &mut report, progress, now).await?;
        }
        return Err(e);
    }
    pull(access, &s, &mut report, progress, now).await?;
    progress(Progress {
        phase: Phase::Compact,
        records_done: report.records_pushed,
        records_total: report.records_pushed,
        bytes_sent: report.bytes_sent,
    });
    // In short steps: the officer's own commands get the vault between them.
    loop {
        let dropped = access.with(|v| {
            v.drop_acked_payloads(now(), Duration::days(OUTBOX_RETENTION_DAYS), 2000)
                .map(|c| c.records)
        })??;
        if dropped == 0 {
            break;
        }
        report.compacted += dropped;
    }
    if s.link.revoked_at.is_some() || report.feed.revoked {
        return Err(Failure::Revoked);
    }
    Ok(report)
}

fn open(access: &impl VaultAccess) -> Result<Session, Failure> {
    access.with(|v| -> Result<Session, Failure> {
        let link = v.head_office()?.ok_or(Failure::NotEnrolled)?;
        let secrets = v.desk_secrets()?;
        let keys = SecretKeys::from_parts(secrets.signing(), secrets.identity())
            .map_err(|_| Failure::Vault(vault::VaultError::Damaged))?;
        let head_office = PeerKeys::parse(&link.signing, &link.recipient)
            .map_err(|_| Failure::Vault(vault::VaultError::Damaged))?;
        let cert: [u8; 32] = hex::decode(&link.cert_sha256)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(Failure::Vault(vault::VaultError::Damaged))?;
        let client = Client::new(&link.url, cert, head_office.clone())?;
        Ok(Session {
            link,
            keys,
            head_office,
            client,
        })
    })?
}

fn stamp(now: Clock<'_>) -> String {
    now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Head office's cursor, recorded in the vault (a cursor behind the desk's requeues records).
async fn cursor(
    access: &impl VaultAccess,
    s: &Session,
    now: Clock<'_>,
) -> Result<(u64, [u8; 32]), Failure> {
    let ack = s
        .client
        .cursor(&s.link.device_id, &s.keys, &stamp(now))
        .await?;
    let hash = ack
        .verify(&s.head_office)
        .map_err(|e| Failure::Forged(e.to_string()))?;
    access.with(|v| v.outbox_acked(ack.acked_seq, &ack.batch_hash, None, now()))??;
    Ok((ack.acked_seq, hash))
}

/// A batch on its way: what it carried, for the answer that comes back.
struct InFlight {
    first: u64,
    last: u64,
    audit_head: Option<(i64, [u8; 32])>,
    /// The batch's own hash: the next batch names it as its predecessor.
    hash: [u8; 32],
}

/// The next batch after record `after`, chained to `prev`, or `None` when nothing is left.
fn next_batch(
    access: &impl VaultAccess,
    s: &Session,
    after: u64,
    prev: [u8; 32],
    batch_records: &mut usize,
    now: Clock<'_>,
) -> Result<Option<(SealedBatch, InFlight)>, Failure> {
    loop {
        let (records, head) = access.with(|v| -> Result<_, Failure> {
            Ok((v.outbox_after(after, *batch_records)?, v.audit_head()?))
        })??;
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return Ok(None);
        };
        let (first, last) = (first.seq, last.seq);
        let sealed = SealedBatch::seal(
            &BatchInput {
                device: &s.link.device_id,
                prev_hash: prev,
                created_at: &stamp(now),
                audit_head: head.map(|(seq, hash)| AuditHead {
                    seq: seq as u64,
                    hash,
                }),
                records: &records.into_iter().map(wire).collect::<Vec<_>>(),
            },
            &s.keys,
            &s.head_office,
        );
        match sealed {
            Ok(batch) => {
                let hash = batch.hash();
                return Ok(Some((
                    batch,
                    InFlight {
                        first,
                        last,
                        audit_head: head,
                        hash,
                    },
                )));
            }
            // Fewer records a batch when they do not fit one envelope (large documents).
            Err(SyncError::TooLarge) if *batch_records > 1 => *batch_records /= 2,
            Err(e) => return Err(Failure::Internal(e.to_string())),
        }
    }
}

async fn push(
    access: &impl VaultAccess,
    s: &Session,
    report: &mut RoundReport,
    progress: &(dyn Fn(Progress) + Sync),
    now: Clock<'_>,
) -> Result<(), Failure> {
    let (mut acked, hash) = cursor(access, s, now).await?;
    let total = access.with(|v| v.outbox_counts().map(|c| c.pending().max(0) as u64))??;
    let mut stalls = 0;
    let mut batch_records = BATCH_RECORDS;
    // The last record sealed and its batch's hash: the next batch continues from there.
    let mut sealed = (acked, hash);
    let mut flight = FuturesOrdered::new();
    loop {
        // Keep the pipe full: head office stores one batch while the next is on the wire.
        while flight.len() < PIPELINE {
            let Some((batch, sent)) =
                next_batch(access, s, sealed.0, sealed.1, &mut batch_records, now)?
            else {
                break;
            };
            access.with(|v| v.outbox_mark_sent(sent.first, sent.last))??;
            report.batches += 1;
            report.bytes_sent += batch.to_bytes().len() as u64;
            sealed = (sent.last, sent.hash);
            let client = &s.client;
            flight.push_back(async move { (client.push(&batch).await, sent) });
        }
        progress(Progress {
            phase: Phase::Push,
            records_done: report.records_pushed,
            records_total: total.max(report.records_pushed),
            bytes_sent: report.bytes_sent,
        });
        let Some((answer, sent)) = flight.next().await else {
            report.acked_seq = acked;
            return Ok(());
        };
        match answer {
            Ok(ack) => {
                let hash = ack
                    .verify(&s.head_office)
                    .map_err(|e| Failure::Forged(e.to_string()))?;
                if ack.acked_seq > sent.last {
                    // Head office cannot have stored what was never sent to it.
                    return Err(Failure::Forged(format!(
                        "head office acknowledged record {} of a batch ending at {}",
                        ack.acked_seq, sent.last
                    )));
                }
                if ack.acked_seq > acked {
                    // The head the batch carried is anchored only when head office holds the
                    // batch.
                    let anchor = (ack.acked_seq == sent.last)
                        .then_some(sent.audit_head)
                        .flatten();
                    access.with(|v| {
                        v.outbox_acked(ack.acked_seq, &ack.batch_hash, anchor, now())
                    })??;
                    report.records_pushed += ack.acked_seq - acked;
                    acked = ack.acked_seq;
                }
                if ack.acked_seq == sent.last && hash == sent.hash {
                    continue;
                }
                // Head office holds less than the batch, or another batch ending at the same
                // record (an old answer replayed, head office restored): what follows in the pipe
                // builds on what it lacks. Start again from head office's word, a few times at
                // most.
                stalls += 1;
                if stalls > MAX_STALLS {
                    return Err(Failure::Forged(
                        "head office's acknowledgements do not move forward".into(),
                    ));
                }
                flight.clear();
                let (a, h) = cursor(access, s, now).await?;
                (acked, sealed) = (a, (a, h));
            }
            Err(ClientError::Refused(r))
                if matches!(
                    r.code,
                    RefusalCode::SequenceGap | RefusalCode::ChainMismatch
                ) && stalls < MAX_STALLS =>
            {
                stalls += 1;
                flight.clear();
                let (a, h) = cursor(access, s, now).await?;
                (acked, sealed) = (a, (a, h));
            }
            Err(e) => {
                let failure = Failure::from(e);
                access.with(|v| {
                    v.outbox_note_failure(
                        sent.first,
                        sent.last,
                        failure.is_refusal(),
                        failure.outbox_note(),
                    )
                })??;
                return Err(failure);
            }
        }
    }
}

fn wire(r: OutboxRecord) -> Record {
    Record {
        seq: r.seq,
        created_at: r.created_at,
        officer_id: r.officer_id,
        action: r.action,
        entity_id: r.entity_id,
        payload: r.payload,
    }
}

async fn pull(
    access: &impl VaultAccess,
    s: &Session,
    report: &mut RoundReport,
    progress: &(dyn Fn(Progress) + Sync),
    now: Clock<'_>,
) -> Result<(), Failure> {
    progress(Progress {
        phase: Phase::Feed,
        records_done: report.records_pushed,
        records_total: report.records_pushed,
        bytes_sent: report.bytes_sent,
    });
    let mut since = access.with(|v| v.head_office().map(|l| l.map_or(0, |l| l.feed_through)))??;
    loop {
        let (entries, through) = s
            .client
            .feed(&s.link.device_id, since, &s.keys, &stamp(now))
            .await?;
        if entries.is_empty() && through == since {
            return Ok(());
        }
        let items = entries
            .iter()
            .map(|e| Ok((e.epoch, crate::feed::item(e)?)))
            .collect::<Result<Vec<_>, Failure>>()?;
        let applied = access.with(|v| v.apply_feed(since, through, &items, now()))??;
        report.feed_entries += entries.len() as u64;
        report.feed.decisions += applied.decisions;
        report.feed.decisions_kept += applied.decisions_kept;
        report.feed.publications += applied.publications;
        report.feed.roster += applied.roster;
        report.feed.revoked |= applied.revoked;
        report.feed.signed_in_disabled |= applied.signed_in_disabled;
        if entries.is_empty() {
            return Ok(());
        }
        since = through;
    }
}

//! The HTTPS API desks talk to, and the operations endpoints.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `POST /v1/enrol` | [`EnrolRequest`] JSON | [`EnrolAnswer`] JSON |
//! | `POST /v1/push` | batch envelope | [`Ack`] JSON |
//! | `POST /v1/cursor` | [`DeskRequest`] JSON | [`Ack`] JSON (what is stored) |
//! | `POST /v1/feed` | [`DeskRequest`] JSON | feed envelope |
//! | `PUT /v1/attachments/{id}?offset=N` | chunk bytes, signed headers | [`AttachmentState`] JSON |
//! | `GET /health`, `GET /metrics` | | text |
//!
//! Every refusal is a [`Refusal`] JSON body with a closed code. Handlers hold no state between
//! requests beyond counters and the rate limit, so instances can run side by side.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use sync::ack::Ack;
use sync::batch::SealedBatch;
use sync::enrol::{DeskRequest, EnrolAnswer, EnrolRequest};
use sync::feed::SealedFeed;
use sync::refusal::{Refusal, RefusalCode};
use sync::{PROTOCOL_VERSION, PeerKeys, SecretKeys, SyncError, VERSION_HEADER};
use tracing::{info, warn};

use crate::clock::Clock;
use crate::ingest::{Incoming, Projection};
use crate::metrics::Metrics;
use crate::rate::RateLimit;
use crate::store::{AnyStore, AttachmentState, Device, Ingest, NewDevice, Store, StoreError};

/// Feed entries per answer; a desk asks again from `through` until it gets none.
const FEED_PAGE: u32 = 500;
/// Largest JSON request.
const MAX_JSON: usize = 64 * 1024;

/// What every request handler shares.
pub struct Shared {
    /// The store.
    pub store: AnyStore,
    /// Head office's keys.
    pub keys: SecretKeys,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Counters.
    pub metrics: Metrics,
    /// Per-device budget.
    pub rate: RateLimit,
    /// Batches being stored at once.
    pub pushes: tokio::sync::Semaphore,
    /// Woken whenever a batch is stored: a batch that came before its predecessor waits on it.
    pub stored: tokio::sync::Notify,
}

/// Batches one instance stores at once; more wait their turn.
pub const CONCURRENT_PUSHES: usize = 4;

/// How long a batch that arrives before its predecessor is stored waits for it. A desk keeps two
/// batches on the wire, so the second often arrives while the first is being stored; past this
/// the gap is refused and the desk starts again from the cursor.
const PREDECESSOR_WAIT: Duration = Duration::from_secs(3);

/// How often a waiting batch looks again without being woken (a predecessor stored by another
/// instance over the same database wakes nobody here).
const PREDECESSOR_POLL: Duration = Duration::from_millis(20);

/// A refusal as an HTTP response.
#[derive(Debug)]
pub struct Refused(pub Refusal);

impl Refused {
    fn new(code: RefusalCode, message: impl Into<String>) -> Self {
        Refused(Refusal::new(code, message))
    }
}

fn status(code: RefusalCode) -> StatusCode {
    use RefusalCode as C;
    match code {
        // Not 426: that status promises an Upgrade header HTTP clients then act on.
        C::ProtocolVersion => StatusCode::BAD_REQUEST,
        C::Malformed | C::Undecryptable => StatusCode::BAD_REQUEST,
        C::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::BadSignature => StatusCode::UNAUTHORIZED,
        C::UnknownDevice | C::Revoked => StatusCode::FORBIDDEN,
        C::EnrolmentInvalid | C::EnrolmentUsed | C::EnrolmentExpired => StatusCode::FORBIDDEN,
        C::SequenceGap | C::ChainMismatch | C::SequenceConflict => StatusCode::CONFLICT,
        C::ChunkOffset | C::ChunkMismatch => StatusCode::CONFLICT,
        C::UnknownAttachment => StatusCode::NOT_FOUND,
        C::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        C::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut r = (status(self.0.code), Json(self.0)).into_response();
        r.headers_mut()
            .insert(VERSION_HEADER, HeaderValue::from(PROTOCOL_VERSION));
        r
    }
}

impl From<SyncError> for Refused {
    fn from(e: SyncError) -> Self {
        let code = match &e {
            SyncError::Version { .. } => RefusalCode::ProtocolVersion,
            SyncError::Malformed { .. } | SyncError::Key { .. } => RefusalCode::Malformed,
            SyncError::Signature | SyncError::CiphertextHash => RefusalCode::BadSignature,
            SyncError::Decrypt => RefusalCode::Undecryptable,
            SyncError::TooLarge => RefusalCode::TooLarge,
            SyncError::Seal => RefusalCode::Unavailable,
        };
        let mut r = Refusal::new(code, e.to_string());
        if let SyncError::Version { theirs, .. } = e {
            r.theirs = Some(theirs);
        }
        Refused(r)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        use RefusalCode as C;
        let msg = e.to_string();
        let (code, expected) = match e {
            StoreError::Database(detail) => {
                warn!(error = %detail, "store unavailable");
                return Refused::new(
                    C::Unavailable,
                    "head office cannot reach its store; retry later",
                );
            }
            StoreError::Url => (C::Unavailable, None),
            StoreError::UnknownDevice => (C::UnknownDevice, None),
            StoreError::Revoked => (C::Revoked, None),
            StoreError::Gap { expected } => (C::SequenceGap, Some(expected)),
            StoreError::ChainMismatch => (C::ChainMismatch, None),
            StoreError::Conflict { .. } => (C::SequenceConflict, None),
            StoreError::EnrolmentInvalid | StoreError::KeyEnrolled => (C::EnrolmentInvalid, None),
            StoreError::EnrolmentUsed => (C::EnrolmentUsed, None),
            StoreError::EnrolmentExpired => (C::EnrolmentExpired, None),
            StoreError::UnknownAttachment => (C::UnknownAttachment, None),
            StoreError::ChunkOffset { expected } => (C::ChunkOffset, Some(expected)),
            StoreError::ChunkMismatch => (C::ChunkMismatch, None),
            StoreError::NoApplication
            | StoreError::NotReferred { .. }
            | StoreError::AlreadyDecided => (C::Malformed, None),
        };
        let mut r = Refusal::new(code, msg);
        r.expected = expected;
        Refused(r)
    }
}

fn body_refusal(r: BytesRejection) -> Refused {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refused::new(
            RefusalCode::TooLarge,
            "the body is larger than head office accepts",
        )
    } else {
        Refused::new(RefusalCode::Malformed, "the body could not be read")
    }
}

fn json_refusal(r: JsonRejection) -> Refused {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refused::new(
            RefusalCode::TooLarge,
            "the body is larger than head office accepts",
        )
    } else {
        Refused::new(
            RefusalCode::Malformed,
            "the body is not the expected JSON message",
        )
    }
}

type Shr = State<Arc<Shared>>;

/// The routes.
pub fn router(shared: Arc<Shared>) -> Router {
    let envelopes = Router::new()
        .route("/v1/push", post(push))
        .layer(DefaultBodyLimit::max(sync::MAX_ENVELOPE));
    let chunks = Router::new()
        .route("/v1/attachments/{id}", put(chunk))
        .layer(DefaultBodyLimit::max(sync::chunk::MAX_CHUNK));
    let small = Router::new()
        .route("/v1/enrol", post(enrol))
        .route("/v1/feed", post(feed))
        .route("/v1/cursor", post(cursor))
        .layer(DefaultBodyLimit::max(MAX_JSON));
    Router::new()
        .merge(envelopes)
        .merge(chunks)
        .merge(small)
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn(version_gate))
        .with_state(shared)
}

/// Refuses a request that announces another protocol version; stamps ours on every answer.
async fn version_gate(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let theirs = req
        .headers()
        .get(VERSION_HEADER)
        .map(|v| v.to_str().ok().and_then(|s| s.parse::<u16>().ok()));
    let mut res = match theirs {
        Some(Some(v)) if v != PROTOCOL_VERSION => Refused::from(SyncError::Version {
            ours: PROTOCOL_VERSION,
            theirs: v,
        })
        .into_response(),
        Some(None) => Refused::new(RefusalCode::Malformed, "unreadable protocol version header")
            .into_response(),
        _ => next.run(req).await,
    };
    res.headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from(PROTOCOL_VERSION));
    res
}

fn refused<T>(shared: &Shared, r: Result<T, Refused>) -> Result<T, Refused> {
    if let Err(e) = &r {
        shared.metrics.refused(e.0.code);
        info!(code = e.0.code.as_str(), "refused");
    }
    r
}

fn rate(shared: &Shared, key: &str) -> Result<(), Refused> {
    if shared.rate.allow(key, Instant::now()) {
        Ok(())
    } else {
        Err(Refused::new(
            RefusalCode::RateLimited,
            "too many requests from this desk; retry later",
        ))
    }
}

/// The device a request names and its keys. The caller checks the request's signature with
/// them and then calls [`rate`]: only a signed request spends a desk's budget.
async fn known_device(shared: &Shared, id: &str) -> Result<(Device, PeerKeys), Refused> {
    let device = shared.store.device(id.to_owned()).await?.ok_or_else(|| {
        Refused::new(
            RefusalCode::UnknownDevice,
            "no device with this id is enrolled",
        )
    })?;
    let keys = PeerKeys::parse(&device.signing, &device.recipient)?;
    Ok((device, keys))
}

fn active(device: &Device) -> Result<(), Refused> {
    if device.status == "active" {
        Ok(())
    } else {
        Err(Refused::new(
            RefusalCode::Revoked,
            "this desk's enrolment was revoked",
        ))
    }
}

async fn push(
    State(shared): Shr,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Ack>, Refused> {
    let r = push_inner(&shared, body).await;
    refused(&shared, r).map(Json)
}

async fn push_inner(
    shared: &Arc<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Ack, Refused> {
    let started = Instant::now();
    // A few batches at once per instance: each may hold 16 MiB and a transaction.
    let permit = || async {
        shared
            .pushes
            .acquire()
            .await
            .map_err(|_| Refused::new(RefusalCode::Unavailable, "head office is shutting down"))
    };
    let mut held = permit().await?;
    let bytes = body.map_err(body_refusal)?;
    let sealed = SealedBatch::parse(&bytes)?;
    let (device, desk) = known_device(shared, &sealed.header.device).await?;
    sealed.verify(&desk)?;
    rate(shared, &device.id)?;
    active(&device)?;
    let header = sealed.header.clone();
    let hash = sealed.hash();
    let keys_holder = shared.clone();
    // Decrypting, decompressing and sorting records is CPU work: off the async workers.
    let incoming = tokio::task::spawn_blocking(move || {
        sealed
            .open(&keys_holder.keys)
            .map(|records| records.into_iter().map(Incoming::new).collect::<Vec<_>>())
    })
    .await
    .map_err(|_| Refused::new(RefusalCode::Unavailable, "head office is shutting down"))??;
    let unreadable = incoming
        .iter()
        .filter(|i| i.projection == Projection::Unreadable)
        .count();
    if unreadable > 0 {
        warn!(device = %header.device, first_seq = header.first_seq, unreadable, "records kept without a table row");
    }
    if header.first_seq > device.acked_seq.saturating_add(1) {
        // Its predecessor may still be on its way or waiting for a permit: wait without one.
        drop(held);
        await_predecessor(shared, &header.device, header.first_seq).await?;
        held = permit().await?;
    }
    let now = shared.clock.text();
    let stored = shared
        .store
        .ingest(Ingest {
            device: header.device.clone(),
            first_seq: header.first_seq,
            last_seq: header.last_seq,
            prev_hash: header.prev_hash,
            hash,
            envelope: bytes.to_vec(),
            audit_head: header.audit_head,
            received_at: now.clone(),
            records: incoming,
        })
        .await?;
    drop(held);
    shared.stored.notify_waiters();
    let m = &shared.metrics;
    m.batches.fetch_add(1, Ordering::Relaxed);
    m.records.fetch_add(stored.new_records, Ordering::Relaxed);
    m.ingest_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    info!(
        device = %header.device,
        first_seq = header.first_seq,
        last_seq = header.last_seq,
        new_records = stored.new_records,
        acked_seq = stored.acked_seq,
        "batch stored"
    );
    Ok(Ack::sign(
        &header.device,
        stored.acked_seq,
        stored.head_hash,
        &now,
        &shared.keys,
    ))
}

/// Waits, up to [`PREDECESSOR_WAIT`], until head office holds the record before `first_seq`.
/// Whether the batch then follows is the store's to judge, in its transaction.
async fn await_predecessor(shared: &Shared, device: &str, first_seq: u64) -> Result<(), Refused> {
    let deadline = Instant::now() + PREDECESSOR_WAIT;
    loop {
        // Created before the look, so a store between the look and the wait still wakes it.
        let stored = shared.stored.notified();
        let cursor = shared
            .store
            .device(device.to_owned())
            .await?
            .map_or(0, |d| d.acked_seq);
        let left = deadline.saturating_duration_since(Instant::now());
        if first_seq <= cursor.saturating_add(1) || left.is_zero() {
            return Ok(());
        }
        let _ = tokio::time::timeout(left.min(PREDECESSOR_POLL), stored).await;
    }
}

async fn desk_request(shared: &Shared, req: &DeskRequest) -> Result<(Device, PeerKeys), Refused> {
    let (device, keys) = known_device(shared, &req.device).await?;
    req.verify(&device.signing)?;
    rate(shared, &device.id)?;
    shared
        .store
        .touch(device.id.clone(), shared.clock.text())
        .await?;
    Ok((device, keys))
}

async fn cursor(
    State(shared): Shr,
    body: Result<Json<DeskRequest>, JsonRejection>,
) -> Result<Json<Ack>, Refused> {
    let r = async {
        let Json(req) = body.map_err(json_refusal)?;
        let (device, _) = desk_request(&shared, &req).await?;
        active(&device)?;
        Ok(Ack::sign(
            &device.id,
            device.acked_seq,
            device.head_hash,
            &shared.clock.text(),
            &shared.keys,
        ))
    }
    .await;
    refused(&shared, r).map(Json)
}

async fn feed(
    State(shared): Shr,
    body: Result<Json<DeskRequest>, JsonRejection>,
) -> Result<Vec<u8>, Refused> {
    let r = async {
        let Json(req) = body.map_err(json_refusal)?;
        // A revoked desk may still read its feed: that is how it learns it was revoked.
        let (device, keys) = desk_request(&shared, &req).await?;
        let entries = shared
            .store
            .feed(device.id.clone(), req.since, FEED_PAGE)
            .await?;
        let sealed = SealedFeed::seal(&device.id, req.since, &entries, &shared.clock.text(), &shared.keys, &keys)?;
        shared.metrics.feeds.fetch_add(1, Ordering::Relaxed);
        info!(device = %device.id, since = req.since, through = sealed.header.through, entries = entries.len(), "feed served");
        Ok(sealed.to_bytes())
    }
    .await;
    refused(&shared, r)
}

async fn enrol(
    State(shared): Shr,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    body: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<Json<EnrolAnswer>, Refused> {
    let r = async {
        // Per address: a flood from one place does not stop other branches enrolling.
        rate(&shared, &format!("enrol {}", peer.ip()))?;
        let Json(req) = body.map_err(json_refusal)?;
        let (token, keys) = req.verify()?;
        let id = format!("dev-{}", hex::encode(rand::random::<[u8; 6]>()));
        let now = shared.clock.text();
        let device = shared
            .store
            .enrol(
                sync::sha256(&token),
                NewDevice {
                    id,
                    name: req.name.clone(),
                    signing: keys.signing_hex(),
                    recipient: keys.recipient.to_string(),
                },
                now.clone(),
            )
            .await?;
        shared.metrics.enrolments.fetch_add(1, Ordering::Relaxed);
        info!(device = %device.id, branch = %device.branch, "desk enrolled");
        // Every desk learns the new desk's key with its next feed (its printouts verify there).
        // The enrolment has committed and spent its code: a failed publication must not turn it
        // into a refusal the desk cannot retry. The list is whole each time, so the next
        // enrolment or revocation (or `branchdesk-hq revoke` run again) publishes this desk too.
        if let Err(e) = crate::feed::publish_desks(&shared.store, now.clone()).await {
            warn!(device = %device.id, error = %e, "the desk list could not be published");
        }
        let desk = PeerKeys::parse(&device.signing, &device.recipient)?;
        Ok(EnrolAnswer::sign(
            &device.id,
            &desk,
            &device.branch,
            &device.enrolled_at,
            &shared.keys,
        ))
    }
    .await;
    refused(&shared, r).map(Json)
}

#[derive(serde::Deserialize)]
struct Offset {
    offset: u64,
}

async fn chunk(
    State(shared): Shr,
    Path(id): Path<String>,
    query: Result<Query<Offset>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AttachmentState>, Refused> {
    let r = async {
        let Query(Offset { offset }) =
            query.map_err(|_| Refused::new(RefusalCode::Malformed, "offset missing"))?;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| {
                    Refused::new(RefusalCode::Malformed, format!("header {name} missing"))
                })
        };
        let device_id = header(sync::chunk::DEVICE_HEADER)?;
        let signature = header(sync::chunk::SIGNATURE_HEADER)?;
        let bytes = body.map_err(body_refusal)?;
        let (device, _) = known_device(&shared, &device_id).await?;
        sync::chunk::verify(&device.signing, &device.id, &id, offset, &bytes, &signature)?;
        rate(&shared, &device.id)?;
        active(&device)?;
        let state = shared
            .store
            .append_chunk(device.id.clone(), id, offset, bytes.to_vec())
            .await?;
        shared.metrics.chunks.fetch_add(1, Ordering::Relaxed);
        Ok(state)
    }
    .await;
    refused(&shared, r).map(Json)
}

async fn health(State(shared): Shr) -> (StatusCode, &'static str) {
    match shared.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n"),
    }
}

async fn metrics(State(shared): Shr) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let counts = shared.store.counts().await.ok();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        shared.metrics.render(counts.as_ref()),
    )
}

/// Serves until `stop` resolves, then stops taking connections and lets requests in flight finish
/// (up to `grace`). Calls `ready` with the bound address once listening.
pub async fn serve(
    listen: SocketAddr,
    shared: Arc<Shared>,
    tls: Arc<rustls::ServerConfig>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let handle: axum_server::Handle<SocketAddr> = axum_server::Handle::new();
    let server = axum_server::bind_rustls(
        listen,
        axum_server::tls_rustls::RustlsConfig::from_config(tls),
    )
    .handle(handle.clone())
    .serve(router(shared).into_make_service_with_connect_info::<SocketAddr>());
    let task = tokio::spawn(server);
    match handle.listening().await {
        Some(addr) => ready(addr),
        None => {
            return match task.await {
                Ok(Err(e)) => Err(e),
                _ => Err(std::io::Error::other("the server did not start")),
            };
        }
    }
    let h = handle.clone();
    tokio::spawn(async move {
        stop.await;
        info!("shutting down: finishing requests in flight");
        h.graceful_shutdown(Some(grace));
    });
    task.await.map_err(std::io::Error::other)?
}

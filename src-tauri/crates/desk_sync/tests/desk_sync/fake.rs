//! A head office that misbehaves on purpose: it holds the keys the desk pinned (so its TLS and
//! signatures are genuine) but answers with a feed signed by another key, a rolled-back feed, an
//! acknowledgement replayed from before, or one for records it was never sent. It speaks the real
//! protocol through the `sync` crate; only its answers are wrong.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use sync::ack::Ack;
use sync::batch::SealedBatch;
use sync::enrol::DeskRequest;
use sync::feed::{FeedEntry, SealedFeed};
use sync::{PeerKeys, SecretKeys};

pub const DEVICE: &str = "fake-device";

/// How the fake answers.
#[derive(Clone)]
pub enum Mode {
    /// Correct answers: acks what it is sent, feed with `entries`.
    Honest,
    /// The feed is sealed with another key.
    FeedSignedByStranger,
    /// The feed answer is this recorded earlier answer, whatever the desk asks.
    FeedReplay(Vec<u8>),
    /// Every push gets the acknowledgement of nothing (an old cursor replayed).
    AckReplay,
    /// Every push gets an acknowledgement for five records more than it carried.
    AckTooFar,
}

struct Inner {
    keys: SecretKeys,
    desk: PeerKeys,
    mode: Mutex<Mode>,
    entries: Mutex<Vec<FeedEntry>>,
    stored: Mutex<(u64, [u8; 32])>,
}

pub struct Fake {
    pub addr: SocketAddr,
    pub cert_sha256: String,
    pub public: PeerKeys,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

fn at() -> String {
    crate::desk::clock().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Fake {
    pub async fn start(desk: PeerKeys) -> Fake {
        let keys = SecretKeys::generate();
        let public = keys.public();
        let tls = hq::tls::generate(&["127.0.0.1".to_owned()]).expect("certificate");
        let config = hq::tls::server_config(&tls.cert_der, &tls.key_der).expect("tls config");
        let inner = Arc::new(Inner {
            keys,
            desk,
            mode: Mutex::new(Mode::Honest),
            entries: Mutex::new(Vec::new()),
            stored: Mutex::new((0, [0; 32])),
        });
        let app = Router::new()
            .route("/v1/cursor", post(cursor))
            .route("/v1/push", post(push))
            .route("/v1/feed", post(feed))
            .with_state(inner.clone());
        let handle: axum_server::Handle<SocketAddr> = axum_server::Handle::new();
        let server = axum_server::bind_rustls(
            "127.0.0.1:0".parse().expect("addr"),
            axum_server::tls_rustls::RustlsConfig::from_config(config),
        )
        .handle(handle.clone())
        .serve(app.into_make_service());
        let task = tokio::spawn(async move {
            let _ = server.await;
        });
        let addr = handle
            .listening()
            .await
            .expect("fake head office listening");
        Fake {
            addr,
            cert_sha256: hex::encode(hq::tls::fingerprint(&tls.cert_der)),
            public,
            inner,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.inner.mode.lock().expect("mode") = mode;
    }

    pub fn publish(&self, entry: FeedEntry) {
        self.inner.entries.lock().expect("entries").push(entry);
    }

    /// A feed answer sealed honestly for `since`, to replay later.
    pub fn sealed_feed(&self, since: u64) -> Vec<u8> {
        self.inner.feed_answer(since, &self.inner.keys)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Inner {
    fn feed_answer(&self, since: u64, signer: &SecretKeys) -> Vec<u8> {
        let entries: Vec<FeedEntry> = self
            .entries
            .lock()
            .expect("entries")
            .iter()
            .filter(|e| e.epoch > since)
            .cloned()
            .collect();
        SealedFeed::seal(DEVICE, since, &entries, &at(), signer, &self.desk)
            .expect("seal feed")
            .to_bytes()
    }

    fn ack(&self, seq: u64, hash: [u8; 32]) -> Vec<u8> {
        serde_json::to_vec(&Ack::sign(DEVICE, seq, hash, &at(), &self.keys)).expect("ack json")
    }
}

async fn cursor(State(s): State<Arc<Inner>>) -> Vec<u8> {
    let (seq, hash) = *s.stored.lock().expect("stored");
    s.ack(seq, hash)
}

async fn push(State(s): State<Arc<Inner>>, body: Bytes) -> Vec<u8> {
    let batch = SealedBatch::parse(&body).expect("the desk sends a well-formed batch");
    batch.verify(&s.desk).expect("signed by the desk");
    let mode = s.mode.lock().expect("mode").clone();
    match mode {
        Mode::AckReplay => s.ack(0, [0; 32]),
        Mode::AckTooFar => s.ack(batch.header.last_seq + 5, batch.hash()),
        _ => {
            *s.stored.lock().expect("stored") = (batch.header.last_seq, batch.hash());
            s.ack(batch.header.last_seq, batch.hash())
        }
    }
}

async fn feed(State(s): State<Arc<Inner>>, body: Bytes) -> Vec<u8> {
    let req: DeskRequest = serde_json::from_slice(&body).expect("desk request");
    req.verify(&s.desk.signing_hex())
        .expect("signed by the desk");
    let mode = s.mode.lock().expect("mode").clone();
    match mode {
        Mode::FeedSignedByStranger => s.feed_answer(req.since, &SecretKeys::generate()),
        Mode::FeedReplay(bytes) => bytes,
        _ => s.feed_answer(req.since, &s.keys),
    }
}

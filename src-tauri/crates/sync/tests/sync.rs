//! The protocol's promises, from outside the crate: what one side seals the other opens, and any
//! change to the bytes, any other key, version or position is refused with a typed error.

use proptest::prelude::*;
use sync::ack::Ack;
use sync::batch::{AuditHead, BatchInput, Record, SealedBatch};
use sync::enrol::{DeskRequest, EnrolAnswer, EnrolRequest, EnrolmentCode};
use sync::feed::{FeedEntry, FeedKind, SealedFeed};
use sync::{PROTOCOL_VERSION, SecretKeys, SyncError};

fn records(first: u64, n: u64) -> Vec<Record> {
    (first..first + n)
        .map(|seq| Record {
            seq,
            created_at: "2026-12-02T10:00:00Z".into(),
            officer_id: "off-1".into(),
            action: "application.submit".into(),
            entity_id: format!("app-{seq}"),
            payload: format!("{{\"amount_tiyn\":{}}}", seq * 100).into_bytes(),
        })
        .collect()
}

fn sealed(desk: &SecretKeys, hq: &SecretKeys, recs: &[Record]) -> SealedBatch {
    SealedBatch::seal(
        &BatchInput {
            device: "dev-1",
            prev_hash: [0; 32],
            created_at: "2026-12-02T10:00:00Z",
            audit_head: Some(AuditHead {
                seq: 9,
                hash: [7; 32],
            }),
            records: recs,
        },
        desk,
        &hq.public(),
    )
    .expect("a well-formed batch seals")
}

#[test]
fn a_batch_opens_at_head_office_exactly_as_sealed() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let recs = records(1, 50);
    let batch = sealed(&desk, &hq, &recs);
    let parsed = SealedBatch::parse(&batch.to_bytes()).expect("our own bytes parse");
    parsed
        .verify(&desk.public())
        .expect("the desk's signature verifies");
    assert_eq!(parsed.open(&hq).expect("head office decrypts"), recs);
    assert_eq!(
        parsed.hash(),
        batch.hash(),
        "the hash depends only on the bytes"
    );
    assert_eq!(
        parsed.header.audit_head,
        Some(AuditHead {
            seq: 9,
            hash: [7; 32]
        })
    );
}

#[test]
fn every_single_bit_flip_in_a_batch_is_refused() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let bytes = sealed(&desk, &hq, &records(1, 3)).to_bytes();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        let accepted = SealedBatch::parse(&b)
            .and_then(|s| s.verify(&desk.public()).map(|()| s))
            .and_then(|s| s.open(&hq));
        assert!(
            accepted.is_err(),
            "a flipped bit at byte {i} of {} was accepted",
            bytes.len()
        );
    }
}

#[test]
fn a_truncated_batch_is_refused_at_every_length() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let bytes = sealed(&desk, &hq, &records(1, 3)).to_bytes();
    for cut in 0..bytes.len() {
        let accepted = SealedBatch::parse(&bytes[..cut])
            .and_then(|s| s.verify(&desk.public()).map(|()| s))
            .and_then(|s| s.open(&hq));
        assert!(accepted.is_err(), "a batch cut to {cut} bytes was accepted");
    }
}

#[test]
fn another_desks_key_or_another_head_office_is_refused() {
    let (desk, hq, other) = (
        SecretKeys::generate(),
        SecretKeys::generate(),
        SecretKeys::generate(),
    );
    let batch = sealed(&desk, &hq, &records(1, 2));
    assert_eq!(batch.verify(&other.public()), Err(SyncError::Signature));
    assert_eq!(batch.open(&other).unwrap_err(), SyncError::Decrypt);
}

#[test]
fn another_protocol_version_is_refused_naming_both() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let mut bytes = sealed(&desk, &hq, &records(1, 1)).to_bytes();
    bytes[4..6].copy_from_slice(&(PROTOCOL_VERSION + 1).to_be_bytes());
    assert_eq!(
        SealedBatch::parse(&bytes).unwrap_err(),
        SyncError::Version {
            ours: PROTOCOL_VERSION,
            theirs: PROTOCOL_VERSION + 1
        }
    );
    let msg = SyncError::Version { ours: 1, theirs: 2 }.to_string();
    assert!(
        msg.contains('1') && msg.contains('2'),
        "the refusal names both versions: {msg}"
    );
}

#[test]
fn a_nul_in_a_records_text_does_not_seal_and_does_not_decode() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let mut recs = records(1, 1);
    recs[0].entity_id = "app\0x".into();
    let refused = SealedBatch::seal(
        &BatchInput {
            device: "d",
            prev_hash: [0; 32],
            created_at: "t",
            audit_head: None,
            records: &recs,
        },
        &desk,
        &hq.public(),
    );
    assert!(
        refused.is_err(),
        "head office could not store a NUL: the desk learns it when sealing"
    );
    assert!(
        sync::batch::decode_records(&sync::batch::encode_records(&recs)).is_err(),
        "nor does a NUL decode"
    );
}

#[test]
fn records_with_a_gap_do_not_seal() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let mut recs = records(1, 3);
    recs.remove(1);
    let refused = SealedBatch::seal(
        &BatchInput {
            device: "d",
            prev_hash: [0; 32],
            created_at: "t",
            audit_head: None,
            records: &recs,
        },
        &desk,
        &hq.public(),
    );
    assert!(
        refused.is_err(),
        "a batch must hold consecutive sequence numbers"
    );
}

fn entries(since: u64) -> Vec<FeedEntry> {
    vec![
        FeedEntry {
            epoch: since + 1,
            kind: FeedKind::Decision,
            published_at: "2026-12-02T11:00:00Z".into(),
            effective_from: None,
            body: br#"{"application_id":"a","outcome":"approve"}"#.to_vec(),
        },
        FeedEntry {
            epoch: since + 5,
            kind: FeedKind::Policy,
            published_at: "2026-12-02T11:00:01Z".into(),
            effective_from: Some("2027-01-01".into()),
            body: b"{}".to_vec(),
        },
    ]
}

#[test]
fn a_feed_opens_only_for_its_desk_from_its_position() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let es = entries(10);
    let feed = SealedFeed::seal(
        "dev-1",
        10,
        &es,
        "2026-12-02T11:00:02Z",
        &hq,
        &desk.public(),
    )
    .unwrap();
    let parsed = SealedFeed::parse(&feed.to_bytes()).unwrap();
    assert_eq!(parsed.open(&hq.public(), &desk, "dev-1", 10).unwrap(), es);
    assert_eq!(parsed.header.through, 15);
    assert!(
        parsed.open(&hq.public(), &desk, "dev-2", 10).is_err(),
        "another desk's feed"
    );
    assert!(
        parsed.open(&hq.public(), &desk, "dev-1", 12).is_err(),
        "an answer for an older position replayed"
    );
    let forger = SecretKeys::generate();
    assert_eq!(
        parsed
            .open(&forger.public(), &desk, "dev-1", 10)
            .unwrap_err(),
        SyncError::Signature
    );
}

#[test]
fn every_single_bit_flip_in_a_feed_is_refused() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let bytes = SealedFeed::seal("dev-1", 0, &entries(0), "t", &hq, &desk.public())
        .unwrap()
        .to_bytes();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x80;
        let opened = SealedFeed::parse(&b).and_then(|f| f.open(&hq.public(), &desk, "dev-1", 0));
        assert!(
            opened.is_err(),
            "a flipped bit at byte {i} of a feed was accepted"
        );
    }
}

#[test]
fn a_feed_going_backwards_does_not_seal() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let mut es = entries(10);
    es.reverse();
    assert!(SealedFeed::seal("dev-1", 10, &es, "t", &hq, &desk.public()).is_err());
    assert!(SealedFeed::seal("dev-1", 20, &entries(10), "t", &hq, &desk.public()).is_err());
}

#[test]
fn enrolment_code_round_trips_and_binds_everything() {
    let hq = SecretKeys::generate();
    let code = EnrolmentCode {
        url: "https://127.0.0.1:8443".into(),
        cert_sha256: [3; 32],
        head_office: hq.public(),
        branch: "Алматы-1".into(),
        token: [9; 32],
        expires_at: "2026-12-03T10:00:00Z".into(),
    };
    let text = code.encode();
    let folded = format!("  {}\n{}  ", &text[..40], &text[40..]);
    assert_eq!(
        EnrolmentCode::decode(&folded).unwrap(),
        code,
        "pasted with a line break"
    );
    assert!(
        EnrolmentCode::decode(&text[..text.len() - 2]).is_err(),
        "a cut code is refused"
    );
    assert!(EnrolmentCode::decode("BDE1-!!!").is_err());
    assert!(
        !format!("{code:?}").contains("9, 9"),
        "Debug must not print the token"
    );

    let desk = SecretKeys::generate();
    let req = EnrolRequest::sign(&code, &desk, "desk-01");
    let (token, keys) = req.verify().expect("the desk's own request verifies");
    assert_eq!(token, [9; 32]);
    assert_eq!(keys, desk.public());
    let mut forged = req.clone();
    forged.signing = SecretKeys::generate().public().signing_hex();
    assert_eq!(
        forged.verify().unwrap_err(),
        SyncError::Signature,
        "a key the desk does not hold"
    );

    let answer = EnrolAnswer::sign("dev-1", &desk.public(), "Алматы-1", "t", &hq);
    answer
        .verify(&hq.public(), &desk.public())
        .expect("head office's answer verifies");
    assert!(
        answer
            .verify(&hq.public(), &SecretKeys::generate().public())
            .is_err()
    );
    // Head office registered another age recipient than the desk's: the desk would never read
    // its feed, so it refuses the answer.
    let mut swapped = desk.public();
    swapped.recipient = SecretKeys::generate().public().recipient;
    let wrong = EnrolAnswer::sign("dev-1", &swapped, "Алматы-1", "t", &hq);
    assert_eq!(
        wrong.verify(&hq.public(), &desk.public()),
        Err(SyncError::Signature)
    );
}

#[test]
fn acks_and_desk_requests_verify_only_unchanged() {
    let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
    let ack = Ack::sign("dev-1", 42, [5; 32], "t", &hq);
    assert_eq!(ack.verify(&hq.public()).unwrap(), [5; 32]);
    let mut more = ack.clone();
    more.acked_seq = 43;
    assert_eq!(more.verify(&hq.public()).unwrap_err(), SyncError::Signature);
    let json = serde_json::to_string(&ack).unwrap();
    assert_eq!(serde_json::from_str::<Ack>(&json).unwrap(), ack);

    let req = DeskRequest::sign("dev-1", 7, "t", &desk);
    req.verify(&desk.public().signing_hex()).unwrap();
    let mut other = req.clone();
    other.since = 0;
    assert_eq!(
        other.verify(&desk.public().signing_hex()).unwrap_err(),
        SyncError::Signature
    );
}

#[test]
fn chunks_verify_only_for_their_offset_and_bytes() {
    let desk = SecretKeys::generate();
    let key = desk.public().signing_hex();
    let sig = sync::chunk::sign(&desk, "dev-1", "att-1", 1024, b"bytes");
    sync::chunk::verify(&key, "dev-1", "att-1", 1024, b"bytes", &sig).unwrap();
    assert!(sync::chunk::verify(&key, "dev-1", "att-1", 0, b"bytes", &sig).is_err());
    assert!(sync::chunk::verify(&key, "dev-1", "att-1", 1024, b"bytez", &sig).is_err());
    assert!(sync::chunk::verify(&key, "dev-1", "att-2", 1024, b"bytes", &sig).is_err());
}

fn arb_record() -> impl Strategy<Value = (String, String, String, Vec<u8>)> {
    (
        "[^\\x00]{0,20}",
        "[a-z]{1,8}\\.[a-z_]{1,10}",
        "[^\\x00]{0,30}",
        proptest::collection::vec(any::<u8>(), 0..300),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_records_round_trip_through_seal_and_open(
        first in 1u64..1_000_000,
        items in proptest::collection::vec(arb_record(), 1..20),
    ) {
        let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
        let recs: Vec<Record> = items
            .into_iter()
            .zip(first..)
            .map(|((officer_id, action, entity_id, payload), seq)| Record {
                seq,
                created_at: "2026-12-02T10:00:00Z".into(),
                officer_id,
                action,
                entity_id,
                payload,
            })
            .collect();
        let batch = sealed(&desk, &hq, &recs);
        let back = SealedBatch::parse(&batch.to_bytes()).unwrap();
        back.verify(&desk.public()).unwrap();
        prop_assert_eq!(back.open(&hq).unwrap(), recs);
    }

    #[test]
    fn edited_envelopes_and_codes_never_panic_and_never_pass_changed(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let (desk, hq) = (SecretKeys::generate(), SecretKeys::generate());
        let original = sealed(&desk, &hq, &records(1, 3)).to_bytes();
        let mut bytes = original.clone();
        for (at, value) in &edits {
            let i = at % bytes.len();
            bytes[i] = *value;
        }
        let opened = SealedBatch::parse(&bytes)
            .and_then(|b| b.verify(&desk.public()).map(|()| b))
            .and_then(|b| b.open(&hq));
        prop_assert!(opened.is_err() || bytes == original, "an edited batch must not open");
        let feed = SealedFeed::seal("dev-1", 0, &entries(0), "t", &hq, &desk.public()).unwrap().to_bytes();
        let mut f = feed.clone();
        for (at, value) in &edits {
            let i = at % f.len();
            f[i] = *value;
        }
        let opened = SealedFeed::parse(&f).and_then(|x| x.open(&hq.public(), &desk, "dev-1", 0));
        prop_assert!(opened.is_err() || f == feed, "an edited feed must not open");
        let code = EnrolmentCode {
            url: "https://h:1".into(), cert_sha256: [1; 32], head_office: hq.public(), branch: "b".into(),
            token: [2; 32], expires_at: "t".into(),
        }
        .encode();
        let mut c = code.into_bytes();
        for (at, value) in &edits {
            let i = 5 + at % (c.len() - 5);
            c[i] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[usize::from(*value) % 64];
        }
        let _ = EnrolmentCode::decode(&String::from_utf8_lossy(&c));
    }

    #[test]
    fn arbitrary_bytes_never_panic_any_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = SealedBatch::parse(&bytes);
        let _ = SealedFeed::parse(&bytes);
        let _ = sync::batch::decode_records(&bytes);
        let _ = EnrolmentCode::decode(&String::from_utf8_lossy(&bytes));
    }
}

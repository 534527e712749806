//! The server over real TLS on 127.0.0.1: a desk's day with head office, and every bad input,
//! fault and attack the issue names. Each gets a typed refusal or is stored exactly once, and
//! the server keeps serving.

use sync::SecretKeys;
use sync::batch::{AuditHead, BatchInput, SealedBatch};
use sync::client::{Client, ClientError};
use sync::enrol::{DeskRequest, EnrolmentCode};
use sync::feed::FeedKind;
use sync::refusal::RefusalCode;

use crate::support::{Office, enrolled, now, outbox, status};

fn refused(r: Result<impl std::fmt::Debug, ClientError>) -> RefusalCode {
    match r {
        Err(ClientError::Refused(x)) => x.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn seal(
    desk: &crate::support::Desk,
    hq: &sync::PeerKeys,
    recs: &[sync::batch::Record],
    prev: [u8; 32],
) -> SealedBatch {
    SealedBatch::seal(
        &BatchInput {
            device: &desk.device,
            prev_hash: prev,
            created_at: &now(),
            audit_head: None,
            records: recs,
        },
        &desk.keys,
        hq,
    )
    .expect("seal")
}

#[tokio::test]
async fn a_desk_enrols_pushes_its_outbox_and_receives_head_offices_decision() {
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let desk = enrolled(&client, &office.code("Алматы-1"), "desk-01").await;

    let records = outbox("a", 30, 10);
    let ack = client
        .push_records(
            &desk.device,
            &desk.keys,
            &records,
            25,
            Some(AuditHead {
                seq: 77,
                hash: [1; 32],
            }),
            &now,
        )
        .await
        .expect("the whole outbox is pushed");
    assert_eq!(
        ack.acked_seq,
        records.len() as u64,
        "head office acknowledges every record"
    );

    let referred: serde_json::Value =
        serde_json::from_str(&office.ok(&["applications", "--stage", "referred", "--json"]))
            .unwrap();
    let ids: Vec<&str> = referred
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["a-app-0", "a-app-10", "a-app-20"],
        "every 10th application was referred"
    );
    let shown = office.ok(&["show", "a-app-10"]);
    assert!(
        shown.contains("submit") && shown.contains("refer"),
        "show lists the steps: {shown}"
    );

    let out = office.cli(&[
        "decide",
        "a-app-1",
        "approve",
        "--reason",
        "ok",
        "--by",
        "Иванова",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a submitted (not referred) application cannot be decided"
    );
    office.ok(&[
        "decide",
        "a-app-10",
        "approve",
        "--reason",
        "Доход подтверждён",
        "--by",
        "Иванова А.",
    ]);
    let again = office.cli(&[
        "decide", "a-app-10", "decline", "--reason", "x", "--by", "y",
    ]);
    assert_eq!(again.status.code(), Some(1), "a decision is made once");

    let (entries, through) = client
        .feed(&desk.device, 0, &desk.keys, &now())
        .await
        .expect("feed");
    assert_eq!(
        entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [FeedKind::Desks, FeedKind::Decision],
        "the desk's feed holds the desk list its enrolment published, then the decision"
    );
    let desks: serde_json::Value = serde_json::from_slice(&entries[0].body).unwrap();
    assert_eq!(
        desks["desks"][0]["signing"].as_str(),
        Some(desk.keys.public().signing_hex().as_str()),
        "other desks learn this desk's signing key: {desks}"
    );
    let body: serde_json::Value = serde_json::from_slice(&entries[1].body).unwrap();
    assert_eq!(
        (body["application_id"].as_str(), body["outcome"].as_str()),
        (Some("a-app-10"), Some("approve"))
    );
    let (more, _) = client
        .feed(&desk.device, through, &desk.keys, &now())
        .await
        .unwrap();
    assert!(more.is_empty(), "nothing after the last epoch");

    let devices: serde_json::Value =
        serde_json::from_str(&office.ok(&["devices", "--json"])).unwrap();
    assert_eq!(devices[0]["last_seq"], records.len() as u64);
    assert_eq!(devices[0]["audit_seq"], 77, "the desk's audit head is kept");
    assert_eq!(status(&office)["records"], records.len() as u64);
    assert_eq!(
        status(&office)["referred"],
        2,
        "one of three referred applications is decided"
    );
    assert!(server.stop().success(), "SIGTERM stops the server cleanly");
    let log = office.server_log();
    assert!(
        log.contains("batch stored"),
        "the server logs what it stored: {log}"
    );
    for personal in ["061211600012", "Тест Тестов", "+77010000000", "ремонт"] {
        assert!(
            !log.contains(personal),
            "the log must hold no client data, found {personal:?}"
        );
    }
}

#[tokio::test]
async fn sigterm_lets_a_push_in_flight_finish_before_the_server_exits() {
    let office = Office::new();
    let mut server = office.serve(&[]);
    let client = office.client(&server);
    let hq = office.head_office_keys();
    let desk = enrolled(&client, &office.code("g"), "desk").await;
    let records = outbox("g", 100, 0);
    let bytes = seal(&desk, &hq, &records, [0; 32]).to_bytes();
    let half = bytes.len() / 2;
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let (first, rest) = (bytes[..half].to_vec(), bytes[half..].to_vec());
    // The body arrives in two parts; SIGTERM comes between them.
    let body = futures_util::stream::unfold(
        (0, Some(wait), first, rest),
        |(step, wait, first, rest)| async move {
            match step {
                0 => Some((
                    Ok::<_, std::io::Error>(first.clone()),
                    (1, wait, first, rest),
                )),
                1 => {
                    if let Some(w) = wait {
                        let _ = w.await;
                    }
                    Some((Ok(rest.clone()), (2, None, first, rest)))
                }
                _ => None,
            }
        },
    );
    let raw = raw_client(&office);
    let url = format!("{}/v1/push", server.url);
    let request = tokio::spawn(async move {
        raw.post(url)
            .header("content-length", bytes.len())
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.term();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    go.send(()).unwrap();
    let res = request
        .await
        .unwrap()
        .expect("the request in flight gets its answer");
    assert_eq!(
        res.status(),
        200,
        "the push in flight is stored and acknowledged"
    );
    let ack: sync::ack::Ack = res.json().await.unwrap();
    assert_eq!(ack.acked_seq, records.len() as u64);
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "the server then exits cleanly: {exit:?}");
    assert_eq!(status(&office)["records"], records.len() as u64);
}

#[tokio::test]
async fn replayed_duplicated_reordered_truncated_and_flipped_batches() {
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let hq = office.head_office_keys();
    let desk = enrolled(&client, &office.code("b"), "desk").await;
    let recs = outbox("r", 4, 0); // 12 records
    let first = seal(&desk, &hq, &recs[..6], [0; 32]);

    // Reordered: the second batch before the first.
    let early = seal(&desk, &hq, &recs[6..], [9; 32]);
    match client.push(&early).await {
        Err(ClientError::Refused(r)) => {
            assert_eq!(r.code, RefusalCode::SequenceGap);
            assert_eq!(r.expected, Some(1), "the refusal says where to continue");
        }
        other => panic!("a batch after a gap must be refused, got {other:?}"),
    }

    let ack = client.push(&first).await.expect("the first batch");
    assert_eq!(ack.acked_seq, 6);
    // Replayed and duplicated (the same bytes twice more, at once): same answer, nothing new.
    let (a, b) = tokio::join!(client.push(&first), client.push(&first));
    assert_eq!(a.unwrap().acked_seq, 6);
    assert_eq!(b.unwrap().acked_seq, 6);
    assert_eq!(
        status(&office)["records"],
        6,
        "a replay stores nothing twice"
    );

    // A second batch that names the wrong predecessor.
    let wrong = seal(&desk, &hq, &recs[6..], [9; 32]);
    assert_eq!(
        refused(client.push(&wrong).await),
        RefusalCode::ChainMismatch
    );

    // Truncated and bit-flipped bytes, posted raw.
    let good = seal(&desk, &hq, &recs[6..], ack.verify(&hq).unwrap());
    let bytes = good.to_bytes();
    let raw = raw_client(&office);
    for (what, body) in [
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("flipped in the device id", flip(&bytes, 20)),
        ("flipped in the ciphertext", flip(&bytes, bytes.len() - 10)),
        ("empty", Vec::new()),
    ] {
        let res = raw
            .post(format!("{}/v1/push", server.url))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let refusal: serde_json::Value = res.json().await.expect("a refusal is JSON");
        assert!(status.is_client_error(), "{what}: HTTP {status}");
        assert!(
            // A flipped bit in the device id names a device that does not exist.
            ["malformed", "bad_signature", "unknown_device"]
                .contains(&refusal["code"].as_str().unwrap()),
            "{what} must be refused as malformed, unsigned or from nobody, got {refusal}"
        );
    }
    assert_eq!(
        status(&office)["records"],
        6,
        "nothing of a damaged batch is stored"
    );

    // A re-batched retry after a lost acknowledgement: records 4..12 after the batch ending at 6
    // was stored. The desk still believes 3 is its cursor; head office keeps 4..6 once.
    let ack = client.push(&good).await.expect("the intact batch");
    assert_eq!(ack.acked_seq, 12);
    assert_eq!(status(&office)["records"], 12);
    // Same sequence, other content: a conflict, nothing stored.
    let mut forged = recs[..6].to_vec();
    forged[5].payload = b"{}".to_vec();
    assert_eq!(
        refused(client.push(&seal(&desk, &hq, &forged, [0; 32])).await),
        RefusalCode::SequenceConflict
    );
    assert_eq!(status(&office)["records"], 12);

    let health = raw
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the server keeps serving");
    let metrics = raw
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("branchdesk_hq_records_total 12"),
        "metrics count stored records: {metrics}"
    );
    assert!(
        metrics.contains("branchdesk_hq_refusals_total{code=\"sequence_gap\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains(&desk.device), "metrics name no device");
}

#[tokio::test]
async fn a_batch_ahead_of_its_predecessor_waits_for_it() {
    // A desk keeps two batches on the wire: the second may arrive while the first is stored.
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let hq = office.head_office_keys();
    let desk = enrolled(&client, &office.code("b"), "desk").await;
    let recs = outbox("r", 4, 0); // 12 records
    let first = seal(&desk, &hq, &recs[..6], [0; 32]);
    let second = seal(&desk, &hq, &recs[6..], first.hash());
    let behind = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        client.push(&first).await
    };
    let (ahead, behind) = tokio::join!(client.push(&second), behind);
    assert_eq!(behind.expect("the first batch").acked_seq, 6);
    assert_eq!(
        ahead
            .expect("the second batch waits for the first instead of being refused")
            .acked_seq,
        12,
        "the second batch's acknowledgement covers both"
    );
    assert_eq!(status(&office)["records"], 12, "each record stored once");
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at] ^= 0x04;
    b
}

/// An HTTPS client that pins head office's certificate but speaks raw bytes.
fn raw_client(office: &Office) -> reqwest::Client {
    use std::sync::Arc;
    #[derive(Debug)]
    struct Pin([u8; 32], rustls::crypto::WebPkiSupportedAlgorithms);
    impl rustls::client::danger::ServerCertVerifier for Pin {
        fn verify_server_cert(
            &self,
            c: &rustls::pki_types::CertificateDer<'_>,
            _: &[rustls::pki_types::CertificateDer<'_>],
            _: &rustls::pki_types::ServerName<'_>,
            _: &[u8],
            _: rustls::pki_types::UnixTime,
        ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
            assert_eq!(
                sync::sha256(c.as_ref()),
                self.0,
                "the test talks to its own server"
            );
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            m: &[u8],
            c: &rustls::pki_types::CertificateDer<'_>,
            d: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(m, c, d, &self.1)
        }
        fn verify_tls13_signature(
            &self,
            m: &[u8],
            c: &rustls::pki_types::CertificateDer<'_>,
            d: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(m, c, d, &self.1)
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.1.supported_schemes()
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pin(
            office.cert_sha256(),
            provider.signature_verification_algorithms,
        )))
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

#[tokio::test]
async fn strangers_revoked_desks_and_spent_or_expired_codes_are_refused() {
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let hq = office.head_office_keys();
    let code = office.code("c");
    let desk = enrolled(&client, &code, "desk").await;

    // The same desk again with its code (the answer was lost on the way): the same enrolment.
    let again = client
        .enrol(&code, &desk.keys, "desk")
        .await
        .expect("a retried enrolment");
    assert_eq!(
        again.device, desk.device,
        "a retry returns the device id it was given"
    );
    // The same code again, by another desk.
    assert_eq!(
        refused(client.enrol(&code, &SecretKeys::generate(), "thief").await),
        RefusalCode::EnrolmentUsed
    );
    // A code head office never made.
    let mut invented = code.clone();
    invented.token = [7; 32];
    assert_eq!(
        refused(client.enrol(&invented, &SecretKeys::generate(), "x").await),
        RefusalCode::EnrolmentInvalid
    );
    // An expired code: made directly in the store with a past deadline.
    let store = hq::store::AnyStore::open(&office.db).await.unwrap();
    let token = [3u8; 32];
    hq::store::Store::create_enrolment(
        &store,
        hq::store::NewEnrolment {
            token_sha256: sync::sha256(&token),
            branch: "c".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-02T00:00:00Z".into(),
        },
    )
    .await
    .unwrap();
    let expired = EnrolmentCode {
        token,
        ..code.clone()
    };
    assert_eq!(
        refused(
            client
                .enrol(&expired, &SecretKeys::generate(), "late")
                .await
        ),
        RefusalCode::EnrolmentExpired
    );

    // Never enrolled: a device id head office does not know, and a known id signed by another key.
    let stranger = crate::support::Desk {
        keys: SecretKeys::generate(),
        device: "dev-000000000000".into(),
    };
    let recs = outbox("s", 1, 0);
    assert_eq!(
        refused(client.push(&seal(&stranger, &hq, &recs, [0; 32])).await),
        RefusalCode::UnknownDevice
    );
    let impostor = crate::support::Desk {
        keys: SecretKeys::generate(),
        device: desk.device.clone(),
    };
    assert_eq!(
        refused(client.push(&seal(&impostor, &hq, &recs, [0; 32])).await),
        RefusalCode::BadSignature
    );
    assert_eq!(
        refused(client.cursor(&desk.device, &impostor.keys, &now()).await),
        RefusalCode::BadSignature
    );

    // Revoked: pushes refused; the feed still tells the desk.
    let out = office.ok(&["revoke", &desk.device]);
    assert!(out.contains("revoked"), "{out}");
    assert_eq!(
        refused(client.push(&seal(&desk, &hq, &recs, [0; 32])).await),
        RefusalCode::Revoked
    );
    let (entries, _) = client
        .feed(&desk.device, 0, &desk.keys, &now())
        .await
        .expect("a revoked desk reads its feed");
    assert_eq!(
        entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [
            FeedKind::Desks,
            FeedKind::Desks,
            FeedKind::Revocation,
            FeedKind::Desks
        ],
        "two enrolments and the revocation publish the desk list; the revocation reaches the desk"
    );
    let last: serde_json::Value = serde_json::from_slice(&entries[3].body).unwrap();
    let listed = last["desks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == desk.device.as_str())
        .cloned()
        .unwrap_or_default();
    assert!(
        listed["revoked_at"].is_string(),
        "other desks learn it was revoked: {last}"
    );
    assert_eq!(
        status(&office)["records"],
        0,
        "nothing from strangers or revoked desks is stored"
    );
    assert_eq!(office.cli(&["revoke", "dev-nobody"]).status.code(), Some(1));
}

#[tokio::test]
async fn oversize_malformed_other_versions_and_other_certificates_are_refused() {
    let office = Office::new();
    let server = office.serve(&["--rate", "2"]);
    let raw = raw_client(&office);

    let big = vec![0u8; sync::MAX_ENVELOPE + 1];
    let res = raw
        .post(format!("{}/v1/push", server.url))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["code"],
        "too_large"
    );

    let res = raw
        .post(format!("{}/v1/feed", server.url))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["code"],
        "malformed"
    );

    let res = raw
        .post(format!("{}/v1/cursor", server.url))
        .header(sync::VERSION_HEADER, "2")
        .json(&DeskRequest::sign("d", 0, "t", &SecretKeys::generate()))
        .send()
        .await
        .unwrap();
    let r: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (r["code"].as_str(), r["ours"].as_u64(), r["theirs"].as_u64()),
        (Some("protocol_version"), Some(1), Some(2))
    );
    assert!(
        r["message"].as_str().unwrap().contains('2'),
        "the message names the other version: {r}"
    );

    // A server with another certificate: the pinned client refuses to talk to it.
    let other = Office::new();
    let other_server = other.serve(&[]);
    let pinned_elsewhere = Client::new(
        &other_server.url,
        office.cert_sha256(),
        office.head_office_keys(),
    )
    .unwrap();
    let r = pinned_elsewhere
        .cursor("d", &SecretKeys::generate(), &now())
        .await;
    assert!(
        matches!(r, Err(ClientError::Certificate)),
        "another certificate must be refused, got {r:?}"
    );

    // The per-device budget (--rate 2: bursts of 20) then a refusal, and the server still serves.
    let client = office.client(&server);
    let desk = enrolled(&client, &office.code("d"), "desk").await;
    let mut limited = 0;
    for _ in 0..40 {
        if let Err(ClientError::Refused(r)) = client.cursor(&desk.device, &desk.keys, &now()).await
        {
            assert_eq!(r.code, RefusalCode::RateLimited);
            limited += 1;
        }
    }
    assert!(
        limited >= 10,
        "a desk over its budget is refused ({limited} of 40 refused)"
    );
    assert_eq!(
        raw.get(format!("{}/health", server.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_server_killed_mid_push_loses_nothing_it_acknowledged() {
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let desk = enrolled(&client, &office.code("k"), "desk").await;
    let records = outbox("k", 400, 0); // 1200 records
    let hq = office.head_office_keys();

    // Push batches of 20 one after another; kill the server with SIGKILL after a few acks,
    // while the next push is in flight.
    let mut acked = 0u64;
    let mut prev = [0u8; 32];
    let mut pushes = 0;
    let pending = loop {
        let start = acked as usize;
        let batch = seal(&desk, &hq, &records[start..start + 20], prev);
        if pushes == 8 {
            let c = client.clone();
            break tokio::spawn(async move { c.push(&batch).await });
        }
        let ack = client.push(&batch).await.expect("push before the kill");
        acked = ack.acked_seq;
        prev = ack.verify(&hq).unwrap();
        pushes += 1;
    };
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    server.kill();
    let in_flight = pending.await.unwrap();

    let server = office.serve(&[]);
    let client = office.client(&server);
    let cursor = client
        .cursor(&desk.device, &desk.keys, &now())
        .await
        .expect("cursor after restart");
    assert!(
        cursor.acked_seq >= acked,
        "acknowledged records survive SIGKILL: {} < {acked}",
        cursor.acked_seq
    );
    if let Ok(a) = in_flight {
        assert!(
            cursor.acked_seq >= a.acked_seq,
            "an ack received before the kill is durable"
        );
    }
    let ack = client
        .push_records(&desk.device, &desk.keys, &records, 100, None, &now)
        .await
        .expect("the desk finishes");
    assert_eq!(ack.acked_seq, records.len() as u64);
    assert_eq!(
        status(&office)["records"],
        records.len() as u64,
        "every record stored exactly once"
    );
}

#[tokio::test]
async fn attachments_upload_in_chunks_and_resume_where_they_stopped() {
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let desk = enrolled(&client, &office.code("e"), "desk").await;
    let scan: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
    let sha = hex::encode(sync::sha256(&scan));
    let announce = sync::batch::Record {
        seq: 1,
        created_at: now(),
        officer_id: "o".into(),
        action: "attachment.add".into(),
        entity_id: "att-1".into(),
        payload: serde_json::json!([{"id": "att-1", "client_id": "c-1", "kind": "scan", "media_type": "application/pdf", "sha256": sha, "size": scan.len()}, "c-1"]).to_string().into_bytes(),
    };
    client
        .push_records(&desk.device, &desk.keys, &[announce], 10, None, &now)
        .await
        .unwrap();

    let chunk = sync::chunk::MAX_CHUNK;
    assert_eq!(
        refused(
            client
                .put_chunk(&desk.device, &desk.keys, "att-2", 0, &scan[..10])
                .await
        ),
        RefusalCode::UnknownAttachment
    );
    client
        .put_chunk(&desk.device, &desk.keys, "att-1", 0, &scan[..chunk])
        .await
        .expect("first chunk");
    // The connection drops; the desk does not know how far it got and starts again at 0.
    match client
        .put_chunk(&desk.device, &desk.keys, "att-1", 0, &scan[..chunk])
        .await
    {
        Err(ClientError::Refused(r)) => {
            assert_eq!(r.code, RefusalCode::ChunkOffset);
            assert_eq!(
                r.expected,
                Some(chunk as u64),
                "head office says where to resume"
            );
        }
        other => panic!("expected a resume offset, got {other:?}"),
    }
    let mut offset = chunk;
    let mut last = serde_json::Value::Null;
    while offset < scan.len() {
        let end = (offset + chunk).min(scan.len());
        last = client
            .put_chunk(
                &desk.device,
                &desk.keys,
                "att-1",
                offset as u64,
                &scan[offset..end],
            )
            .await
            .unwrap();
        offset = end;
    }
    assert_eq!(
        last["complete"], true,
        "all bytes arrived and match the announced hash: {last}"
    );
    // A chunk signed for other bytes is refused.
    let sig = sync::chunk::sign(&desk.keys, &desk.device, "att-1", 0, b"other");
    let res = raw_client(&office)
        .put(format!("{}/v1/attachments/att-1?offset=0", server.url))
        .header(sync::chunk::DEVICE_HEADER, &desk.device)
        .header(sync::chunk::SIGNATURE_HEADER, sig)
        .body(scan[..10].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["code"],
        "bad_signature"
    );
}

#[tokio::test]
async fn publications_are_checked_before_they_reach_any_desk() {
    let office = Office::new();
    let server = office.serve(&[]);
    let client = office.client(&server);
    let desk = enrolled(&client, &office.code("p"), "desk").await;
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../config");

    office.ok(&[
        "publish",
        "products",
        config.join("catalog.json").to_str().unwrap(),
    ]);
    office.ok(&[
        "publish",
        "policy",
        config.join("policy/v1.json").to_str().unwrap(),
    ]);
    // An altered policy text no longer matches its stated hash; a non-catalogue is not products.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(config.join("policy/v1.json"), dir.path().join("v1.json")).unwrap();
    let text = std::fs::read_to_string(config.join("policy/privacy-policy-v1.ru.md")).unwrap();
    std::fs::write(
        dir.path().join("privacy-policy-v1.ru.md"),
        text.replace("SM INVEST", "SM 1NVEST"),
    )
    .unwrap();
    let bad = office.cli(&[
        "publish",
        "policy",
        dir.path().join("v1.json").to_str().unwrap(),
    ]);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "an altered policy text is refused"
    );
    std::fs::write(dir.path().join("x.json"), r#"{"products": []}"#).unwrap();
    assert_eq!(
        office
            .cli(&[
                "publish",
                "products",
                dir.path().join("x.json").to_str().unwrap()
            ])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        office
            .cli(&["publish", "caps", "/nonexistent.json"])
            .status
            .code(),
        Some(1)
    );
    office.ok(&["roster", "disable", "officer-7"]);
    // Trust anchors: NCA RK's public test CAs in one PEM file; a file with no certificate is refused.
    let nca =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../verify/tests/fixtures/nca/ca");
    let pem: String = ["root_test_gost_2022.cer", "nca_gost2022_test.cer"]
        .iter()
        .map(|f| {
            use base64::Engine as _;
            let der = std::fs::read(nca.join(f)).unwrap();
            let b64 = base64::engine::general_purpose::STANDARD.encode(der);
            format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
        })
        .collect();
    std::fs::write(dir.path().join("anchors.pem"), pem).unwrap();
    let out = office.ok(&[
        "publish",
        "anchors",
        dir.path().join("anchors.pem").to_str().unwrap(),
    ]);
    assert!(out.contains("published anchors"), "{out}");
    assert_eq!(
        office
            .cli(&[
                "publish",
                "anchors",
                dir.path().join("x.json").to_str().unwrap()
            ])
            .status
            .code(),
        Some(1),
        "a file without certificates is not anchors"
    );

    let (entries, _) = client
        .feed(&desk.device, 0, &desk.keys, &now())
        .await
        .unwrap();
    let kinds: Vec<FeedKind> = entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            FeedKind::Desks,
            FeedKind::Products,
            FeedKind::Policy,
            FeedKind::Roster,
            FeedKind::Anchors
        ],
        "the desk list from its enrolment, then only what passed the checks"
    );
    assert_eq!(entries[2].effective_from.as_deref(), Some("2026-01-01"));
    let anchors: serde_json::Value = serde_json::from_slice(&entries[4].body).unwrap();
    assert_eq!(anchors["anchors"].as_array().map(Vec::len), Some(2));
}

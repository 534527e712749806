//! Issued documents: stored whole with their hashes, audited and queued, refused when malformed.

use sha2::{Digest, Sha256};
use vault::{NewDocument, VaultError, new_document_id};

use super::{desk, now};

fn doc<'a>(id: &'a vault::DocumentId, pdf: &'a [u8]) -> NewDocument<'a> {
    NewDocument {
        id,
        kind: "policy",
        client_id: None,
        application_id: None,
        policy_version: Some(1),
        issued_at: now(),
        content: r#"{"kind":"policy","policy_version":1}"#,
        content_sha256: "ab".repeat(32).leak(),
        signature: "cd".repeat(64).leak(),
        pdf,
    }
}

#[test]
fn an_issued_document_is_kept_whole_with_its_hash_audited_and_queued() {
    let d = desk();
    let mut v = d.unlock();
    let (audit, outbox) = (v.audit_len().unwrap(), v.outbox_pending().unwrap());
    let id = new_document_id();
    let pdf = b"%PDF-1.3 a printed policy".to_vec();
    let stored = v.store_document(&doc(&id, &pdf), now()).expect("store");
    assert_eq!(stored.pdf_sha256, hex::encode(Sha256::digest(&pdf)));
    assert_eq!(stored.size, pdf.len() as i64);
    assert_eq!(stored.officer_id, v.officer().id.0);
    let (again, bytes) = v.document(&id).expect("read back");
    assert_eq!(
        (again, bytes),
        (stored.clone(), pdf),
        "the same record and the same bytes"
    );
    assert_eq!(v.audit_len().unwrap(), audit + 1, "issuing is audited");
    assert_eq!(
        v.outbox_pending().unwrap(),
        outbox + 1,
        "and queued for head office"
    );
    assert_eq!(v.first_broken_audit_entry().unwrap(), None);
    assert!(matches!(
        v.document(&vault::DocumentId::from("0".repeat(32))),
        Err(VaultError::NotFound)
    ));

    let same_id = v.store_document(&doc(&id, b"%PDF other"), now());
    assert!(
        same_id.is_err(),
        "a document id is issued once; a stored document never changes"
    );
    assert_eq!(v.document(&id).unwrap().1, b"%PDF-1.3 a printed policy");
}

#[test]
fn malformed_documents_are_refused_and_change_nothing() {
    let d = desk();
    let mut v = d.unlock();
    let (audit, outbox) = (v.audit_len().unwrap(), v.outbox_pending().unwrap());
    let id = new_document_id();
    let short = vault::DocumentId::from("abc");
    let nobody = vault::ClientId::from("nobody");
    let cases: Vec<(&str, NewDocument<'_>)> = vec![
        (
            "unknown kind",
            NewDocument {
                kind: "memo",
                ..doc(&id, b"%PDF")
            },
        ),
        (
            "short id",
            NewDocument {
                id: &short,
                ..doc(&id, b"%PDF")
            },
        ),
        (
            "short hash",
            NewDocument {
                content_sha256: "ab",
                ..doc(&id, b"%PDF")
            },
        ),
        (
            "short signature",
            NewDocument {
                signature: "cd",
                ..doc(&id, b"%PDF")
            },
        ),
        ("no bytes", doc(&id, b"")),
        (
            "unknown client",
            NewDocument {
                client_id: Some(&nobody),
                ..doc(&id, b"%PDF")
            },
        ),
    ];
    for (why, bad) in cases {
        assert!(
            v.store_document(&bad, now()).is_err(),
            "{why} must be refused"
        );
    }
    assert_eq!(v.audit_len().unwrap(), audit, "nothing audited");
    assert_eq!(v.outbox_pending().unwrap(), outbox, "nothing queued");
    assert!(
        matches!(v.document(&id), Err(VaultError::NotFound)),
        "nothing stored"
    );
}

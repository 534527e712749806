//! Documents: wrong stages, unknown records, unprintable text; sealed documents kept whole.

use super::application_fields::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// Printed documents

pub(super) fn documents_of(v: &Vault) -> usize {
    let apps: Vec<vault::ApplicationId> = v
        .applications(&ApplicationFilter::default(), None, 1000)
        .expect("list")
        .items
        .into_iter()
        .map(|a| a.id)
        .collect();
    let clients: Vec<vault::ClientId> = v
        .search_clients(&ClientQuery::All, None, 1000)
        .expect("clients")
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut n = 0;
    for c in &clients {
        n += v.documents_for(Some(c), &[]).expect("documents").len();
    }
    n + v.documents_for(None, &apps).expect("documents").len()
}

#[test]
pub(super) fn printing_refuses_wrong_stages_unknown_records_and_unprintable_text_and_stores_nothing()
 {
    use crate::commands::documents::{self, PrintRequest};
    let mut b = branch();
    let draft = applications::create(
        &mut b.officer,
        &ApplicationCreateRequest {
            client_id: b.client_id.clone(),
            form: application_form(),
        },
        now(),
    )
    .expect("a draft");
    let mut odd = client_form();
    odd.iin = iin("92020240001");
    odd.birth_date = "02.02.1992".into();
    odd.actual_address = "г. Алматы, ЖК «中心», кв. 5".into();
    let odd_client = clients::create(&mut b.officer, &odd, now()).expect("the form accepts it");

    let cases: Vec<(PrintRequest, ErrorCode, &str)> = vec![
        (
            PrintRequest::Offer {
                application_id: draft.clone(),
            },
            ErrorCode::WrongStage,
            "a draft has no approved terms to offer",
        ),
        (
            PrintRequest::Offer {
                application_id: "0".repeat(32),
            },
            ErrorCode::NotFound,
            "no such application",
        ),
        (
            PrintRequest::Consent {
                client_id: "nobody".into(),
            },
            ErrorCode::NotFound,
            "no such client",
        ),
        (
            PrintRequest::Policy {
                client_id: Some("nobody".into()),
            },
            ErrorCode::NotFound,
            "a policy for no such client",
        ),
        (
            PrintRequest::Consent {
                client_id: odd_client,
            },
            ErrorCode::Unprintable,
            "an address the fonts cannot draw is refused, not printed as boxes",
        ),
    ];
    for (request, code, why) in cases {
        let before = stored(&b.officer);
        let docs = documents_of(&b.officer);
        let r = documents::issue(&mut b.officer, &request, now());
        assert_eq!(r.as_ref().err().map(|e| e.code), Some(code), "{why}");
        assert_eq!(
            stored(&b.officer),
            before,
            "{why}: nothing audited or queued"
        );
        assert_eq!(documents_of(&b.officer), docs, "{why}: no document stored");
    }
}

#[test]
pub(super) fn printing_issues_sealed_documents_kept_in_the_vault() {
    use crate::commands::documents::{self, PrintRequest};
    use ed25519_dalek::Verifier;
    let mut b = branch();
    let id = applications::create(
        &mut b.officer,
        &ApplicationCreateRequest {
            client_id: b.client_id.clone(),
            form: application_form(),
        },
        now(),
    )
    .expect("a draft");
    let save = ApplicationSaveRequest {
        id: id.clone(),
        form: application_form(),
    };
    applications::submit(&mut b.officer, &save, now()).expect("submit");
    let approve = ApplicationStepRequest {
        id: id.clone(),
        step: Step::Approve,
        reason: None,
    };
    applications::step(&mut b.supervisor, &approve, now()).expect("approve");
    // Approved is not enough: the offer is printed once the maker has issued it.
    let early = documents::issue(
        &mut b.supervisor,
        &PrintRequest::Offer {
            application_id: id.clone(),
        },
        now(),
    );
    assert_eq!(
        early.err().map(|e| e.code),
        Some(ErrorCode::WrongStage),
        "nobody prints an offer the officer has not issued"
    );
    let issue = ApplicationStepRequest {
        id: id.clone(),
        step: Step::IssueOffer,
        reason: None,
    };
    applications::step(&mut b.officer, &issue, now()).expect("issue the offer");

    let before = stored(&b.officer);
    let (offer, pdf) = documents::issue(
        &mut b.officer,
        &PrintRequest::Offer {
            application_id: id.clone(),
        },
        now(),
    )
    .expect("the offer prints");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let after = stored(&b.officer);
    assert_eq!(
        (after.audit, after.outbox),
        (before.audit + 1, before.outbox + 1),
        "audited and queued"
    );
    let (kept, bytes) = b.officer.document(&offer.id).expect("kept");
    assert_eq!(bytes, pdf, "the vault keeps exactly the bytes printed");
    assert_eq!(
        kept.application_id
            .as_ref()
            .map(vault::ApplicationId::as_str),
        Some(id.as_str())
    );
    assert_eq!(
        kept.client_id.as_ref().map(vault::ClientId::as_str),
        Some(b.client_id.as_str())
    );

    // The seal verifies with the desk's public key over the stored content hash.
    let key_hex = b.officer.desk_public_keys().expect("keys").signing;
    let key = ed25519_dalek::VerifyingKey::from_bytes(
        &hex::decode(key_hex)
            .expect("hex")
            .try_into()
            .expect("32 bytes"),
    )
    .expect("a key");
    let at = chrono::DateTime::parse_from_rfc3339(&kept.issued_at)
        .expect("time")
        .to_utc();
    let message = print::signing_message(
        print::Kind::Offer,
        kept.id.as_str(),
        at,
        &kept.content_sha256,
    );
    let sig = ed25519_dalek::Signature::from_slice(&hex::decode(&kept.signature).expect("hex"))
        .expect("64 bytes");
    assert!(
        key.verify(&message, &sig).is_ok(),
        "the desk signed this offer"
    );

    let (consent, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::Consent {
            client_id: b.client_id.clone(),
        },
        now(),
    )
    .expect("the consent form prints");
    assert_eq!(consent.policy_version, Some(1));
    let (policy, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::Policy {
            client_id: Some(b.client_id.clone()),
        },
        now(),
    )
    .expect("policy");
    assert_eq!(
        (policy.kind.as_str(), policy.policy_version),
        ("policy", Some(1))
    );
    assert_eq!(
        policy.client_id.as_ref().map(vault::ClientId::as_str),
        Some(b.client_id.as_str()),
        "handed to this client"
    );
    let (walk_in, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::Policy { client_id: None },
        now(),
    )
    .expect("a policy for someone not registered yet");
    assert_eq!(walk_in.client_id, None);

    let listed = documents::list(&b.officer, Some(&b.client_id), Some(&id)).expect("list");
    let kinds: BTreeSet<&str> = listed.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["consent", "offer", "policy"]),
        "the client's documents and the application's"
    );
    // The client's consent form printed when they consented (in `branch`), this test's consent
    // form, offer and policy: the walk-in's policy is nobody's.
    assert_eq!(listed.len(), 4, "the walk-in's policy is nobody's");
    assert_ne!(consent.id, offer.id, "every issue is a new document");
}

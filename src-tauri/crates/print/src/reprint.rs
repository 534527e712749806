//! A document rebuilt from what its own PDF carries: the canonical content (the JSON its seal's
//! hash is taken over) and the seal. Rendering is deterministic, so the rebuilt bytes equal the
//! file's exactly when nothing in the file was changed; a verifier compares them.
//!
//! The policy's content names its version and hash only, so its text comes from the versions the
//! caller knows (the shipped ones and those head office published).

use domain::policy::PolicyVersion;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::seal::{Kind, Seal};
use crate::{ConsentForm, Document, Offer, PrintError, Receipt};

/// Why a document cannot be rebuilt from its content.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReprintError {
    /// The content is not the JSON of a document of its kind.
    #[error("the document's content cannot be read")]
    Content,
    /// The content names a policy version this desk does not know.
    #[error("the document refers to policy version {0} that this desk does not know")]
    UnknownPolicy(u32),
    /// The content reads but does not print.
    #[error(transparent)]
    Print(#[from] PrintError),
}

#[derive(Deserialize)]
struct Tag {
    kind: String,
}

#[derive(Deserialize)]
struct PolicyContent {
    policy_version: u32,
    policy_language: String,
    policy_sha256: String,
}

fn read<T: DeserializeOwned>(json: &str) -> Result<T, ReprintError> {
    serde_json::from_str(json).map_err(|_| ReprintError::Content)
}

/// The kind `content` says it is and the PDF it renders to with `seal`; `policies` are the policy
/// versions a policy printout may be a copy of.
pub fn reprint(
    content: &str,
    seal: Option<&Seal>,
    policies: &[PolicyVersion],
) -> Result<(Kind, Vec<u8>), ReprintError> {
    let kind = Kind::parse(&read::<Tag>(content)?.kind).ok_or(ReprintError::Content)?;
    let bytes = match kind {
        Kind::Policy => {
            let c: PolicyContent = read(content)?;
            let policy = policies
                .iter()
                .find(|p| {
                    p.version == c.policy_version
                        && p.language == c.policy_language
                        && p.sha256 == c.policy_sha256
                })
                .ok_or(ReprintError::UnknownPolicy(c.policy_version))?;
            Document::Policy(policy).render(seal)?
        }
        Kind::Consent | Kind::BureauConsent => {
            let form: ConsentForm = read(content)?;
            let document = Document::Consent(&form);
            // The tag and the scope must agree: a bureau form's content says so twice.
            if document.kind() != kind {
                return Err(ReprintError::Content);
            }
            document.render(seal)?
        }
        Kind::Offer => Document::Offer(&read::<Offer>(content)?).render(seal)?,
        Kind::Receipt => Document::Receipt(&read::<Receipt>(content)?).render(seal)?,
    };
    Ok((kind, bytes))
}

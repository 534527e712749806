//! Verifying at the desk, shared by the window's commands: an identity document's zone against
//! the client's record, a printout (PDF or QR text) against the desks this desk knows, a signed
//! file against the trust anchors head office configured. Each check is done by the `verify`
//! crate; here its report becomes the lines the officer reads (a closed set of codes the window
//! words in three languages) and is kept in the vault, audited and queued.

use chrono::{DateTime, Utc};
use domain::consent::Scope;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use vault::{ClientId, NewVerification, Vault, VaultError, VerificationKind, VerificationRecord};
use verify::certificate::Cert;
use verify::cms::SignerReport;
use verify::identity::{self, IdentityReport};
use verify::ours::{self, DeskKey, OursReport};
use verify::signed::{self, SignedReport};

use crate::error::{CommandError, ErrorCode};
use crate::quote::{desk_date, desk_time_text};

/// One line of a report: what it is about (`code`, a closed set the window words), how it came
/// out, and what was found and expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportLine {
    /// `check.<name>` (identity), `printout.<name>`, `reason.<name>`, `signed.<name>`, `problem.<name>`,
    /// `failure.<name>`.
    pub code: String,
    /// `pass`, `warn`, `fail` or `info`.
    pub outcome: String,
    /// What the document or file says.
    pub found: Option<String>,
    /// What the client's record says, where it was compared.
    pub expected: Option<String>,
}

/// A verification as the window shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct VerificationView {
    /// The kept report's id; `None` when it could not be kept (a revoked desk is read-only).
    pub id: Option<String>,
    /// `identity`, `printout` or `signed`.
    pub kind: String,
    /// identity: `pass`, `warn`, `fail`; printout: `authentic`, `altered`, `unknown_signer`,
    /// `revoked_signer`; signed: `valid`, `not_valid`, `unsigned`.
    pub verdict: String,
    /// What was checked, in words.
    pub subject: String,
    /// `26.11.2026 09:30`, desk time.
    pub at: String,
    pub lines: Vec<ReportLine>,
}

fn code<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn line(
    code: String,
    outcome: &str,
    found: Option<String>,
    expected: Option<String>,
) -> ReportLine {
    ReportLine {
        code,
        outcome: outcome.to_owned(),
        found,
        expected,
    }
}

fn info(code: &str, found: impl Into<String>) -> ReportLine {
    line(code.to_owned(), "info", Some(found.into()), None)
}

fn time_text(t: DateTime<Utc>) -> String {
    desk_time_text(&t.to_rfc3339())
}

/// The identity report's lines.
pub(crate) fn identity_lines(report: &IdentityReport) -> Vec<ReportLine> {
    report
        .findings
        .iter()
        .map(|f| {
            line(
                format!("check.{}", code(&f.check)),
                &code(&f.outcome),
                f.document.clone(),
                f.record.clone(),
            )
        })
        .collect()
}

/// A printout report's lines.
pub(crate) fn printout_lines(r: &OursReport) -> Vec<ReportLine> {
    let mut out = Vec::new();
    if let Some(kind) = r.kind {
        out.push(info("printout.kind", kind.as_str()));
    }
    if let Some(id) = &r.id {
        out.push(info("printout.id", id.clone()));
    }
    if let Some(t) = r.issued_at {
        out.push(info("printout.issued_at", time_text(t)));
    }
    if r.own_desk {
        out.push(line("printout.own_desk".into(), "pass", None, None));
    } else if let Some(signer) = &r.signer {
        let outcome = if r.revoked_at.is_some() {
            "fail"
        } else {
            "pass"
        };
        out.push(line(
            "printout.signer".into(),
            outcome,
            Some(signer.clone()),
            None,
        ));
    } else if let Some(key) = &r.desk_key {
        out.push(info("printout.desk_key", key.clone()));
    }
    if let Some(t) = r.revoked_at {
        out.push(line(
            "printout.revoked_at".into(),
            "fail",
            Some(time_text(t)),
            None,
        ));
    }
    match r.reason {
        Some(reason) => out.push(line(
            format!("reason.{}", code(&reason)),
            "fail",
            None,
            None,
        )),
        None if r.content_checked => out.push(line("printout.paper".into(), "pass", None, None)),
        None => out.push(line("printout.seal_only".into(), "warn", None, None)),
    }
    out
}

fn signer_lines(n: usize, s: &SignerReport, now: DateTime<Utc>, out: &mut Vec<ReportLine>) {
    let mut who = s.signer.name.clone();
    if let Some(org) = &s.signer.organisation {
        who.push_str(&format!(", {org}"));
    }
    out.push(line(
        "signed.signer".into(),
        if s.failure.is_none() { "pass" } else { "fail" },
        Some(format!("{n}. {who}").trim_end().to_owned()),
        None,
    ));
    if let Some(iin) = &s.signer.iin {
        out.push(info("signed.iin", iin.clone()));
    }
    if let Some(bin) = &s.signer.bin {
        out.push(info("signed.bin", bin.clone()));
    }
    if !s.algorithm.is_empty() {
        out.push(info("signed.algorithm", s.algorithm.clone()));
    }
    match (&s.time_stamp, s.signing_time) {
        (Some(t), _) if t.trusted => out.push(line(
            "signed.time_stamp".into(),
            "pass",
            Some(format!("{}, {}", time_text(t.time), t.authority)),
            None,
        )),
        (t, signing) => {
            if let Some(at) = signing {
                out.push(info("signed.signing_time", time_text(at)));
                // The certificate was judged at a time only the signer vouches for.
                let expired = s.certificate_valid.is_some_and(|(_, until)| until < now);
                if !verify::cms::claim_believable(at, now) {
                    out.push(line(
                        "signed.signing_time_future".into(),
                        "warn",
                        None,
                        None,
                    ));
                } else if expired && s.failure.is_none() {
                    out.push(line("signed.time_claimed_only".into(), "warn", None, None));
                }
            }
            if let Some(t) = t {
                out.push(line(
                    "signed.time_stamp_untrusted".into(),
                    "warn",
                    Some(format!("{}, {}", time_text(t.time), t.authority)),
                    None,
                ));
            }
        }
    }
    if let Some(f) = s.failure {
        // Details are technical English (for --json and the kept report); only a certificate's
        // subject, which is a name, is shown beside the reason.
        let found = match f {
            verify::cms::Failure::UnknownSigner | verify::cms::Failure::CertificateNotValid => {
                s.detail.clone()
            }
            _ => None,
        };
        out.push(line(format!("failure.{}", code(&f)), "fail", found, None));
    }
}

/// A signed file's lines: each signer; for a PDF, signatures over an earlier revision, entries
/// that made no signature, and whether the file changed after its last signature.
pub(crate) fn signed_lines(
    report: &SignedReport,
    anchors: usize,
    now: DateTime<Utc>,
) -> Vec<ReportLine> {
    let mut out = Vec::new();
    let mut n = 0;
    match report {
        SignedReport::Pdf(p) => {
            for (i, sig) in p.signatures.iter().enumerate() {
                if sig.signers.is_empty() {
                    out.push(line("signed.no_signer".into(), "fail", None, None));
                }
                for s in &sig.signers {
                    n += 1;
                    signer_lines(n, s, now, &mut out);
                }
                if !sig.covers_whole_file && i + 1 < p.signatures.len() {
                    out.push(line("signed.earlier_revision".into(), "warn", None, None));
                }
            }
            for problem in &p.problems {
                out.push(line(
                    format!("problem.{}", code(problem)),
                    "fail",
                    None,
                    None,
                ));
            }
            if !p.signatures.is_empty() {
                let (code, outcome) = if p.changed_after_signing {
                    ("signed.changed_after_signing", "fail")
                } else {
                    ("signed.unchanged_after_signing", "pass")
                };
                out.push(line(code.into(), outcome, None, None));
            }
        }
        SignedReport::Cms(c) => {
            for s in &c.signers {
                n += 1;
                signer_lines(n, s, now, &mut out);
            }
        }
    }
    if anchors == 0 {
        out.push(line("signed.no_anchors".into(), "warn", None, None));
    }
    out
}

/// The keys of the desks whose printouts this desk accepts, as the verify crate takes them.
pub(crate) fn desk_keys(v: &Vault) -> Result<Vec<DeskKey>, VaultError> {
    Ok(v.known_desks()?
        .into_iter()
        .map(|d| DeskKey {
            key: d.key,
            name: d.name,
            own: d.own,
            // A revocation whose time cannot be read is still a revocation.
            revoked_at: d.revoked_at.map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(DateTime::UNIX_EPOCH)
            }),
        })
        .collect())
}

/// The trust anchors head office configured, read as certificates.
pub(crate) fn anchors(v: &Vault) -> Result<Vec<Cert>, VaultError> {
    Ok(v.trust_anchors()?
        .iter()
        .flat_map(|a| Cert::read_all(a.pem.as_bytes()))
        .collect())
}

fn policies(v: &Vault) -> Result<Vec<domain::policy::PolicyVersion>, VaultError> {
    let mut all = v.policy_versions(Scope::Privacy)?;
    all.extend(v.policy_versions(Scope::CreditBureau)?);
    Ok(all)
}

/// Keeps the report and returns its view. A revoked desk still shows what it found, unkept.
/// The JSON the vault keeps: the check's own report, and the lines as the officer read them (so
/// the history shows them again exactly, whatever the verify crate says later).
fn kept_json(mut body: serde_json::Value, lines: &[ReportLine]) -> Result<String, CommandError> {
    let failed = || CommandError::new(ErrorCode::Internal, "the report could not be written");
    body["lines"] = serde_json::to_value(lines).map_err(|_| failed())?;
    serde_json::to_string(&body).map_err(|_| failed())
}

fn keep(
    v: &mut Vault,
    new: &NewVerification<'_>,
    lines: Vec<ReportLine>,
    now: DateTime<Utc>,
) -> Result<VerificationView, CommandError> {
    let view = |id: Option<String>| VerificationView {
        id,
        kind: code(&new.kind),
        verdict: new.verdict.to_owned(),
        subject: new.subject.to_owned(),
        at: time_text(now),
        lines: lines.clone(),
    };
    match v.record_verification(new, now) {
        Ok(r) => Ok(view(Some(r.id))),
        Err(VaultError::Revoked) => Ok(view(None)),
        Err(e) => Err(e.into()),
    }
}

/// Checks an identity document's zone against a client's record, and keeps the report.
pub(crate) fn check_identity(
    v: &mut Vault,
    client_id: &str,
    lines: &[String],
    now: DateTime<Utc>,
) -> Result<VerificationView, CommandError> {
    let client_id = ClientId::from(client_id);
    let client = v.client(&client_id)?;
    let zone = verify::mrz::parse(lines)
        .map_err(|e| CommandError::new(ErrorCode::MrzUnreadable, e.to_string()).on("mrz"))?;
    let report = identity::check_client(&zone, &client.client, desk_date(now));
    let subject = format!(
        "{} {}",
        match zone.format {
            verify::mrz::Format::Td1 => "ID",
            verify::mrz::Format::Td3 => "P",
        },
        zone.document_number
    );
    let verdict = code(&report.verdict);
    let lines = identity_lines(&report);
    let json = kept_json(
        serde_json::json!({ "zone": zone, "report": report }),
        &lines,
    )?;
    keep(
        v,
        &NewVerification {
            kind: VerificationKind::Identity,
            client_id: Some(&client_id),
            subject: &subject,
            file_sha256: None,
            verdict: &verdict,
            report: &json,
        },
        lines,
        now,
    )
}

/// Checks a printout's QR text against the desks this desk knows, and keeps the report.
pub(crate) fn check_qr(
    v: &mut Vault,
    text: &str,
    now: DateTime<Utc>,
) -> Result<VerificationView, CommandError> {
    if text.len() > 4096 {
        return Err(CommandError::new(ErrorCode::TooLong, "a QR code's text is shorter").on("qr"));
    }
    let report = ours::verify_qr(text, &desk_keys(v)?, &policies(v)?);
    keep_printout(v, &report, None, now)
}

fn keep_printout(
    v: &mut Vault,
    report: &OursReport,
    file: Option<(&str, &str)>,
    now: DateTime<Utc>,
) -> Result<VerificationView, CommandError> {
    let subject = match (file, &report.id) {
        (Some((name, _)), _) => name.to_owned(),
        (None, Some(id)) => format!("QR {}", id.chars().take(64).collect::<String>()),
        (None, None) => "QR".to_owned(),
    };
    let lines = printout_lines(report);
    let json = kept_json(serde_json::json!({ "report": report }), &lines)?;
    keep(
        v,
        &NewVerification {
            kind: VerificationKind::Printout,
            client_id: None,
            subject: &subject,
            file_sha256: file.map(|(_, sha)| sha),
            verdict: &code(&report.verdict),
            report: &json,
        },
        lines,
        now,
    )
}

/// Checks a file: one of our printouts (it carries a seal) or a signed file from outside (with
/// the document a detached signature signs), and keeps the report.
pub(crate) fn check_file(
    v: &mut Vault,
    name: &str,
    file: &[u8],
    detached: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<VerificationView, CommandError> {
    let name: String = name.chars().filter(|c| !c.is_control()).take(120).collect();
    let name = if name.trim().is_empty() {
        "file".to_owned()
    } else {
        name
    };
    if file.len() > signed::MAX_FILE || detached.is_some_and(|d| d.len() > signed::MAX_FILE) {
        let e = signed::SignedError::TooLarge;
        return Err(CommandError::new(ErrorCode::NotASignedFile, e.to_string()).on("file"));
    }
    let sha = domain::policy::sha256_hex(file);
    if ours::is_ours(file) && detached.is_none() {
        let report = ours::verify_pdf(file, &desk_keys(v)?, &policies(v)?);
        return keep_printout(v, &report, Some((&name, &sha)), now);
    }
    let anchors = anchors(v)?;
    let report = signed::verify(file, detached, &anchors, now)
        .map_err(|e| CommandError::new(ErrorCode::NotASignedFile, e.to_string()).on("file"))?;
    let lines = signed_lines(&report, anchors.len(), now);
    let json = kept_json(serde_json::json!({ "report": report }), &lines)?;
    keep(
        v,
        &NewVerification {
            kind: VerificationKind::Signed,
            client_id: None,
            subject: &name,
            file_sha256: Some(&sha),
            verdict: &code(&report.verdict()),
            report: &json,
        },
        lines,
        now,
    )
}

/// A kept report as the window lists it (its lines rebuilt from the JSON the vault keeps).
pub(crate) fn view_of(r: &VerificationRecord) -> VerificationView {
    let lines = rebuilt_lines(r).unwrap_or_default();
    VerificationView {
        id: Some(r.id.clone()),
        kind: r.kind.clone(),
        verdict: r.verdict.clone(),
        subject: r.subject.clone(),
        at: desk_time_text(&r.at),
        lines,
    }
}

fn rebuilt_lines(r: &VerificationRecord) -> Option<Vec<ReportLine>> {
    let v: serde_json::Value = serde_json::from_str(&r.report).ok()?;
    if let Some(lines) = v.get("lines") {
        return serde_json::from_value(lines.clone()).ok();
    }
    // Identity reports kept before the lines were kept with them.
    let findings = v.get("report")?.get("findings")?.as_array()?;
    Some(
        findings
            .iter()
            .map(|f| {
                let s = |k: &str| f.get(k).and_then(|x| x.as_str()).map(str::to_owned);
                line(
                    format!("check.{}", s("check").unwrap_or_default()),
                    &s("outcome").unwrap_or_default(),
                    s("document"),
                    s("record"),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use verify::certificate::Subject;
    use verify::pades::{PdfReport, PdfSignature, Problem};

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap()
    }

    fn signer(name: &str, signed: DateTime<Utc>, valid_until: DateTime<Utc>) -> SignerReport {
        SignerReport {
            failure: None,
            detail: None,
            signer: Subject {
                name: name.into(),
                iin: Some("123456789011".into()),
                bin: None,
                organisation: None,
            },
            algorithm: "RSA".into(),
            signing_time: Some(signed),
            time_stamp: None,
            path: vec![name.into()],
            certificate_valid: Some((at(1), valid_until)),
        }
    }

    fn codes(lines: &[ReportLine]) -> Vec<(&str, &str)> {
        lines
            .iter()
            .map(|l| (l.code.as_str(), l.outcome.as_str()))
            .collect()
    }

    #[test]
    fn a_pdf_signed_again_over_a_change_shows_which_signature_covers_an_earlier_revision() {
        // Alice signed; someone changed the file and signed the whole of it again.
        let report = SignedReport::Pdf(PdfReport {
            signatures: vec![
                PdfSignature {
                    byte_range: [0, 10, 20, 30],
                    covers_whole_file: false,
                    signers: vec![signer("ALICE", at(2), at(30))],
                },
                PdfSignature {
                    byte_range: [0, 40, 50, 60],
                    covers_whole_file: true,
                    signers: vec![signer("MALLORY", at(3), at(30))],
                },
            ],
            problems: vec![Problem::Gap],
            changed_after_signing: false,
        });
        let lines = signed_lines(&report, 1, at(4));
        let c = codes(&lines);
        let alice = c.iter().position(|l| *l == ("signed.signer", "pass"));
        let earlier = c.iter().position(|l| l.0 == "signed.earlier_revision");
        assert!(
            matches!((alice, earlier), (Some(a), Some(e)) if a < e),
            "the first signature is marked as covering an earlier revision: {c:?}"
        );
        assert_eq!(
            c.iter()
                .filter(|l| l.0 == "signed.earlier_revision")
                .count(),
            1,
            "the last signature covers the whole file: {c:?}"
        );
        assert!(c.contains(&("problem.gap", "fail")), "{c:?}");
        assert!(
            c.contains(&("signed.unchanged_after_signing", "pass")),
            "{c:?}"
        );
        assert!(
            c.contains(&("signed.iin", "info")),
            "the IIN is its own line: {c:?}"
        );
        assert!(
            lines
                .iter()
                .all(|l| !l.found.as_deref().unwrap_or("").contains("IIN")),
            "no untranslated label in what was found"
        );
    }

    #[test]
    fn an_expired_certificate_judged_on_the_signers_own_clock_is_flagged() {
        let cms = |s: SignerReport| {
            SignedReport::Cms(verify::cms::CmsReport {
                signers: vec![s],
                attached: true,
                content_size: Some(3),
            })
        };
        // Signed (it says) on the 2nd, the certificate ran out on the 3rd, checked on the 4th.
        let c = signed_lines(&cms(signer("A", at(2), at(3))), 1, at(4));
        assert!(
            codes(&c).contains(&("signed.time_claimed_only", "warn")),
            "{c:?}"
        );
        // Still valid today: nothing rests on the claim.
        let c = signed_lines(&cms(signer("A", at(2), at(30))), 1, at(4));
        assert!(
            !codes(&c).iter().any(|l| l.0 == "signed.time_claimed_only"),
            "{c:?}"
        );
    }
}

//! `branchdesk mrz check` and `branchdesk verify`: an identity document's zone, a printout this
//! desk (or another) issued, or a signed file from outside, checked without a vault. Exit 0 when
//! valid or authentic, 1 when not (the report says why), 2 on a usage error.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use verify::certificate::Cert;
use verify::cms::{Failure, SignerReport};
use verify::identity::{self, Outcome};
use verify::ours::{self, DeskKey, OursReport, Verdict};
use verify::signed::{self, FileVerdict, SignedReport};

use super::{Refusal, say, say_json};
use crate::error::ErrorCode;

/// `branchdesk mrz check`.
#[derive(Args, Debug)]
pub(crate) struct MrzCheckArgs {
    /// The zone's lines: two of 44 characters (passport) or three of 30 (ID card).
    #[arg(required = true, num_args = 1..=3)]
    lines: Vec<String>,
    /// One JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// `branchdesk verify`.
#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// A printout of a Branch Desk (PDF), a signed PDF, or a CMS file (DER, PEM or base64).
    #[arg(required_unless_present = "qr", conflicts_with = "qr")]
    file: Option<PathBuf>,
    /// The document a detached CMS signature signs.
    #[arg(long, value_name = "DOC")]
    detached: Option<PathBuf>,
    /// The text of a printout's QR code, instead of a file (checks the seal, not the paper).
    #[arg(long, value_name = "TEXT")]
    qr: Option<String>,
    /// Trusted CA certificates for signed files: a file (DER or PEM, several in one PEM) or a
    /// folder of them. Repeatable.
    #[arg(long = "anchors", value_name = "PATH")]
    anchors: Vec<PathBuf>,
    /// A desk key (hex Ed25519) whose printouts count as known. Repeatable.
    #[arg(long = "desk-key", value_name = "HEX")]
    desk_keys: Vec<String>,
    /// One JSON object on stdout.
    #[arg(long)]
    json: bool,
}

fn refusal(message: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::InvalidInput, message)
}

pub(crate) fn mrz_check(args: &MrzCheckArgs) -> Result<(), Refusal> {
    let zone = verify::mrz::parse(&args.lines).map_err(|e| refusal(e.to_string()))?;
    let today = crate::quote::desk_date(chrono::Utc::now());
    let report = identity::check_zone(&zone, today);
    #[derive(Serialize)]
    struct Out<'a> {
        ok: bool,
        zone: &'a verify::mrz::Mrz,
        birth_date: Option<chrono::NaiveDate>,
        expiry_date: Option<chrono::NaiveDate>,
        report: &'a identity::IdentityReport,
    }
    let ok = report.verdict != Outcome::Fail;
    if args.json {
        say_json(&Out {
            ok,
            zone: &zone,
            birth_date: zone.birth_date(today),
            expiry_date: zone.expiry_date(),
            report: &report,
        })?;
    } else {
        say(format_args!(
            "{} {} {}: {} {}, born {}, expires {}",
            match zone.format {
                verify::mrz::Format::Td1 => "ID card",
                verify::mrz::Format::Td3 => "passport",
            },
            zone.issuing_state,
            zone.document_number,
            zone.surname,
            zone.given_names,
            zone.birth_date(today)
                .map_or(zone.birth_date_text.clone(), domain::date::format_date),
            zone.expiry_date()
                .map_or(zone.expiry_date_text.clone(), domain::date::format_date),
        ))?;
        for f in &report.findings {
            say(format_args!(
                "  {:<4} {:?}: {}{}",
                match f.outcome {
                    Outcome::Pass => "ok",
                    Outcome::Warn => "warn",
                    Outcome::Fail => "FAIL",
                },
                f.check,
                f.document.as_deref().unwrap_or(""),
                f.record
                    .as_deref()
                    .map(|r| format!(" (expected {r})"))
                    .unwrap_or_default()
            ))?;
        }
    }
    if ok { Ok(()) } else { Err(Refusal::Reported) }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, Refusal> {
    let size = std::fs::metadata(path)
        .map_err(|e| refusal(format!("cannot read {what} {}: {e}", path.display())))?
        .len();
    if size > signed::MAX_FILE as u64 {
        return Err(refusal(format!(
            "{} is larger than {} MiB",
            path.display(),
            signed::MAX_FILE / 1024 / 1024
        )));
    }
    std::fs::read(path).map_err(|e| refusal(format!("cannot read {what} {}: {e}", path.display())))
}

fn anchors(paths: &[PathBuf]) -> Result<Vec<Cert>, Refusal> {
    let mut out = Vec::new();
    for path in paths {
        let files = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| refusal(format!("cannot read {}: {e}", path.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let certs = Cert::read_all(&read(&file, "the certificate")?);
            if certs.is_empty() && !path.is_dir() {
                return Err(refusal(format!("{} holds no certificate", file.display())));
            }
            out.extend(certs);
        }
    }
    Ok(out)
}

fn desk_keys(keys: &[String]) -> Result<Vec<DeskKey>, Refusal> {
    keys.iter()
        .map(|k| {
            let k = k.trim().to_ascii_lowercase();
            if k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(refusal(format!("{k:?} is not a desk key (64 hex digits)")));
            }
            Ok(DeskKey {
                key: k,
                name: "--desk-key".to_owned(),
                own: false,
                revoked_at: None,
            })
        })
        .collect()
}

pub(crate) fn run(args: &VerifyArgs) -> Result<(), Refusal> {
    let known = desk_keys(&args.desk_keys)?;
    if let Some(text) = &args.qr {
        return ours_out(
            &ours::verify_qr(text, &known, domain::policy::shipped()),
            args.json,
        );
    }
    let Some(path) = &args.file else {
        return Err(refusal("give a FILE or --qr TEXT"));
    };
    let file = read(path, "the file")?;
    let detached = match &args.detached {
        Some(d) => Some(read(d, "the document")?),
        None => None,
    };
    if ours::is_ours(&file) && detached.is_none() {
        let report = ours::verify_pdf(&file, &known, domain::policy::shipped());
        return ours_out(&report, args.json);
    }
    let anchors = anchors(&args.anchors)?;
    let report = signed::verify(&file, detached.as_deref(), &anchors, chrono::Utc::now())
        .map_err(|e| refusal(e.to_string()))?;
    signed_out(&report, anchors.is_empty(), args.json)
}

fn ours_out(report: &OursReport, json: bool) -> Result<(), Refusal> {
    let ok = report.verdict == Verdict::Authentic;
    if json {
        say_json(
            &serde_json::json!({ "ok": ok, "kind": "branch_desk_document", "report": report }),
        )?;
    } else {
        let what = format!(
            "{} {}{}",
            report.kind.map_or("document", print::Kind::as_str),
            report.id.as_deref().unwrap_or(""),
            report
                .issued_at
                .map(|t| format!(", issued {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
                .unwrap_or_default()
        );
        let verdict = match report.verdict {
            Verdict::Authentic if report.content_checked => "authentic".to_owned(),
            Verdict::Authentic => {
                "authentic seal (compare the paper with the desk's copy)".to_owned()
            }
            Verdict::Altered => format!(
                "ALTERED ({:?})",
                report.reason.unwrap_or(ours::Reason::Bytes)
            ),
            Verdict::UnknownSigner => {
                "UNKNOWN SIGNER: intact, but signed by a desk key not known here (give --desk-key)"
                    .to_owned()
            }
            Verdict::RevokedSigner => {
                "REVOKED SIGNER: signed by a desk head office revoked".to_owned()
            }
        };
        say(format_args!("{what}: {verdict}"))?;
        if let Some(key) = &report.desk_key {
            say(format_args!("  desk key {key}"))?;
        }
    }
    if ok { Ok(()) } else { Err(Refusal::Reported) }
}

fn failure_words(f: Failure) -> &'static str {
    match f {
        Failure::Malformed => "not a signature this reader understands",
        Failure::Unsupported => "an algorithm this desk does not check",
        Failure::ContentChanged => "the document changed after it was signed",
        Failure::BadSignature => {
            "the signature does not verify (the signed data or the signature was changed)"
        }
        Failure::SignerCertificateMissing => "the signer's certificate is not in the file",
        Failure::UnknownSigner => "the signer's certificate does not lead to a trusted authority",
        Failure::CertificateNotValid => "a certificate was not valid at the signing time",
        Failure::CertificateMisused => "a certificate may not be used for this",
        Failure::TimeStampInvalid => "the time-stamp is broken or stamps something else",
        Failure::ContentMissing => {
            "a detached signature needs its document (--detached DOC); an attached one takes none"
        }
    }
}

fn signer_line(n: usize, s: &SignerReport) -> String {
    if s.signer.name.is_empty() && s.algorithm.is_empty() {
        return format!(
            "signature {n}: NOT VALID: {}",
            s.failure.map_or("", failure_words)
        );
    }
    let who = if s.signer.name.is_empty() {
        "?".to_owned()
    } else {
        let id = match (&s.signer.iin, &s.signer.bin) {
            (Some(iin), Some(bin)) => format!(" (IIN {iin}, BIN {bin})"),
            (Some(iin), None) => format!(" (IIN {iin})"),
            (None, Some(bin)) => format!(" (BIN {bin})"),
            (None, None) => String::new(),
        };
        format!("{}{id}", s.signer.name)
    };
    let when = match (&s.time_stamp, s.signing_time) {
        (Some(t), _) if t.trusted => {
            format!(", time-stamped {}", t.time.format("%Y-%m-%d %H:%M:%S UTC"))
        }
        (_, Some(t)) => format!(
            ", signed {} (the signer's clock)",
            t.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        _ => String::new(),
    };
    let verdict = match s.failure {
        None => "valid".to_owned(),
        Some(f) => format!("NOT VALID: {}", failure_words(f)),
    };
    format!("signature {n}: {verdict}; {who}{when}; {}", s.algorithm)
}

fn signed_out(report: &SignedReport, no_anchors: bool, json: bool) -> Result<(), Refusal> {
    let verdict = report.verdict();
    let ok = verdict == FileVerdict::Valid;
    if json {
        say_json(
            &serde_json::json!({ "ok": ok, "kind": "signed_file", "verdict": verdict, "report": report }),
        )?;
    } else {
        let signers: Vec<&SignerReport> = match report {
            SignedReport::Pdf(p) => p.signatures.iter().flat_map(|s| &s.signers).collect(),
            SignedReport::Cms(c) => c.signers.iter().collect(),
        };
        match verdict {
            FileVerdict::Unsigned => say("no signature found")?,
            FileVerdict::Valid => say("valid")?,
            FileVerdict::NotValid => say("NOT VALID")?,
        }
        for (n, s) in signers.iter().enumerate() {
            say(format_args!("  {}", signer_line(n + 1, s)))?;
        }
        if let SignedReport::Pdf(p) = report {
            let earlier = p.signatures.iter().rev().skip(1);
            if earlier.filter(|s| !s.covers_whole_file).count() > 0 {
                say(
                    "  an earlier signature covers an earlier revision: later changes are not its signer's",
                )?;
            }
            for problem in &p.problems {
                say(format_args!(
                    "  a signature entry could not be read ({problem:?})"
                ))?;
            }
            if p.changed_after_signing {
                say("  the PDF was changed after its last signature")?;
            }
        }
        if no_anchors
            && signers
                .iter()
                .any(|s| s.failure == Some(Failure::UnknownSigner))
        {
            say("  (no trusted authorities were given: --anchors PATH)")?;
        }
    }
    if ok { Ok(()) } else { Err(Refusal::Reported) }
}

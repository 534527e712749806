//! X.509 certificates as signed files carry them: who a certificate names (with the IIN or BIN
//! Kazakh certificates put in the subject), and the path from a signer's certificate to one of
//! the trust anchors head office configures, each link's signature checked over the original
//! bytes, each certificate valid at the signing time, each issuer a CA allowed to sign
//! certificates.

use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Tag, Tagged};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

use crate::algorithm;
use crate::der_raw;

const CN: Oid = Oid::new_unwrap("2.5.4.3");
const SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
const SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
const ORGANISATION: Oid = Oid::new_unwrap("2.5.4.10");
const UNIT: Oid = Oid::new_unwrap("2.5.4.11");
const GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
const TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
const KNOWN_CRITICAL: [Oid; 6] = [
    Oid::new_unwrap("2.5.29.19"), // basic constraints
    Oid::new_unwrap("2.5.29.15"), // key usage
    Oid::new_unwrap("2.5.29.37"), // extended key usage
    Oid::new_unwrap("2.5.29.17"), // subject alternative name
    Oid::new_unwrap("2.5.29.32"), // certificate policies
    Oid::new_unwrap("2.5.29.35"), // authority key identifier
];

/// Why a certificate path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// No path to a trust anchor.
    Untrusted,
    /// A certificate on the path was not valid at the time that counts (its subject).
    NotValidAt(String),
    /// A certificate on the path may not do what it did (its subject and why).
    Misused(String),
}

/// A certificate with its original bytes (signatures are over those, not a re-encoding).
#[derive(Clone, Debug)]
pub struct Cert {
    /// The DER as found.
    pub raw: Vec<u8>,
    /// Decoded.
    pub cert: Certificate,
}

/// Who a certificate names.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Subject {
    /// Common name (a person's full name, or an organisation's).
    pub name: String,
    /// The IIN, when the subject's serial number is `IIN…`.
    pub iin: Option<String>,
    /// The BIN, when an organisational unit is `BIN…`.
    pub bin: Option<String>,
    /// The organisation.
    pub organisation: Option<String>,
}

/// A directory string's text, whatever string type it was written with.
fn text(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String => String::from_utf8(bytes.to_vec()).ok(),
        Tag::PrintableString | Tag::Ia5String | Tag::TeletexString | Tag::VisibleString => {
            Some(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Tag::BmpString if bytes.len().is_multiple_of(2) => String::from_utf16(
            &bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        )
        .ok(),
        _ => None,
    }
}

impl Cert {
    /// Reads DER.
    pub fn from_der(raw: &[u8]) -> Option<Cert> {
        Some(Cert {
            raw: raw.to_vec(),
            cert: Certificate::from_der(raw).ok()?,
        })
    }

    /// Reads DER, or one PEM certificate (`-----BEGIN CERTIFICATE-----`, any line length).
    pub fn read(bytes: &[u8]) -> Option<Cert> {
        match Cert::read_all(bytes).as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// Every certificate of a file: one DER certificate, or PEM with any number of them (other
    /// text between them is ignored).
    pub fn read_all(bytes: &[u8]) -> Vec<Cert> {
        use base64::Engine as _;
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let text = match std::str::from_utf8(bytes) {
            Ok(t) if t.contains(BEGIN) => t,
            _ => return Cert::from_der(bytes).into_iter().collect(),
        };
        text.split(BEGIN)
            .skip(1)
            .filter_map(|block| {
                let (body, _) = block.split_once(END)?;
                let body: String = body.split_whitespace().collect();
                let der = base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .ok()?;
                Cert::from_der(&der)
            })
            .collect()
    }

    fn attribute(&self, oid: Oid) -> Option<String> {
        self.cert
            .tbs_certificate
            .subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .find(|atv| atv.oid == oid)
            .and_then(|atv| text(&atv.value))
    }

    /// Who it names.
    pub fn subject(&self) -> Subject {
        let mut name = self.attribute(CN).unwrap_or_default();
        if let Some(given) = self.attribute(GIVEN_NAME)
            && !name.contains(&given)
        {
            name = format!("{name} {given}");
        }
        if name.is_empty() {
            name = self.attribute(SURNAME).unwrap_or_default();
        }
        let digits = |s: String, prefix: &str| {
            s.strip_prefix(prefix)
                .filter(|d| d.len() == 12 && d.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_owned)
        };
        let bin = self
            .cert
            .tbs_certificate
            .subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .filter(|atv| atv.oid == UNIT)
            .filter_map(|atv| text(&atv.value))
            .find_map(|u| digits(u, "BIN"));
        Subject {
            name,
            iin: self.attribute(SERIAL_NUMBER).and_then(|s| digits(s, "IIN")),
            bin,
            organisation: self.attribute(ORGANISATION),
        }
    }

    /// The subject as one line (RFC 4514), for messages.
    pub fn subject_line(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// Whether it was valid at `at`.
    pub fn valid_at(&self, at: DateTime<Utc>) -> bool {
        let v = &self.cert.tbs_certificate.validity;
        let secs = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
        let at = at.timestamp();
        secs(&v.not_before) <= at && at <= secs(&v.not_after)
    }

    /// Its validity, for reports.
    pub fn validity(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let v = &self.cert.tbs_certificate.validity;
        let t = |t: &x509_cert::time::Time| {
            DateTime::from_timestamp(t.to_unix_duration().as_secs() as i64, 0).unwrap_or_default()
        };
        (t(&v.not_before), t(&v.not_after))
    }

    fn extension<'a, T: Decode<'a> + const_oid::AssociatedOid>(
        &'a self,
    ) -> Result<Option<T>, PathError> {
        self.cert
            .tbs_certificate
            .get::<T>()
            .map(|e| e.map(|(_, v)| v))
            .map_err(|_| {
                PathError::Misused(format!(
                    "{}: an extension cannot be read",
                    self.subject_line()
                ))
            })
    }

    /// Subject key identifier.
    pub fn key_id(&self) -> Option<Vec<u8>> {
        self.extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|s| s.0.as_bytes().to_vec())
    }

    fn authority_key_id(&self) -> Option<Vec<u8>> {
        self.extension::<AuthorityKeyIdentifier>()
            .ok()
            .flatten()
            .and_then(|a| a.key_identifier.map(|k| k.as_bytes().to_vec()))
    }

    /// Whether `issuer`'s key signed this certificate (over its original TBS bytes).
    pub fn signed_by(&self, issuer: &Cert) -> bool {
        let (Some(tbs), Some(signature)) =
            (der_raw::tbs_of(&self.raw), self.cert.signature.as_bytes())
        else {
            return false;
        };
        algorithm::verify(
            &issuer.cert.tbs_certificate.subject_public_key_info,
            &self.cert.signature_algorithm,
            None,
            tbs,
            signature,
        )
        .is_ok()
    }

    fn critical_extensions_known(&self) -> Result<(), PathError> {
        for e in self.cert.tbs_certificate.extensions.iter().flatten() {
            if e.critical && !KNOWN_CRITICAL.contains(&e.extn_id) {
                return Err(PathError::Misused(format!(
                    "{}: unknown critical extension {}",
                    self.subject_line(),
                    e.extn_id
                )));
            }
        }
        Ok(())
    }
}

/// What a path's end certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Signing documents: key usage (when present) allows non-repudiation; not a CA certificate.
    Signing,
    /// Time-stamping (RFC 3161): extended key usage includes timeStamping; not a CA certificate.
    TimeStamping,
}

/// The path from `leaf` to one of `anchors`, through certificates of `pool`, every certificate
/// valid at `at`. Returns the subjects, leaf first.
pub fn path(
    leaf: &Cert,
    pool: &[Cert],
    anchors: &[Cert],
    at: DateTime<Utc>,
    purpose: Purpose,
) -> Result<Vec<String>, PathError> {
    leaf.critical_extensions_known()?;
    // A document's signer needs non-repudiation (NCA RK's signing certificates carry it; its
    // authentication ones, digital signature alone, are for logging in, not for signing
    // documents); a time-stamping authority signs with digital signature.
    if let Some(ku) = leaf.extension::<KeyUsage>()? {
        let allowed = match purpose {
            Purpose::Signing => ku.non_repudiation(),
            Purpose::TimeStamping => ku.digital_signature() || ku.non_repudiation(),
        };
        if !allowed {
            return Err(PathError::Misused(format!(
                "{}: its key usage does not allow signing documents",
                leaf.subject_line()
            )));
        }
    }
    if leaf
        .extension::<BasicConstraints>()?
        .is_some_and(|bc| bc.ca)
    {
        return Err(PathError::Misused(format!(
            "{}: a certification authority's certificate does not sign documents",
            leaf.subject_line()
        )));
    }
    if purpose == Purpose::TimeStamping
        && leaf
            .extension::<ExtendedKeyUsage>()?
            .is_none_or(|eku| !eku.0.contains(&TIME_STAMPING))
    {
        return Err(PathError::Misused(format!(
            "{}: not a time-stamping certificate",
            leaf.subject_line()
        )));
    }
    let mut subjects = vec![leaf.subject_line()];
    let mut current = leaf.clone();
    // Paths are short; eight links is more than any real one.
    for depth in 0..8usize {
        if !current.valid_at(at) {
            return Err(PathError::NotValidAt(current.subject_line()));
        }
        if anchors.iter().any(|a| a.raw == current.raw) {
            return Ok(subjects);
        }
        let issuer_name = &current.cert.tbs_certificate.issuer;
        let aki = current.authority_key_id();
        let issuer = anchors
            .iter()
            .map(|a| (true, a))
            .chain(pool.iter().map(|c| (false, c)))
            .filter(|(_, c)| {
                &c.cert.tbs_certificate.subject == issuer_name
                    && c.raw != current.raw
                    && match (&aki, c.key_id()) {
                        (Some(a), Some(s)) => *a == s,
                        _ => true,
                    }
            })
            .find(|(_, c)| current.signed_by(c));
        let Some((is_anchor, issuer)) = issuer else {
            return Err(PathError::Untrusted);
        };
        let issuer = issuer.clone();
        issuer.critical_extensions_known()?;
        match issuer.extension::<BasicConstraints>()? {
            Some(bc) if bc.ca => {
                if bc
                    .path_len_constraint
                    .is_some_and(|n| depth > usize::from(n))
                {
                    return Err(PathError::Misused(format!(
                        "{}: path too long for it",
                        issuer.subject_line()
                    )));
                }
            }
            _ => {
                return Err(PathError::Misused(format!(
                    "{}: not a certification authority",
                    issuer.subject_line()
                )));
            }
        }
        if issuer
            .extension::<KeyUsage>()?
            .is_some_and(|ku| !ku.key_cert_sign())
        {
            return Err(PathError::Misused(format!(
                "{}: may not sign certificates",
                issuer.subject_line()
            )));
        }
        subjects.push(issuer.subject_line());
        if is_anchor {
            return if issuer.valid_at(at) {
                Ok(subjects)
            } else {
                Err(PathError::NotValidAt(issuer.subject_line()))
            };
        }
        current = issuer;
    }
    Err(PathError::Untrusted)
}

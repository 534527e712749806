//! The digest and signature algorithms signed files use, by their object identifiers: SHA-2,
//! Streebog and GOST 34.311-95 digests; RSA (PKCS #1 v1.5 and PSS), ECDSA on P-256 and P-384, and
//! the Kazakh GOST signatures ([`crate::gost`]). SHA-1 is refused: it no longer proves anything.

use std::sync::OnceLock;

use const_oid::ObjectIdentifier as Oid;
use der::Decode;
// SHA-2 implements digest 0.10's trait, Streebog and GOST 94 digest 0.11's.
use gost94::Digest as Digest011;
use sha2::Digest as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::gost::{self, Curve};

/// Why a signature could not be checked, or did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlgorithmError {
    /// An algorithm this build does not check (named by its OID).
    Unsupported(String),
    /// A key or parameter that cannot be read.
    Malformed(&'static str),
    /// The signature does not verify.
    BadSignature,
}

const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
const SHA256_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const EC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
// Kazakhstan's arc (NCA RK) and the TC26 equivalents.
const KZ_GOST94: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.1");
const KZ_STREEBOG256: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.2");
const KZ_STREEBOG512: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.3");
const TC26_STREEBOG256: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.2");
const TC26_STREEBOG512: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.3");
const KZ_KEY_2004: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.1.1");
const KZ_SIG_2004: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.1.2");
const KZ_KEY_512: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.2");
const KZ_SIG_512: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.3.2");
const KZ_CURVE_2004_A: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.1.1.1");
const KZ_CURVE_512_A: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.2.1");
const TC26_KEY_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.1.2");
const TC26_SIG_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.3.3");
const TC26_CURVE_512_A: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.2.1");
const CRYPTOPRO_A: Oid = Oid::new_unwrap("1.2.643.2.2.35.1");

/// A digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digest {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// GOST 34.11-2015, 256 bits.
    Streebog256,
    /// GOST 34.11-2015, 512 bits.
    Streebog512,
    /// GOST 34.311-95 (GOST R 34.11-94 with the test S-box, as NCA RK uses it).
    Gost94,
}

impl Digest {
    /// The digest a digestAlgorithm identifier names.
    pub fn from_oid(oid: &Oid) -> Result<Digest, AlgorithmError> {
        Ok(match *oid {
            SHA256 => Digest::Sha256,
            SHA384 => Digest::Sha384,
            SHA512 => Digest::Sha512,
            KZ_STREEBOG256 | TC26_STREEBOG256 => Digest::Streebog256,
            KZ_STREEBOG512 | TC26_STREEBOG512 => Digest::Streebog512,
            KZ_GOST94 => Digest::Gost94,
            other => return Err(AlgorithmError::Unsupported(format!("digest {other}"))),
        })
    }

    /// A hasher to feed in parts.
    pub fn hasher(self) -> Hasher {
        match self {
            Digest::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Digest::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Digest::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
            Digest::Streebog256 => Hasher::Streebog256(Digest011::new()),
            Digest::Streebog512 => Hasher::Streebog512(Digest011::new()),
            Digest::Gost94 => Hasher::Gost94(Digest011::new()),
        }
    }

    /// The digest of `data`.
    pub fn of(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }
}

/// A digest being computed.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
    /// Streebog-256.
    Streebog256(streebog::Streebog256),
    /// Streebog-512.
    Streebog512(streebog::Streebog512),
    /// GOST 34.311-95.
    Gost94(gost94::Gost94Test),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// Feeds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
            Hasher::Streebog256(h) => Digest011::update(h, data),
            Hasher::Streebog512(h) => Digest011::update(h, data),
            Hasher::Gost94(h) => Digest011::update(h, data),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
            Hasher::Streebog256(h) => Digest011::finalize(h).to_vec(),
            Hasher::Streebog512(h) => Digest011::finalize(h).to_vec(),
            Hasher::Gost94(h) => Digest011::finalize(h).to_vec(),
        }
    }
}

/// The name of a signature algorithm, for reports.
pub fn name(sig_alg: &Oid, key: &SubjectPublicKeyInfoOwned) -> &'static str {
    match (*sig_alg, key.algorithm.oid) {
        (KZ_SIG_512 | TC26_SIG_512, _) | (_, KZ_KEY_512 | TC26_KEY_512) => "GOST 34.10-2015 (512)",
        (KZ_SIG_2004, _) | (_, KZ_KEY_2004) => "GOST 34.310-2004",
        (RSA_PSS, _) => "RSA-PSS",
        (_, RSA) => "RSA",
        (_, EC_KEY) => "ECDSA",
        _ => "?",
    }
}

fn curve_512() -> &'static Curve {
    static C: OnceLock<Curve> = OnceLock::new();
    C.get_or_init(Curve::tc26_512_a)
}

fn curve_2004() -> &'static Curve {
    static C: OnceLock<Curve> = OnceLock::new();
    C.get_or_init(Curve::cryptopro_a)
}

/// Verifies `signature` over `message` with `key`. `sig_alg` is the signature algorithm the
/// signer named; `digest` the digest algorithm it named beside it (CMS), which decides when the
/// signature algorithm names only the key type (as OpenSSL's `rsaEncryption` and NCA RK's 2004
/// key OID do).
pub fn verify(
    key: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest: Option<Digest>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), AlgorithmError> {
    let hint = || digest.ok_or(AlgorithmError::Malformed("no digest algorithm"));
    let ok = match sig_alg.oid {
        RSA => rsa_pkcs1(key, hint()?, message, signature)?,
        SHA256_RSA => rsa_pkcs1(key, Digest::Sha256, message, signature)?,
        SHA384_RSA => rsa_pkcs1(key, Digest::Sha384, message, signature)?,
        SHA512_RSA => rsa_pkcs1(key, Digest::Sha512, message, signature)?,
        RSA_PSS => rsa_pss(key, sig_alg, message, signature)?,
        EC_KEY => ecdsa(key, hint()?, message, signature)?,
        ECDSA_SHA256 => ecdsa(key, Digest::Sha256, message, signature)?,
        ECDSA_SHA384 => ecdsa(key, Digest::Sha384, message, signature)?,
        ECDSA_SHA512 => ecdsa(key, Digest::Sha512, message, signature)?,
        KZ_SIG_512 | TC26_SIG_512 | KZ_KEY_512 | TC26_KEY_512 => {
            gost(key, Digest::Streebog512, message, signature)?
        }
        KZ_SIG_2004 | KZ_KEY_2004 => gost(key, Digest::Gost94, message, signature)?,
        other => return Err(AlgorithmError::Unsupported(format!("signature {other}"))),
    };
    if ok {
        Ok(())
    } else {
        Err(AlgorithmError::BadSignature)
    }
}

fn rsa_key(key: &SubjectPublicKeyInfoOwned) -> Result<rsa::RsaPublicKey, AlgorithmError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    if key.algorithm.oid != RSA && key.algorithm.oid != RSA_PSS {
        return Err(AlgorithmError::Malformed(
            "an RSA signature needs an RSA key",
        ));
    }
    rsa::RsaPublicKey::from_pkcs1_der(key.subject_public_key.raw_bytes())
        .map_err(|_| AlgorithmError::Malformed("RSA key"))
}

fn rsa_pkcs1(
    key: &SubjectPublicKeyInfoOwned,
    digest: Digest,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, AlgorithmError> {
    let key = rsa_key(key)?;
    let scheme = match digest {
        Digest::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        Digest::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        Digest::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        other => return Err(AlgorithmError::Unsupported(format!("RSA with {other:?}"))),
    };
    Ok(key.verify(scheme, &digest.of(message), signature).is_ok())
}

/// RSASSA-PSS-params (RFC 4055), with a salt length wider than `pkcs1`'s `u8`.
#[derive(Clone, Debug, der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

fn rsa_pss(
    key: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, AlgorithmError> {
    let bad = AlgorithmError::Malformed("RSA-PSS parameters");
    let params: PssParams = sig_alg
        .parameters
        .as_ref()
        .ok_or(bad.clone())?
        .decode_as()
        .map_err(|_| bad.clone())?;
    // The defaults are SHA-1: refused, as SHA-1 is everywhere.
    let digest = Digest::from_oid(
        &params
            .hash
            .ok_or(AlgorithmError::Unsupported("PSS with SHA-1".into()))?
            .oid,
    )?;
    let mgf = params
        .mask_gen
        .ok_or(AlgorithmError::Unsupported("PSS with MGF1-SHA-1".into()))?;
    let mgf_digest: AlgorithmIdentifierOwned = mgf
        .parameters
        .as_ref()
        .ok_or(bad.clone())?
        .decode_as()
        .map_err(|_| bad.clone())?;
    if mgf.oid != MGF1
        || Digest::from_oid(&mgf_digest.oid)? != digest
        || params.trailer_field.unwrap_or(1) != 1
    {
        return Err(AlgorithmError::Unsupported(
            "RSA-PSS with these parameters".into(),
        ));
    }
    let salt = params.salt_len.unwrap_or(20) as usize;
    let key = rsa_key(key)?;
    let scheme = match digest {
        Digest::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
        Digest::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
        Digest::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
        other => {
            return Err(AlgorithmError::Unsupported(format!(
                "RSA-PSS with {other:?}"
            )));
        }
    };
    Ok(key.verify(scheme, &digest.of(message), signature).is_ok())
}

fn ecdsa(
    key: &SubjectPublicKeyInfoOwned,
    digest: Digest,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, AlgorithmError> {
    use ecdsa::signature::hazmat::PrehashVerifier;
    if key.algorithm.oid != EC_KEY {
        return Err(AlgorithmError::Malformed(
            "an ECDSA signature needs an EC key",
        ));
    }
    let curve: Oid = key
        .algorithm
        .parameters
        .as_ref()
        .ok_or(AlgorithmError::Malformed("EC key parameters"))?
        .decode_as()
        .map_err(|_| AlgorithmError::Malformed("EC named curve"))?;
    if !matches!(digest, Digest::Sha256 | Digest::Sha384 | Digest::Sha512) {
        return Err(AlgorithmError::Unsupported(format!(
            "ECDSA with {digest:?}"
        )));
    }
    let prehash = digest.of(message);
    let point = key.subject_public_key.raw_bytes();
    // CMS and X.509 carry ECDSA-Sig-Value (DER), not r‖s.
    Ok(match curve {
        P256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|_| AlgorithmError::Malformed("P-256 key"))?;
            p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|s| key.verify_prehash(&prehash, &s).is_ok())
        }
        P384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|_| AlgorithmError::Malformed("P-384 key"))?;
            p384::ecdsa::Signature::from_der(signature)
                .is_ok_and(|s| key.verify_prehash(&prehash, &s).is_ok())
        }
        other => return Err(AlgorithmError::Unsupported(format!("curve {other}"))),
    })
}

fn gost(
    key: &SubjectPublicKeyInfoOwned,
    digest: Digest,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, AlgorithmError> {
    let params = key
        .algorithm
        .parameters
        .as_ref()
        .ok_or(AlgorithmError::Malformed("GOST key parameters"))?;
    let oids: Vec<Oid> = params
        .decode_as()
        .map_err(|_| AlgorithmError::Malformed("GOST key parameters"))?;
    let curve = match (key.algorithm.oid, oids.first()) {
        (KZ_KEY_512 | TC26_KEY_512, Some(&(KZ_CURVE_512_A | TC26_CURVE_512_A))) => curve_512(),
        (KZ_KEY_2004, Some(&(KZ_CURVE_2004_A | CRYPTOPRO_A))) => curve_2004(),
        (k, c) => {
            return Err(AlgorithmError::Unsupported(format!(
                "GOST key {k} on curve {}",
                c.map_or("?".into(), ToString::to_string)
            )));
        }
    };
    // The key bits hold an OCTET STRING of X‖Y.
    let point = der::asn1::OctetString::from_der(key.subject_public_key.raw_bytes())
        .map_err(|_| AlgorithmError::Malformed("GOST key"))?;
    Ok(gost::verify_nca(
        curve,
        point.as_bytes(),
        &digest.of(message),
        signature,
    ))
}

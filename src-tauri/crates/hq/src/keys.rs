//! Head office's home folder and key file. `keys.age` holds the Ed25519 signing key, the age
//! identity and the TLS private key, encrypted with a passphrase (age scrypt) and readable only by
//! its owner; `public.json` and `cert.pem` hold what may be shown to anyone.
//!
//! The passphrase comes from the file named by `BRANCHDESK_HQ_PASSPHRASE_FILE` or, without it,
//! the first line of standard input.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sync::SecretKeys;
use zeroize::Zeroizing;

/// The environment variable naming a passphrase file.
pub const PASSPHRASE_FILE_ENV: &str = "BRANCHDESK_HQ_PASSPHRASE_FILE";
/// scrypt work factor (log2 N) for the key file: about a quarter second here, set on purpose
/// rather than age's auto-calibration (~2 s).
const WORK_FACTOR: u8 = 15;
/// Passphrases shorter than this are refused at `init`.
pub const MIN_PASSPHRASE: usize = 12;

/// Why keys could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `init` ran where keys exist.
    #[error("{0} already holds head office keys; refusing to replace them")]
    Exists(PathBuf),
    /// No keys yet.
    #[error("no head office keys in {0}: run `branchdesk-hq init` first")]
    Missing(PathBuf),
    /// The key file can be read by others.
    #[error("{0} can be read by other users (mode {1:o}); run chmod 600 on it")]
    Permissions(PathBuf, u32),
    /// Wrong passphrase.
    #[error("the passphrase does not open the key file")]
    Passphrase,
    /// A passphrase too short for `init`, or none given.
    #[error("the passphrase must have at least {MIN_PASSPHRASE} characters")]
    WeakPassphrase,
    /// The files are damaged.
    #[error("the key file is damaged: {0}")]
    Damaged(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What anyone may know about this head office.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicInfo {
    /// The URL desks reach it at.
    pub url: String,
    /// Host names and addresses in its certificate.
    pub hosts: Vec<String>,
    /// Ed25519 verifying key, hex.
    pub signing: String,
    /// age recipient.
    pub recipient: String,
    /// SHA-256 of the certificate's DER, hex.
    pub cert_sha256: String,
}

#[derive(Serialize, Deserialize)]
struct SecretFile {
    signing: String,
    identity: String,
    tls_key: String,
}

/// Unlocked keys: sign, decrypt, serve TLS.
pub struct Unlocked {
    /// Signing key and age identity.
    pub keys: SecretKeys,
    /// TLS private key, PKCS#8 DER.
    pub tls_key: Zeroizing<Vec<u8>>,
    /// TLS certificate, DER.
    pub cert_der: Vec<u8>,
    /// Public facts.
    pub public: PublicInfo,
}

/// The files in head office's home folder.
#[derive(Clone, Debug)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    /// The home at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    fn keys(&self) -> PathBuf {
        self.dir.join("keys.age")
    }
    fn public_file(&self) -> PathBuf {
        self.dir.join("public.json")
    }
    /// The certificate (PEM).
    pub fn cert(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }
    /// The default database URL: `sqlite://<home>/hq.db`.
    pub fn default_db(&self) -> String {
        format!("sqlite://{}", self.dir.join("hq.db").display())
    }

    /// Makes keys and a certificate for `hosts`, reachable at `url`.
    pub fn init(
        &self,
        url: &str,
        hosts: &[String],
        passphrase: &str,
    ) -> Result<PublicInfo, KeyError> {
        if passphrase.chars().count() < MIN_PASSPHRASE {
            return Err(KeyError::WeakPassphrase);
        }
        if self.keys().exists() {
            return Err(KeyError::Exists(self.dir.clone()));
        }
        std::fs::create_dir_all(&self.dir)?;
        let keys = SecretKeys::generate();
        let cert = crate::tls::generate(hosts).map_err(|e| KeyError::Damaged(e.to_string()))?;
        let (signing, identity) = keys.to_parts();
        let file = ZeroizeOnDrop(SecretFile {
            signing: hex::encode(&signing[..]),
            identity: identity.to_string(),
            tls_key: hex::encode(&cert.key_der[..]),
        });
        let secret = Zeroizing::new(
            serde_json::to_vec(&file.0).map_err(|e| KeyError::Damaged(e.to_string()))?,
        );
        drop(file);
        let mut recipient = age::scrypt::Recipient::new(passphrase.to_owned().into());
        recipient.set_work_factor(WORK_FACTOR);
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| KeyError::Damaged(e.to_string()))?;
        let mut sealed = Vec::new();
        let mut w = encryptor
            .wrap_output(&mut sealed)
            .map_err(|e| KeyError::Damaged(e.to_string()))?;
        w.write_all(&secret)?;
        w.finish()?;
        let public = PublicInfo {
            url: url.to_owned(),
            hosts: hosts.to_vec(),
            signing: keys.public().signing_hex(),
            recipient: keys.public().recipient.to_string(),
            cert_sha256: hex::encode(crate::tls::fingerprint(&cert.cert_der)),
        };
        write_private(&self.keys(), &sealed)?;
        std::fs::write(self.cert(), cert.cert_pem.as_bytes())?;
        std::fs::write(
            self.public_file(),
            serde_json::to_vec_pretty(&public).map_err(|e| KeyError::Damaged(e.to_string()))?,
        )?;
        Ok(public)
    }

    /// The public facts (no passphrase needed).
    pub fn public(&self) -> Result<PublicInfo, KeyError> {
        let text = std::fs::read(self.public_file()).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KeyError::Missing(self.dir.clone()),
            _ => KeyError::Io(e),
        })?;
        serde_json::from_slice(&text).map_err(|e| KeyError::Damaged(e.to_string()))
    }

    /// Opens the key file with `passphrase`, refusing one that others can read.
    pub fn unlock(&self, passphrase: &str) -> Result<Unlocked, KeyError> {
        let public = self.public()?;
        let path = self.keys();
        check_private(&path)?;
        let sealed = std::fs::read(&path)?;
        let decryptor = age::Decryptor::new_buffered(&sealed[..])
            .map_err(|e| KeyError::Damaged(e.to_string()))?;
        let mut identity = age::scrypt::Identity::new(passphrase.to_owned().into());
        identity.set_max_work_factor(20);
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|_| KeyError::Passphrase)?;
        let mut plain = Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut plain)
            .map_err(|_| KeyError::Passphrase)?;
        let file: SecretFile =
            serde_json::from_slice(&plain).map_err(|e| KeyError::Damaged(e.to_string()))?;
        let file = ZeroizeOnDrop(file);
        let signing: Zeroizing<[u8; 32]> = Zeroizing::new(
            hex::decode(&file.0.signing)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| KeyError::Damaged("signing key".into()))?,
        );
        let keys = SecretKeys::from_parts(&signing, &file.0.identity)
            .map_err(|e| KeyError::Damaged(e.to_string()))?;
        if keys.public().signing_hex() != public.signing {
            return Err(KeyError::Damaged(
                "public.json does not match the key file".into(),
            ));
        }
        let tls_key = Zeroizing::new(
            hex::decode(&file.0.tls_key).map_err(|e| KeyError::Damaged(e.to_string()))?,
        );
        let cert_pem = std::fs::read_to_string(self.cert())?;
        let cert_der = crate::tls::cert_der_from_pem(&cert_pem)
            .map_err(|e| KeyError::Damaged(e.to_string()))?;
        if hex::encode(crate::tls::fingerprint(&cert_der)) != public.cert_sha256 {
            return Err(KeyError::Damaged(
                "cert.pem does not match public.json".into(),
            ));
        }
        Ok(Unlocked {
            keys,
            tls_key,
            cert_der,
            public,
        })
    }
}

struct ZeroizeOnDrop(SecretFile);

impl Drop for ZeroizeOnDrop {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.0.signing.zeroize();
        self.0.identity.zeroize();
        self.0.tls_key.zeroize();
    }
}

/// Reads the passphrase: the file named by [`PASSPHRASE_FILE_ENV`], else standard input's first
/// line. Trailing line breaks are dropped.
pub fn read_passphrase() -> Result<Zeroizing<String>, KeyError> {
    let mut text = Zeroizing::new(String::new());
    match std::env::var_os(PASSPHRASE_FILE_ENV) {
        Some(path) => {
            std::fs::File::open(path)?
                .take(4096)
                .read_to_string(&mut text)?;
        }
        None => {
            use std::io::BufRead;
            std::io::BufReader::new(std::io::stdin().take(4096)).read_line(&mut text)?;
        }
    }
    let trimmed = Zeroizing::new(text.trim_end_matches(['\r', '\n']).to_owned());
    if trimmed.is_empty() {
        return Err(KeyError::WeakPassphrase);
    }
    Ok(trimmed)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

fn check_private(path: &Path) -> Result<(), KeyError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => KeyError::Missing(path.to_owned()),
        _ => KeyError::Io(e),
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions(path.to_owned(), mode));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

//! Integration tests of the vault crate against real SQLCipher files in temporary folders, the
//! reference `age` and `sqlcipher` tools, and a process killed with SIGKILL while writing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use age::secrecy::ExposeSecret;
use chrono::{TimeZone, Utc};
use vault::{
    BackupKey, BackupTo, Keychain, KeychainBackend, OfficerId, Passphrase, Role, Vault, VaultDir,
    VaultError, VaultState,
};

#[path = "vault/records.rs"]
mod records;

#[path = "vault/documents.rs"]
mod documents;

#[path = "vault/trust.rs"]
mod trust;

#[path = "vault/consent.rs"]
mod consent;

#[path = "vault/sync.rs"]
mod sync;

#[path = "vault/verification.rs"]
mod verification;

const PASS: &str = "correct horse battery";

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0)
        .single()
        .expect("valid time")
}

fn mock() -> Keychain {
    Keychain::mock().expect("mock keychain")
}

/// Every file under `dir` (recursively) with its bytes, to prove an operation changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

struct Desk {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: VaultDir,
    keychain: Keychain,
    admin: OfficerId,
    hq: age::x25519::Identity,
}

fn desk() -> Desk {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let dir = VaultDir::new(root.join("vault"));
    let keychain = mock();
    let hq = age::x25519::Identity::generate();
    let v = Vault::create(
        &dir,
        &keychain,
        "Әлия Қасымова",
        &pass(PASS),
        Some(&hq.to_public()),
        now(),
    )
    .expect("create vault");
    let admin = v.officer().id.clone();
    Desk {
        _tmp: tmp,
        root,
        dir,
        keychain,
        admin,
        hq,
    }
}

impl Desk {
    fn unlock(&self) -> Vault {
        Vault::unlock(&self.dir, &self.keychain, &self.admin, &pass(PASS), now())
            .expect("unlock as admin")
    }

    /// Runs `sql` on the vault's database with its data key (taken from a backup to head office),
    /// as someone with the sqlcipher shell and the key would.
    fn sql(&self, sql: &str) {
        let file = tempfile::NamedTempFile::new().expect("tmp");
        self.unlock()
            .backup(
                file.path(),
                BackupTo::Recipients(&[self.hq.to_public()]),
                now(),
            )
            .expect("backup");
        let key = data_key_from_backup(file.path(), &self.hq);
        open_with_key(&self.dir.path().join("vault.db"), &key)
            .execute_batch(sql)
            .expect("sql");
    }
}

#[test]
fn create_then_unlock_as_the_first_admin() {
    let d = desk();
    let v = d.unlock();
    assert_eq!(v.officer().name, "Әлия Қасымова");
    assert_eq!(
        v.officer().role,
        Role::Admin,
        "the first officer is an administrator"
    );
    assert_eq!(
        v.audit_len().expect("audit"),
        1,
        "creating the vault is audited"
    );
    assert_eq!(
        v.outbox_pending().expect("outbox"),
        1,
        "and queued for head office"
    );
    assert_eq!(
        v.first_broken_audit_entry().expect("verify"),
        None,
        "a fresh chain is intact"
    );
    assert_eq!(v.keychain_backend(), KeychainBackend::Mock);
    assert!(
        v.has_recovery().expect("keys"),
        "head office can recover this vault"
    );
    let keys = v.desk_public_keys().expect("desk keys");
    assert_eq!(keys.signing.len(), 64, "an Ed25519 public key in hex");
    assert!(
        keys.age_recipient.starts_with("age1"),
        "an age X25519 recipient"
    );
    let sig = v.sign(b"offer 42").expect("sign");
    let vk = ed25519_dalek::VerifyingKey::from_bytes(
        &hex::decode(&keys.signing)
            .expect("hex")
            .try_into()
            .expect("32 bytes"),
    )
    .expect("verifying key");
    vk.verify_strict(b"offer 42", &ed25519_dalek::Signature::from_bytes(&sig))
        .expect("the desk's signature verifies");
    match d.dir.state().expect("state") {
        VaultState::Present { keychain } => {
            assert_eq!(keychain, KeychainBackend::Mock);
            assert_eq!(
                d.dir.roster(&d.keychain).expect("roster"),
                vec![(d.admin.clone(), "Әлия Қасымова".to_owned())]
            );
        }
        VaultState::Missing => panic!("the vault must be present after create"),
    }
}

#[test]
fn a_second_create_is_refused_and_changes_nothing() {
    let d = desk();
    let before = snapshot(d.dir.path());
    let err = Vault::create(
        &d.dir,
        &d.keychain,
        "Someone Else",
        &pass("another passphrase"),
        None,
        now(),
    )
    .err();
    assert!(
        matches!(err, Some(VaultError::AlreadyExists)),
        "got {err:?}"
    );
    assert_eq!(
        snapshot(d.dir.path()),
        before,
        "a refused create must not touch the vault"
    );
}

#[test]
fn wrong_passphrase_is_typed_and_changes_nothing() {
    let d = desk();
    let before = snapshot(d.dir.path());
    let err = Vault::unlock(
        &d.dir,
        &d.keychain,
        &d.admin,
        &pass("wrong horse battery"),
        now(),
    )
    .err();
    assert!(
        matches!(err, Some(VaultError::WrongPassphrase)),
        "got {err:?}"
    );
    assert_eq!(
        snapshot(d.dir.path()),
        before,
        "a failed unlock must leave every file byte-identical"
    );
}

#[test]
fn the_passphrase_alone_does_not_open_a_copied_vault() {
    let d = desk();
    // Another computer: same files, but its keychain has no device secret for this vault.
    let elsewhere = mock();
    let err = Vault::unlock(&d.dir, &elsewhere, &d.admin, &pass(PASS), now()).err();
    assert!(
        matches!(err, Some(VaultError::DeviceSecretMissing)),
        "got {err:?}"
    );
    // A different kind of store than recorded is refused, never silently used.
    let file_store = Keychain::file(d.root.join("other"));
    let err = Vault::unlock(&d.dir, &file_store, &d.admin, &pass(PASS), now()).err();
    assert!(
        matches!(err, Some(VaultError::KeychainUnavailable(_))),
        "got {err:?}"
    );
}

#[test]
fn unknown_officer_is_refused() {
    let d = desk();
    let err = Vault::unlock(
        &d.dir,
        &d.keychain,
        &OfficerId("nobody".into()),
        &pass(PASS),
        now(),
    )
    .err();
    assert!(
        matches!(err, Some(VaultError::UnknownOfficer)),
        "got {err:?}"
    );
}

#[test]
fn weak_passphrase_and_bad_name_create_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let err = Vault::create(&dir, &mock(), "Әлия", &pass("short"), None, now()).err();
    assert!(
        matches!(err, Some(VaultError::WeakPassphrase { min: 10 })),
        "got {err:?}"
    );
    let err = Vault::create(
        &dir,
        &mock(),
        "DROP TABLE;",
        &pass("long enough passphrase"),
        None,
        now(),
    )
    .err();
    assert!(
        matches!(err, Some(VaultError::BadOfficerName)),
        "got {err:?}"
    );
    assert_eq!(dir.state().expect("state"), VaultState::Missing);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).expect("read").collect();
    assert!(
        leftovers.is_empty(),
        "a refused create leaves no files: {leftovers:?}"
    );
}

#[test]
fn officers_are_added_disabled_and_reset_by_an_admin() {
    let d = desk();
    let mut admin = d.unlock();
    let clerk = admin
        .add_officer(
            "Дәурен Ержанов",
            Role::Officer,
            &pass("clerk passphrase"),
            now(),
        )
        .expect("add officer");
    let boss = admin
        .add_officer(
            "Гүлнар Әбдіқызы",
            Role::Supervisor,
            &pass("super passphrase"),
            now(),
        )
        .expect("add supervisor");
    drop(admin);

    let mut as_clerk = Vault::unlock(
        &d.dir,
        &d.keychain,
        &clerk.id,
        &pass("clerk passphrase"),
        now(),
    )
    .expect("the officer unlocks");
    assert_eq!(as_clerk.officer().role, Role::Officer);
    let err = as_clerk
        .add_officer("Someone", Role::Admin, &pass("some passphrase"), now())
        .err();
    assert!(
        matches!(err, Some(VaultError::Forbidden)),
        "an officer cannot add officers: {err:?}"
    );
    as_clerk
        .reset_passphrase(&clerk.id, &pass("clerk's new passphrase"), now())
        .expect("officers change their own passphrase");
    drop(as_clerk);
    assert!(matches!(
        Vault::unlock(
            &d.dir,
            &d.keychain,
            &clerk.id,
            &pass("clerk passphrase"),
            now()
        )
        .err(),
        Some(VaultError::WrongPassphrase)
    ));

    let mut admin = d.unlock();
    admin
        .set_officer_disabled(&boss.id, true, now())
        .expect("disable");
    let err = admin.set_officer_disabled(&d.admin, true, now()).err();
    assert!(
        matches!(err, Some(VaultError::Forbidden)),
        "an admin cannot disable themself: {err:?}"
    );
    admin
        .reset_passphrase(&clerk.id, &pass("reset by admin 123"), now())
        .expect("admin resets");
    assert_eq!(
        admin.audit_len().expect("audit"),
        7,
        "create, 2 adds, own reset, disable and its key rotation, admin reset"
    );
    assert_eq!(admin.first_broken_audit_entry().expect("verify"), None);
    drop(admin);
    assert!(matches!(
        Vault::unlock(
            &d.dir,
            &d.keychain,
            &boss.id,
            &pass("super passphrase"),
            now()
        )
        .err(),
        Some(VaultError::OfficerDisabled)
    ));
    Vault::unlock(
        &d.dir,
        &d.keychain,
        &clerk.id,
        &pass("reset by admin 123"),
        now(),
    )
    .expect("the reset passphrase works");
}

#[test]
fn the_last_admin_cannot_be_disabled() {
    let d = desk();
    let mut admin = d.unlock();
    let second = admin
        .add_officer(
            "Second Admin",
            Role::Admin,
            &pass("second admin pass"),
            now(),
        )
        .expect("add");
    drop(admin);
    let mut as_second = Vault::unlock(
        &d.dir,
        &d.keychain,
        &second.id,
        &pass("second admin pass"),
        now(),
    )
    .expect("unlock");
    as_second
        .set_officer_disabled(&d.admin, true, now())
        .expect("one of two admins can be disabled");
    let err = as_second
        .set_officer_disabled(&second.id, true, now())
        .err();
    assert!(matches!(err, Some(VaultError::Forbidden)), "{err:?}");
}

#[test]
fn settings_are_validated_and_audited() {
    let d = desk();
    let mut v = d.unlock();
    assert_eq!(
        v.auto_lock_minutes().expect("get"),
        10,
        "the default auto-lock is 10 minutes"
    );
    assert!(matches!(
        v.set_auto_lock_minutes(0, now()),
        Err(VaultError::BadSetting)
    ));
    assert!(matches!(
        v.set_auto_lock_minutes(121, now()),
        Err(VaultError::BadSetting)
    ));
    assert_eq!(
        v.audit_len().expect("audit"),
        1,
        "refused settings are not recorded"
    );
    v.set_auto_lock_minutes(5, now()).expect("set");
    assert_eq!(v.auto_lock_minutes().expect("get"), 5);
}

#[test]
fn a_tampered_audit_entry_is_found() {
    let d = desk();
    let mut v = d.unlock();
    for m in 1..=5 {
        v.set_auto_lock_minutes(m, now()).expect("set");
    }
    drop(v);
    // Rewrite history with the key (as someone holding the data key could): the chain shows it.
    let file = tempfile::NamedTempFile::new().expect("tmp");
    let mut v = d.unlock();
    v.backup(
        file.path(),
        BackupTo::Recipients(&[d.hq.to_public()]),
        now(),
    )
    .expect("backup");
    drop(v);
    let key = data_key_from_backup(file.path(), &d.hq);
    let conn = open_with_key(&d.dir.path().join("vault.db"), &key);
    conn.execute(
        "UPDATE audit SET action = 'settings.nothing' WHERE seq = 3",
        [],
    )
    .expect("tamper");
    drop(conn);
    let v = d.unlock();
    assert_eq!(
        v.first_broken_audit_entry().expect("verify"),
        Some(3),
        "the first altered entry is reported"
    );
}

#[test]
fn no_plaintext_of_a_known_name_in_vault_wal_or_backup() {
    let d = desk();
    let mut v = d.unlock();
    v.add_officer(
        "Zhanibek Canary",
        Role::Officer,
        &pass("canary passphrase"),
        now(),
    )
    .expect("add");
    v.add_client(
        &records::client(&records::iin(7), "Канареечкина", "Әлия", "87012345678"),
        now(),
    )
    .expect("add client");
    let backup = d.root.join("backup.age");
    v.backup(&backup, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .expect("backup");
    let files = snapshot(d.dir.path());
    drop(v);
    let mut checked = 0;
    for (path, bytes) in files
        .iter()
        .chain([(&backup, &std::fs::read(&backup).expect("backup"))])
    {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "vault.keys" {
            continue; // holds officers' display names by design, nothing about clients
        }
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "{name}: the SQLite header must be encrypted"
        );
        assert!(
            !bytes.windows(8).any(|w| w == b"Zhanibek"),
            "{name} must not contain the officer's name in the clear"
        );
        let client = "Канареечкина".as_bytes();
        assert!(
            !bytes.windows(client.len()).any(|w| w == client),
            "{name} must not contain the client's name in the clear"
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "vault.db, vault.db-wal and the backup were checked ({checked})"
    );
}

fn write_identity(dir: &Path, id: &age::x25519::Identity) -> PathBuf {
    let path = dir.join("hq-identity.txt");
    std::fs::write(&path, id.to_string().expose_secret()).expect("write identity");
    path
}

/// Decrypts a backup with the reference `age` tool, unpacks it with `tar`, returns the folder.
fn unpack_with_reference_tools(backup: &Path, hq: &age::x25519::Identity) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let identity = write_identity(out.path(), hq);
    let tar = out.path().join("backup.tar");
    let status = Command::new("age")
        .args(["-d", "-i"])
        .arg(&identity)
        .arg("-o")
        .arg(&tar)
        .arg(backup)
        .status()
        .expect("run the reference `age` tool (Debian package age)");
    assert!(status.success(), "age -d must decrypt the backup");
    let status = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(out.path())
        .status()
        .expect("tar");
    assert!(status.success(), "the decrypted backup is a tar archive");
    out
}

/// Opens `vault.db` with the raw data key and the vault's cipher settings, as the `sqlcipher`
/// shell would (nothing is read until the first statement).
fn open_with_key(db: &Path, key: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).expect("open vault.db");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{key}'\"; PRAGMA cipher_page_size = 4096;
         PRAGMA cipher_hmac_algorithm = HMAC_SHA1; PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1;"
    ))
    .expect("key");
    conn
}

fn data_key_from_backup(backup: &Path, hq: &age::x25519::Identity) -> String {
    let unpacked = unpack_with_reference_tools(backup, hq);
    hex::encode(std::fs::read(unpacked.path().join("data.key")).expect("data.key in backup"))
}

#[test]
fn the_reference_age_tool_decrypts_a_backup_and_sqlcipher_opens_the_vault() {
    let d = desk();
    let mut v = d.unlock();
    v.add_officer(
        "Дәурен Ержанов",
        Role::Officer,
        &pass("clerk passphrase"),
        now(),
    )
    .expect("add");
    v.add_client(
        &records::client(&records::iin(7), "Канареечкина", "Әлия", "87012345678"),
        now(),
    )
    .expect("add client");
    let backup = d.root.join("backup.age");
    v.backup(&backup, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .expect("backup");
    drop(v);
    let unpacked = unpack_with_reference_tools(&backup, &d.hq);
    for f in [
        "branchdesk-backup.json",
        "vault.db",
        "vault.keys",
        "device.secret",
        "data.key",
    ] {
        assert!(unpacked.path().join(f).exists(), "the backup holds {f}");
    }
    let key = hex::encode(std::fs::read(unpacked.path().join("data.key")).expect("data.key"));
    // The live vault opens in the sqlcipher shell given its data key.
    let out = Command::new("sqlcipher")
        .arg(d.dir.path().join("vault.db"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            let mut stdin = c.stdin.take().expect("stdin");
            writeln!(stdin, "PRAGMA key = \"x'{key}'\";\nPRAGMA cipher_page_size = 4096;\nSELECT name FROM officer ORDER BY name;")?;
            drop(stdin);
            c.wait_with_output()
        })
        .expect("run the sqlcipher shell (Debian package sqlcipher)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Дәурен Ержанов") && text.contains("Әлия Қасымова"),
        "sqlcipher reads the officers: {text} {out:?}"
    );
}

#[test]
fn restore_with_the_head_office_key_or_the_passphrase_on_a_new_computer() {
    let d = desk();
    let mut v = d.unlock();
    let clerk = v
        .add_officer(
            "Дәурен Ержанов",
            Role::Officer,
            &pass("clerk passphrase"),
            now(),
        )
        .expect("add");
    let to_hq = d.root.join("hq.age");
    let to_pass = d.root.join("pass.age");
    v.backup(&to_hq, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .expect("backup to hq");
    v.backup(
        &to_pass,
        BackupTo::Passphrase(&pass("backup passphrase 42")),
        now(),
    )
    .expect("backup to passphrase");
    drop(v);

    for (backup, key) in [
        (&to_hq, BackupKey::Identity(&d.hq)),
        (
            &to_pass,
            BackupKey::Passphrase(&pass("backup passphrase 42")),
        ),
    ] {
        let new_pc = tempfile::tempdir().expect("new computer");
        let dir = VaultDir::new(new_pc.path().join("vault"));
        let keychain = mock();
        vault::restore(backup, key, &dir, &keychain, false, now()).expect("restore");
        let v = Vault::unlock(&dir, &keychain, &clerk.id, &pass("clerk passphrase"), now())
            .expect("officers unlock the restored vault");
        assert_eq!(v.first_broken_audit_entry().expect("verify"), None);
        assert!(v.integrity_problems().expect("integrity").is_empty());
    }

    // Wrong key, and refusing to overwrite.
    let new_pc = tempfile::tempdir().expect("new computer");
    let dir = VaultDir::new(new_pc.path().join("vault"));
    let err = vault::restore(
        &to_pass,
        BackupKey::Passphrase(&pass("not the passphrase")),
        &dir,
        &mock(),
        false,
        now(),
    )
    .err();
    assert!(matches!(err, Some(VaultError::BackupKey)), "{err:?}");
    assert!(!dir.path().exists(), "a refused restore writes nothing");
    let before = snapshot(d.dir.path());
    let err = vault::restore(
        &to_hq,
        BackupKey::Identity(&d.hq),
        &d.dir,
        &mock(),
        false,
        now(),
    )
    .err();
    assert!(matches!(err, Some(VaultError::AlreadyExists)), "{err:?}");
    assert_eq!(
        snapshot(d.dir.path()),
        before,
        "restore refuses to overwrite an existing vault"
    );
    vault::restore(
        &to_hq,
        BackupKey::Identity(&d.hq),
        &d.dir,
        &d.keychain,
        true,
        now(),
    )
    .expect("restore when told to");
    assert!(
        std::fs::read_dir(&d.root).expect("root").any(|e| e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .starts_with("vault.replaced-")),
        "the replaced vault is kept aside, not deleted"
    );
}

#[test]
fn a_damaged_backup_is_refused() {
    let d = desk();
    let mut v = d.unlock();
    let backup = d.root.join("b.age");
    v.backup(&backup, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .expect("backup");
    drop(v);
    let mut bytes = std::fs::read(&backup).expect("read");
    let n = bytes.len();
    bytes[n - 100] ^= 0x40;
    std::fs::write(&backup, &bytes).expect("write");
    let dir = VaultDir::new(d.root.join("restored"));
    let err = vault::restore(
        &backup,
        BackupKey::Identity(&d.hq),
        &dir,
        &mock(),
        false,
        now(),
    )
    .err();
    assert!(matches!(err, Some(VaultError::BackupDamaged)), "{err:?}");
    assert!(!dir.path().exists());
}

#[test]
fn a_flipped_byte_or_truncation_is_detected_and_not_repaired() {
    for damage in ["flip", "truncate"] {
        let d = desk();
        let db = d.dir.path().join("vault.db");
        let mut bytes = std::fs::read(&db).expect("db");
        match damage {
            "flip" => bytes[5000] ^= 0x01, // inside page 2
            _ => bytes.truncate(bytes.len() / 2 + 7),
        }
        std::fs::write(&db, &bytes).expect("write damaged db");
        let before = snapshot(d.dir.path());
        let result = Vault::unlock(&d.dir, &d.keychain, &d.admin, &pass(PASS), now());
        let err = match result {
            Err(e) => e,
            Ok(v) => match v.integrity_problems() {
                Ok(p) if !p.is_empty() => VaultError::Damaged,
                other => panic!("{damage}: damage must be reported, got {other:?}"),
            },
        };
        assert!(
            matches!(err, VaultError::Damaged | VaultError::NotAVault),
            "{damage}: got {err:?}"
        );
        assert_eq!(
            snapshot(d.dir.path()),
            before,
            "{damage}: a failed unlock must not rewrite the file"
        );
    }
}

#[test]
fn a_file_that_is_not_a_vault_is_refused() {
    let d = desk();
    std::fs::write(
        d.dir.path().join("vault.db"),
        b"this is not a database at all, just text".repeat(200),
    )
    .expect("write");
    let before = snapshot(d.dir.path());
    let err = Vault::unlock(&d.dir, &d.keychain, &d.admin, &pass(PASS), now()).err();
    assert!(matches!(err, Some(VaultError::NotAVault)), "got {err:?}");
    assert_eq!(snapshot(d.dir.path()), before);
}

#[test]
fn a_vault_made_by_schema_1_opens_and_is_upgraded() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-1");
    let tmp = tempfile::tempdir().expect("tempdir");
    for entry in walk(&fixture) {
        let rel = entry.strip_prefix(&fixture).expect("inside fixture");
        let to = tmp.path().join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&entry, &to).expect("copy fixture");
    }
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::file(tmp.path());
    let officers = match dir.state().expect("state") {
        VaultState::Present { keychain: backend } => {
            assert_eq!(backend, KeychainBackend::File);
            dir.roster(&keychain).expect("roster")
        }
        VaultState::Missing => panic!("fixture missing"),
    };
    let (id, name) = officers.into_iter().next().expect("one officer");
    assert_eq!(name, "Айгерим Сейтқали");
    let mut v = Vault::unlock(&dir, &keychain, &id, &pass("fixture passphrase 1"), now())
        .expect("a schema-1 vault unlocks");
    assert_eq!(
        v.schema_version().expect("version"),
        vault::SCHEMA_VERSION,
        "opening upgrades the schema to this build's"
    );
    assert!(
        v.desk_public_keys()
            .expect("desk keys")
            .age_recipient
            .starts_with("age1"),
        "the upgrade makes desk keys"
    );
    assert_eq!(
        v.first_broken_audit_entry().expect("verify"),
        None,
        "the old chain continues unbroken"
    );
    assert_eq!(
        v.audit_len().expect("audit"),
        3,
        "the creation entry, the upgrade's key creation and its audited officer roster"
    );
    v.add_client(
        &records::client(&records::iin(3), "Сейтқали", "Айгерим", "87012345678"),
        now(),
    )
    .expect("an upgraded vault stores clients");
    v.save_form_draft("client", "{}", now())
        .expect("and keeps form drafts");
    assert_eq!(v.first_broken_audit_entry().expect("verify"), None);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read fixture") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

/// The writer half of the crash test: runs only when the parent test sets CRASH_VAULT_DIR.
#[test]
fn crash_writer_child() {
    let Some(dir) = std::env::var_os("CRASH_VAULT_DIR") else {
        return;
    };
    let identity: age::x25519::Identity = std::env::var("CRASH_HQ_IDENTITY")
        .expect("identity")
        .parse()
        .expect("parse identity");
    let admin = OfficerId(std::env::var("CRASH_ADMIN").expect("admin"));
    let keychain = Keychain::file(std::env::var("CRASH_KEYCHAIN_DIR").expect("keychain dir"));
    let mut v =
        Vault::unlock_with_recovery(&VaultDir::new(dir), &keychain, &identity, &admin, now())
            .expect("child opens the vault");
    let mut m = 1;
    loop {
        let seq = v.set_auto_lock_minutes(m, now()).expect("write");
        // Printed only after the commit returned: an acknowledged write.
        println!("ack {seq}");
        m = m % 120 + 1;
    }
}

#[test]
fn killing_a_writer_200_times_loses_no_acknowledged_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::file(tmp.path());
    let hq = age::x25519::Identity::generate();
    let v = Vault::create(
        &dir,
        &keychain,
        "Crash Tester",
        &pass(PASS),
        Some(&hq.to_public()),
        now(),
    )
    .expect("create");
    let admin = v.officer().id.clone();
    drop(v);
    let exe = std::env::current_exe().expect("test binary");
    let mut acked_max = 0i64;
    let mut rng_state = 0x2545_f491_4f6c_dd1du64;
    let t0 = Instant::now();
    for round in 0..200 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CRASH_VAULT_DIR", dir.path())
            .env("CRASH_HQ_IDENTITY", hq.to_string().expose_secret())
            .env("CRASH_ADMIN", &admin.0)
            .env("CRASH_KEYCHAIN_DIR", tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut last = 0i64;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line
                    .strip_prefix("ack ")
                    .and_then(|n| n.trim().parse().ok())
                {
                    last = n;
                }
            }
            last
        });
        // xorshift: a different kill point each round, 20..220 ms after start.
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        std::thread::sleep(Duration::from_millis(20 + rng_state % 200));
        child.kill().expect("SIGKILL the writer");
        let _ = child.wait();
        let last = reader.join().expect("reader");
        acked_max = acked_max.max(last);

        let v = Vault::unlock_with_recovery(&dir, &keychain, &hq, &admin, now())
            .unwrap_or_else(|e| panic!("round {round}: the vault must open after SIGKILL: {e}"));
        let problems = v.integrity_problems().expect("integrity checks run");
        assert!(
            problems.is_empty(),
            "round {round}: integrity_check / cipher_integrity_check: {problems:?}"
        );
        let len = v.audit_len().expect("audit");
        assert!(
            len >= acked_max,
            "round {round}: acknowledged write {acked_max} lost (audit has {len})"
        );
        assert_eq!(
            v.first_broken_audit_entry().expect("verify"),
            None,
            "round {round}: the chain is intact"
        );
    }
    assert!(
        acked_max > 200,
        "the writer must have made progress between kills (acked {acked_max})"
    );
    eprintln!(
        "crash test: 200 kills, {acked_max} acknowledged writes, {:?}",
        t0.elapsed()
    );
}

/// A full disk: a small tmpfs (needs root to mount; CI runs as root).
#[test]
fn a_full_disk_gives_its_own_error_and_keeps_the_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=600k", "tmpfs"])
        .arg(&mnt)
        .status();
    if !matches!(mounted, Ok(s) if s.success()) {
        assert!(
            std::env::var_os("VAULT_FAULT_TESTS_REQUIRED").is_none(),
            "cannot mount a tmpfs to fill"
        );
        eprintln!("SKIP full-disk test: cannot mount a tmpfs here (not root)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let dir = VaultDir::new(mnt.join("vault"));
    let keychain = mock();
    let mut v = Vault::create(&dir, &keychain, "Full Disk", &pass(PASS), None, now())
        .expect("create on the small disk");
    // Fill what is left.
    let filler = mnt.join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 600 * 1024]);
    let mut err = None;
    for m in 1..=2000 {
        if let Err(e) = v.set_auto_lock_minutes(m % 120 + 1, now()) {
            err = Some(e);
            break;
        }
    }
    let audited = v.audit_len().expect("still readable");
    assert!(
        matches!(err, Some(VaultError::DiskFull)),
        "a full disk must say so: {err:?}"
    );
    // Once full, a refused write leaves every file as it was.
    let before = snapshot(dir.path());
    let again = v.set_auto_lock_minutes(7, now()).err();
    assert!(
        matches!(again, Some(VaultError::DiskFull)),
        "still full: {again:?}"
    );
    let after = snapshot(dir.path());
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        // The refused transaction may leave frames in the WAL without a commit frame, which
        // SQLite ignores (and overwrites); the reopen below proves no data changed.
        .filter(|p| !p.to_string_lossy().ends_with("-wal"))
        .collect();
    assert!(
        changed.is_empty(),
        "a write refused for a full disk changes no file; changed: {changed:?}"
    );
    drop(v);
    let _ = std::fs::remove_file(&filler);
    let v = Vault::unlock(
        &dir,
        &keychain,
        &OfficerId(first_officer(&dir, &keychain)),
        &pass(PASS),
        now(),
    )
    .expect("reopens after space is freed");
    assert!(
        v.integrity_problems().expect("check").is_empty(),
        "nothing was torn"
    );
    assert_eq!(
        v.audit_len().expect("audit"),
        audited,
        "every committed write is there, the refused one is not"
    );
}

fn first_officer(dir: &VaultDir, keychain: &Keychain) -> String {
    dir.roster(keychain).expect("a vault with a roster")[0]
        .0
        .0
        .clone()
}

/// The real OS keychain: a Secret Service (gnome-keyring) on a D-Bus session bus. The README's test
/// command starts one and sets SECRET_SERVICE_REQUIRED=1; elsewhere the test skips when none runs.
#[test]
fn the_real_secret_service_holds_the_device_secret() {
    let keychain = match Keychain::os() {
        Ok(k) => k,
        Err(e) => {
            assert!(
                std::env::var_os("SECRET_SERVICE_REQUIRED").is_none(),
                "SECRET_SERVICE_REQUIRED is set but the Secret Service is not available: {e}"
            );
            eprintln!("SKIP: no Secret Service here ({e}); scripts/test.sh provides one");
            return;
        }
    };
    assert_eq!(keychain.backend(), KeychainBackend::SecretService);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let v = Vault::create(&dir, &keychain, "Keyring Tester", &pass(PASS), None, now())
        .expect("create with the real keychain");
    let id = v.officer().id.clone();
    drop(v);
    let v = Vault::unlock(
        &dir,
        &Keychain::os().expect("keychain again"),
        &id,
        &pass(PASS),
        now(),
    )
    .expect("unlock via the real keychain");
    assert_eq!(v.keychain_backend(), KeychainBackend::SecretService);
    assert!(
        !std::fs::read_dir(tmp.path()).expect("read").any(|e| e
            .expect("e")
            .file_name()
            .to_string_lossy()
            .ends_with(".secret")),
        "with a real keychain no device secret file is written"
    );
}

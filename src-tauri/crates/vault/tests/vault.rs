//! Integration tests of the vault crate against real SQLCipher files in temporary folders.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use vault::{Passphrase, Role, Vault, VaultDir, VaultError, VaultState};

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0)
        .single()
        .expect("valid time")
}

/// Every file under `dir` with its bytes, to prove an operation changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read vault dir") {
        let entry = entry.expect("dir entry");
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            std::fs::read(entry.path()).expect("read file"),
        );
    }
    out
}

fn new_vault(root: &Path) -> (VaultDir, vault::OfficerId) {
    let dir = VaultDir::new(root.join("vault"));
    let v = Vault::create(&dir, "Әлия Қасымова", &pass("correct horse battery"), now())
        .expect("create vault");
    let id = v.officer().id.clone();
    (dir, id)
}

#[test]
fn create_then_unlock_as_the_first_admin() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, id) = new_vault(tmp.path());
    let v = Vault::unlock(&dir, &id, &pass("correct horse battery"))
        .expect("unlock with the right passphrase");
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
        v.first_broken_audit_entry().expect("verify"),
        None,
        "a fresh chain is intact"
    );
    match dir.state().expect("state") {
        VaultState::Present(officers) => {
            assert_eq!(officers, vec![(id, "Әлия Қасымова".to_owned())])
        }
        VaultState::Missing => panic!("the vault must be present after create"),
    }
}

#[test]
fn a_second_create_is_refused_and_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, _) = new_vault(tmp.path());
    let before = snapshot(dir.path());
    let err = Vault::create(&dir, "Someone Else", &pass("another passphrase"), now()).err();
    assert!(
        matches!(err, Some(VaultError::AlreadyExists)),
        "got {err:?}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a refused create must not touch the vault"
    );
}

#[test]
fn wrong_passphrase_is_typed_and_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, id) = new_vault(tmp.path());
    let before = snapshot(dir.path());
    let err = Vault::unlock(&dir, &id, &pass("wrong horse battery")).err();
    assert!(
        matches!(err, Some(VaultError::WrongPassphrase)),
        "got {err:?}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a failed unlock must leave every file byte-identical"
    );
}

#[test]
fn unknown_officer_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, _) = new_vault(tmp.path());
    let err = Vault::unlock(
        &dir,
        &vault::OfficerId("nobody".into()),
        &pass("correct horse battery"),
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
    let err = Vault::create(&dir, "Әлия", &pass("short"), now()).err();
    assert!(
        matches!(err, Some(VaultError::WeakPassphrase { min: 10 })),
        "got {err:?}"
    );
    let err = Vault::create(&dir, "DROP TABLE;", &pass("long enough passphrase"), now()).err();
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
fn no_plaintext_of_the_officer_name_on_disk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let v = Vault::create(
        &dir,
        "Zhanibek Canary",
        &pass("correct horse battery"),
        now(),
    )
    .expect("create");
    drop(v);
    let db = std::fs::read(dir.path().join("vault.db")).expect("db file");
    assert!(
        !db.starts_with(b"SQLite format 3"),
        "the database header must be encrypted"
    );
    assert!(
        !db.windows(b"Zhanibek".len()).any(|w| w == b"Zhanibek"),
        "the officer's name must not appear in the encrypted database"
    );
}

#[test]
fn a_flipped_byte_in_the_database_is_detected_and_not_repaired() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, id) = new_vault(tmp.path());
    let db = dir.path().join("vault.db");
    let mut bytes = std::fs::read(&db).expect("db");
    bytes[5000] ^= 0x01; // inside page 2
    std::fs::write(&db, &bytes).expect("write tampered db");
    let before = snapshot(dir.path());
    let err = Vault::unlock(&dir, &id, &pass("correct horse battery")).err();
    assert!(
        matches!(err, Some(VaultError::Damaged | VaultError::NotAVault)),
        "tampering must be reported, got {err:?}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a failed unlock must not rewrite the tampered file"
    );
}

#[test]
fn a_file_that_is_not_a_vault_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, id) = new_vault(tmp.path());
    std::fs::write(
        dir.path().join("vault.db"),
        b"this is not a database at all, just text".repeat(200),
    )
    .expect("write");
    let err = Vault::unlock(&dir, &id, &pass("correct horse battery")).err();
    assert!(matches!(err, Some(VaultError::NotAVault)), "got {err:?}");
}

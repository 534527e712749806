//! The trust core against someone who holds the files: a cut or rewritten audit chain, a disabled
//! officer's old key, the unlock throttle across processes, backups of a damaged vault, unsigned or
//! re-signed backups, recovery with head office's key, and the files' permissions.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};
use vault::{AnchorCheck, BackupKey, BackupTo, Keychain, Role, Vault, VaultDir, VaultError};

use super::{
    PASS, data_key_from_backup, desk, now, open_with_key, pass, unpack_with_reference_tools,
};

/// Runs `sql` on the vault's database with the raw data key, as the `sqlcipher` shell would.
fn tamper(db: &Path, key: &str, sql: &str) {
    open_with_key(db, key).execute_batch(sql).expect("tamper");
}

/// The data key, as someone who can unlock the desk (or holds a backup) would have it.
fn current_key(d: &super::Desk) -> String {
    let file = tempfile::NamedTempFile::new().expect("tmp");
    d.unlock()
        .backup(
            file.path(),
            BackupTo::Recipients(&[d.hq.to_public()]),
            now(),
        )
        .expect("backup");
    data_key_from_backup(file.path(), &d.hq)
}

fn desk_with_history() -> super::Desk {
    let d = desk();
    let mut v = d.unlock();
    for m in 1..=5 {
        v.set_auto_lock_minutes(m, now()).expect("set");
    }
    d
}

#[test]
fn deleting_the_last_audit_entries_is_reported_as_truncation() {
    let d = desk_with_history();
    let key = current_key(&d);
    let before = d.unlock().verify_audit().expect("verify");
    assert!(before.intact(), "an untouched chain is intact: {before:?}");
    tamper(
        &d.dir.path().join("vault.db"),
        &key,
        "DELETE FROM audit WHERE seq > 3;",
    );
    let report = d.unlock().verify_audit().expect("verify");
    assert!(
        !report.intact(),
        "a chain cut short must not be intact: {report:?}"
    );
    assert!(
        matches!(report.anchor, AnchorCheck::Truncated { last_seq: 3, .. }),
        "the report names the truncation: {report:?}"
    );
    // Unlocking again (and writing) must not move the anchor over the evidence.
    d.unlock().set_auto_lock_minutes(9, now()).expect("set");
    let again = d.unlock().verify_audit().expect("verify");
    assert!(
        !again.intact(),
        "the evidence survives later writes: {again:?}"
    );
}

#[test]
fn deleting_every_audit_entry_refuses_to_open() {
    let d = desk_with_history();
    let key = current_key(&d);
    tamper(&d.dir.path().join("vault.db"), &key, "DELETE FROM audit;");
    // The officers' audited states are gone with the chain: the desk does not trust its roster.
    let err = Vault::unlock(&d.dir, &d.keychain, &d.admin, &pass(PASS), now()).err();
    assert!(
        matches!(err, Some(VaultError::Damaged)),
        "an emptied chain refuses to open as damaged: {err:?}"
    );
}

/// The schema-1 link: SHA-256 over the previous hash and every field, length-prefixed.
fn plain_link(prev: &[u8], seq: i64, fields: [&str; 4], payload: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"branchdesk-audit-v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    h.update(payload);
    h.finalize().to_vec()
}

#[test]
fn a_rewritten_history_with_a_recomputed_chain_is_reported() {
    let d = desk_with_history();
    let key = current_key(&d);
    let db = d.dir.path().join("vault.db");
    tamper(
        &db,
        &key,
        "UPDATE audit SET action = 'settings.nothing' WHERE seq = 3;",
    );
    // Recompute every link as schema 1 did, so the chain links again.
    let conn = open_with_key(&db, &key);
    let rows: Vec<(i64, String, String, String, String, Vec<u8>)> = conn
        .prepare(
            "SELECT seq, at, officer_id, action, entity_id, payload_hash FROM audit ORDER BY seq",
        )
        .expect("prepare")
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut prev = vec![0u8; 32];
    for (seq, at, officer, action, entity, payload) in rows {
        let hash = plain_link(&prev, seq, [&at, &officer, &action, &entity], &payload);
        conn.execute(
            "UPDATE audit SET prev_hash = ?1, hash = ?2, keyed = 0 WHERE seq = ?3",
            rusqlite::params![prev, hash, seq],
        )
        .expect("relink");
        prev = hash;
    }
    drop(conn);
    let report = d.unlock().verify_audit().expect("verify");
    assert!(
        !report.intact(),
        "a recomputed chain must not pass: {report:?}"
    );
    assert!(
        matches!(report.anchor, AnchorCheck::Rewritten { .. }),
        "the signed head no longer matches: {report:?}"
    );
}

#[test]
fn a_disabled_officers_passphrase_and_old_key_open_nothing() {
    let d = desk();
    let mut admin = d.unlock();
    let clerk = admin
        .add_officer(
            "Дәурен Ержанов",
            Role::Officer,
            &pass("clerk passphrase"),
            now(),
        )
        .expect("add");
    drop(admin);
    // What the clerk could have taken while trusted: the raw data key.
    let old_key = current_key(&d);
    d.unlock()
        .set_officer_disabled(&clerk.id, true, now())
        .expect("disable");

    let keys = std::fs::read_to_string(d.dir.path().join("vault.keys")).expect("keys");
    let file: serde_json::Value = serde_json::from_str(&keys).expect("json");
    let entry = file["officers"]
        .as_array()
        .expect("officers")
        .iter()
        .find(|o| o["id"] == clerk.id.0)
        .expect("the clerk's tombstone");
    for field in ["identity", "key", "wrap", "next_key"] {
        assert!(
            entry.get(field).is_none(),
            "a disabled officer keeps no {field} in vault.keys: {entry}"
        );
    }
    let err = Vault::unlock(
        &d.dir,
        &d.keychain,
        &clerk.id,
        &pass("clerk passphrase"),
        now(),
    )
    .err();
    assert!(
        matches!(err, Some(VaultError::OfficerDisabled)),
        "the disabled officer's passphrase no longer unlocks: {err:?}"
    );
    let opened = open_with_key(&d.dir.path().join("vault.db"), &old_key)
        .execute_batch("SELECT count(*) FROM officer;");
    assert!(
        opened.is_err(),
        "the data key was rotated: the old one opens nothing"
    );
    let v = d.unlock();
    assert!(
        v.verify_audit().expect("verify").intact(),
        "the rotation is audited, chain intact"
    );
}

#[test]
fn a_role_changed_behind_the_desks_back_refuses_to_open() {
    let d = desk();
    let mut admin = d.unlock();
    let clerk = admin
        .add_officer(
            "Дәурен Ержанов",
            Role::Officer,
            &pass("clerk passphrase"),
            now(),
        )
        .expect("add");
    drop(admin);
    let key = current_key(&d);
    tamper(
        &d.dir.path().join("vault.db"),
        &key,
        &format!(
            "UPDATE officer SET role = 'admin' WHERE id = '{}';",
            clerk.id.0
        ),
    );
    let err = Vault::unlock(
        &d.dir,
        &d.keychain,
        &clerk.id,
        &pass("clerk passphrase"),
        now(),
    )
    .err();
    assert!(
        matches!(err, Some(VaultError::Damaged)),
        "an officer table that differs from its audited state refuses to open: {err:?}"
    );
}

/// Child: three wrong passphrases for the administrator, in a process of its own; prints what
/// each try answered (the parent judges, so this child never fails on its own).
#[test]
fn throttle_child() {
    let Ok(dir) = std::env::var("THROTTLE_VAULT") else {
        return;
    };
    let keychain = Keychain::file(std::env::var("THROTTLE_KEYCHAIN").expect("keychain dir"));
    let admin = vault::OfficerId(std::env::var("THROTTLE_ADMIN").expect("admin"));
    for _ in 0..3 {
        let answer = match Vault::unlock(
            &VaultDir::new(dir.clone()),
            &keychain,
            &admin,
            &pass("wrong wrong wrong"),
            now(),
        ) {
            Ok(_) => "opened".to_owned(),
            Err(VaultError::WrongPassphrase) => "wrong".to_owned(),
            Err(VaultError::TooManyAttempts { .. }) => "throttled".to_owned(),
            Err(e) => format!("other {e}"),
        };
        println!("throttle-child: {answer}");
    }
}

/// Runs [`throttle_child`] in a new process; returns what its three tries answered.
fn child_tries(dir: &VaultDir, keychain_dir: &Path, admin: &vault::OfficerId) -> Vec<String> {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .args([
            "--exact",
            "trust::throttle_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("THROTTLE_VAULT", dir.path())
        .env("THROTTLE_KEYCHAIN", keychain_dir)
        .env("THROTTLE_ADMIN", &admin.0)
        .output()
        .expect("run the child");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        // The harness may print "test … " on the same line before the child's first answer.
        .filter_map(|l| {
            l.split_once("throttle-child: ")
                .map(|(_, a)| a.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_throttle_holds_across_processes_and_restarts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::file(tmp.path());
    let v =
        Vault::create(&dir, &keychain, "Әлия Қасымова", &pass(PASS), None, now()).expect("create");
    let admin = v.officer().id.clone();
    drop(v);
    assert_eq!(
        child_tries(&dir, tmp.path(), &admin),
        ["wrong", "wrong", "wrong"],
        "the first three wrong tries are free"
    );
    assert_eq!(
        child_tries(&dir, tmp.path(), &admin),
        ["throttled", "throttled", "throttled"],
        "a second process is throttled by the first one's failures"
    );
    // Even the right passphrase waits now, in this third process.
    let err = Vault::unlock(&dir, &keychain, &admin, &pass(PASS), now()).err();
    assert!(
        matches!(err, Some(VaultError::TooManyAttempts { retry_after_secs }) if retry_after_secs > 0),
        "the throttle's state is on disk, not in one process: {err:?}"
    );
    assert!(
        dir.path().with_extension("attempts").exists(),
        "the counter file is beside the vault"
    );
    let later = now() + chrono::Duration::seconds(301);
    Vault::unlock(&dir, &keychain, &admin, &pass(PASS), later)
        .expect("after the wait the right passphrase works");
}

#[test]
fn a_vault_with_a_corrupted_page_refuses_to_back_up() {
    let d = desk();
    let db = d.dir.path().join("vault.db");
    let small = std::fs::metadata(&db).expect("meta").len();
    let mut v = d.unlock();
    let big: String = (0..60_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    v.save_form_draft("client", &big, now())
        .expect("a large draft spans many pages");
    drop(v);
    let large = std::fs::metadata(&db).expect("meta").len();
    assert!(
        large > small + 8 * 4096,
        "the draft added pages: {small} → {large}"
    );
    let mut bytes = std::fs::read(&db).expect("read");
    let page = (small + large) / 2 / 4096;
    let at = (page * 4096 + 2000) as usize;
    bytes[at] ^= 0xff;
    std::fs::write(&db, bytes).expect("corrupt one page");

    let out = d.root.join("backup.age");
    let mut v = d.unlock();
    let audit_before = v.audit_len().expect("audit");
    let err = v
        .backup(&out, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .err();
    assert!(
        matches!(err, Some(VaultError::NotIntact) | Some(VaultError::Damaged)),
        "a damaged vault must not back up: {err:?}"
    );
    assert!(!out.exists(), "no backup file is written");
    assert!(
        !out.with_extension("partial").exists(),
        "no partial file stays"
    );
    assert_eq!(
        v.audit_len().expect("audit"),
        audit_before,
        "a refused backup is not audited"
    );
}

#[test]
fn a_short_backup_passphrase_is_refused() {
    let d = desk();
    let out = d.root.join("backup.age");
    let err = d
        .unlock()
        .backup(&out, BackupTo::Passphrase(&pass("x")), now())
        .err();
    assert!(
        matches!(err, Some(VaultError::WeakPassphrase { .. })),
        "{err:?}"
    );
    assert!(!out.exists());
}

/// Re-packs an unpacked backup folder into a backup encrypted to `hq`, with the reference tools.
fn repack(unpacked: &Path, names: &[&str], hq: &age::x25519::Identity, out: &Path) {
    let tar = unpacked.join("repacked.tar");
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(unpacked)
        .args(names)
        .status()
        .expect("tar");
    assert!(status.success());
    let status = Command::new("age")
        .arg("-r")
        .arg(hq.to_public().to_string())
        .arg("-o")
        .arg(out)
        .arg(&tar)
        .status()
        .expect("age");
    assert!(status.success());
}

#[test]
fn an_unsigned_or_resigned_backup_refuses_to_restore() {
    let d = desk();
    let backup = d.root.join("backup.age");
    d.unlock()
        .backup(&backup, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .expect("backup");
    let unpacked = unpack_with_reference_tools(&backup, &d.hq);
    let files = [
        "branchdesk-backup.json",
        "vault.db",
        "vault.keys",
        "device.secret",
        "data.key",
    ];

    // The signature removed.
    let unsigned = d.root.join("unsigned.age");
    repack(unpacked.path(), &files, &d.hq, &unsigned);
    // Signed, but by another key than the desk's inside the backup.
    let mallory = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let manifest_path = unpacked.path().join("branchdesk-backup.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("manifest")).expect("json");
    manifest["desk_key"] = hex::encode(mallory.verifying_key().to_bytes()).into();
    let bytes = serde_json::to_vec_pretty(&manifest).expect("json");
    std::fs::write(&manifest_path, &bytes).expect("write");
    let sig = ed25519_dalek::Signer::sign(&mallory, &bytes);
    std::fs::write(
        unpacked.path().join("branchdesk-backup.sig"),
        hex::encode(sig.to_bytes()),
    )
    .expect("write sig");
    let resigned = d.root.join("resigned.age");
    let mut all = files.to_vec();
    all.push("branchdesk-backup.sig");
    repack(unpacked.path(), &all, &d.hq, &resigned);

    for (what, path) in [("unsigned", &unsigned), ("re-signed", &resigned)] {
        let target = tempfile::tempdir().expect("tmp");
        let dir = VaultDir::new(target.path().join("vault"));
        let err = vault::restore(
            path,
            BackupKey::Identity(&d.hq),
            &dir,
            &Keychain::file(target.path()),
            false,
            now(),
        )
        .err();
        assert!(
            matches!(err, Some(VaultError::BackupUnsigned)),
            "a {what} backup must be refused: {err:?}"
        );
        assert!(
            !dir.path().exists(),
            "a refused restore writes no vault ({what})"
        );
    }

    // The genuine one restores and says whose desk made it.
    let target = tempfile::tempdir().expect("tmp");
    let dir = VaultDir::new(target.path().join("vault"));
    let report = vault::restore(
        &backup,
        BackupKey::Identity(&d.hq),
        &dir,
        &Keychain::file(target.path()),
        false,
        now(),
    )
    .expect("a signed backup restores");
    assert_eq!(
        report.desk_key,
        d.unlock().desk_public_keys().expect("keys").signing
    );
    assert_eq!(report.made_by, d.admin.0);
}

#[test]
fn head_office_recovers_a_desk_whose_keychain_lost_its_secret() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::file(tmp.path());
    let hq = age::x25519::Identity::generate();
    let mut v = Vault::create(
        &dir,
        &keychain,
        "Әлия Қасымова",
        &pass(PASS),
        Some(&hq.to_public()),
        now(),
    )
    .expect("create");
    let admin = v.officer().id.clone();
    let clerk = v
        .add_officer(
            "Дәурен Ержанов",
            Role::Officer,
            &pass("clerk passphrase"),
            now(),
        )
        .expect("add");
    drop(v);
    // The keychain is gone (a new computer, a wiped keyring).
    for entry in std::fs::read_dir(tmp.path()).expect("dir").flatten() {
        if entry.file_name().to_string_lossy().starts_with("device-") {
            std::fs::remove_file(entry.path()).expect("remove the device secret");
        }
    }
    assert!(matches!(
        dir.roster(&keychain),
        Err(VaultError::DeviceSecretMissing)
    ));
    let err = Vault::unlock(&dir, &keychain, &admin, &pass(PASS), now()).err();
    assert!(err.is_some(), "the passphrase alone no longer opens it");

    let wrong = age::x25519::Identity::generate();
    let err = Vault::recover(
        &dir,
        &keychain,
        &wrong,
        None,
        &pass("new admin passphrase"),
        now(),
    )
    .err();
    assert!(
        matches!(
            err,
            Some(VaultError::WrongPassphrase) | Some(VaultError::BackupKey)
        ),
        "another key recovers nothing: {err:?}"
    );

    let v = Vault::recover(
        &dir,
        &keychain,
        &hq,
        None,
        &pass("new admin passphrase"),
        now(),
    )
    .expect("head office's key recovers the desk");
    assert_eq!(v.officer().id, admin, "recovered as the administrator");
    assert!(v.verify_audit().expect("verify").intact());
    drop(v);
    let roster = dir
        .roster(&keychain)
        .expect("names readable under the new device secret");
    assert_eq!(
        roster.len(),
        1,
        "only the administrator has an entry now: {roster:?}"
    );
    Vault::unlock(
        &dir,
        &keychain,
        &admin,
        &pass("new admin passphrase"),
        now(),
    )
    .expect("the new passphrase unlocks");
    let err = Vault::unlock(&dir, &keychain, &clerk.id, &pass("clerk passphrase"), now()).err();
    assert!(
        err.is_some(),
        "the clerk needs a new passphrase from the administrator: {err:?}"
    );
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

#[test]
fn vault_files_and_backups_are_owner_only() {
    let d = desk();
    let backup = d.root.join("backup.age");
    d.unlock()
        .backup(&backup, BackupTo::Recipients(&[d.hq.to_public()]), now())
        .expect("backup");
    let _ = Vault::unlock(
        &d.dir,
        &d.keychain,
        &d.admin,
        &pass("wrong wrong wrong"),
        now(),
    );
    assert_eq!(mode(d.dir.path()), 0o700, "the vault folder");
    for name in ["vault.db", "vault.keys"] {
        assert_eq!(mode(&d.dir.path().join(name)), 0o600, "{name}");
    }
    assert_eq!(
        mode(&d.dir.path().with_extension("attempts")),
        0o600,
        "the unlock counter"
    );
    assert_eq!(mode(&backup), 0o600, "the backup");
}

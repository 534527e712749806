//! Slowing down repeated wrong passphrases, for the window and the CLI alike.
//!
//! Failures never destroy anything (no wipe after N tries); after three in a row, each further try
//! for that officer waits 1, 2, 4 … up to 300 s. The counts live in a small file beside the vault
//! folder (`vault.attempts`, owner-only), never in `vault.db` or `vault.keys`, so a restart does not
//! reset them. Every attempt holds an exclusive lock on that file from the check to the verdict, so
//! parallel attempts (two windows, a window and the CLI, several IPC calls at once) are serialised
//! and each sees the others' failures.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::VaultError;
use crate::officer::OfficerId;
use crate::vault::VaultDir;

const FREE_TRIES: u32 = 3;
const MAX_DELAY_SECS: i64 = 300;

#[derive(Serialize, Deserialize, Default)]
struct Counts {
    officers: BTreeMap<String, Count>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
struct Count {
    failures: u32,
    /// No try before this moment.
    not_before: DateTime<Utc>,
}

fn delay_after(failures: u32) -> Duration {
    if failures < FREE_TRIES {
        return Duration::zero();
    }
    let exp = (failures - FREE_TRIES).min(16);
    Duration::seconds((1i64 << exp).min(MAX_DELAY_SECS))
}

/// The throttle of one vault folder.
pub(crate) struct UnlockThrottle {
    path: PathBuf,
}

impl UnlockThrottle {
    pub(crate) fn of(dir: &VaultDir) -> UnlockThrottle {
        UnlockThrottle {
            path: dir.path().with_extension("attempts"),
        }
    }

    /// Runs `attempt` for `officer` unless they must still wait; counts a `WrongPassphrase` and
    /// clears the count on success. Attempts on the same vault run one at a time.
    pub(crate) fn attempt<T>(
        &self,
        officer: &OfficerId,
        now: DateTime<Utc>,
        attempt: impl FnOnce() -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let mut file = self.open()?;
        file.lock()?;
        let result = (|| {
            let mut counts = read(&mut file);
            if let Some(c) = counts.officers.get(&officer.0) {
                // A clock set back must not lengthen the wait beyond the cap.
                let wait = (c.not_before - now).min(Duration::seconds(MAX_DELAY_SECS));
                if wait > Duration::zero() {
                    let secs = (wait.num_milliseconds() + 999) / 1000;
                    return Err(VaultError::TooManyAttempts {
                        retry_after_secs: secs.max(1) as u64,
                    });
                }
            }
            let outcome = attempt();
            match &outcome {
                Err(VaultError::WrongPassphrase) => {
                    let c = counts.officers.entry(officer.0.clone()).or_insert(Count {
                        failures: 0,
                        not_before: now,
                    });
                    c.failures += 1;
                    c.not_before = now + delay_after(c.failures);
                    write(&mut file, &counts)?;
                }
                Ok(_) => {
                    if counts.officers.remove(&officer.0).is_some() {
                        write(&mut file, &counts)?;
                    }
                }
                Err(_) => {}
            }
            outcome
        })();
        let _ = file.unlock();
        result
    }

    fn open(&self) -> Result<File, VaultError> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        Ok(options.open(&self.path)?)
    }
}

/// A missing, empty or unreadable file counts as no failures: the file is a brake, not a record.
fn read(file: &mut File) -> Counts {
    let mut text = String::new();
    if file.seek(SeekFrom::Start(0)).is_err() || file.read_to_string(&mut text).is_err() {
        return Counts::default();
    }
    serde_json::from_str(&text).unwrap_or_default()
}

fn write(file: &mut File, counts: &Counts) -> Result<(), VaultError> {
    let json = serde_json::to_vec(counts).map_err(|e| VaultError::Io(e.into()))?;
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&json)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    fn wrong() -> Result<(), VaultError> {
        Err(VaultError::WrongPassphrase)
    }

    #[test]
    fn three_free_tries_then_doubling_waits_capped_and_kept_on_disk() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = VaultDir::new(tmp.path().join("vault"));
        let id = OfficerId("a".into());
        let t = UnlockThrottle::of(&dir);
        for _ in 0..3 {
            assert!(
                matches!(
                    t.attempt(&id, at(0), wrong),
                    Err(VaultError::WrongPassphrase)
                ),
                "the first wrong tries cost nothing"
            );
        }
        // A new throttle over the same folder (a restarted app, or the CLI) sees the count.
        let again = UnlockThrottle::of(&dir);
        assert!(matches!(
            again.attempt(&id, at(0), || Ok(())),
            Err(VaultError::TooManyAttempts {
                retry_after_secs: 1
            })
        ));
        assert!(
            matches!(
                again.attempt(&id, at(1), wrong),
                Err(VaultError::WrongPassphrase)
            ),
            "the wait ends"
        );
        assert!(matches!(
            again.attempt(&id, at(1), || Ok(())),
            Err(VaultError::TooManyAttempts {
                retry_after_secs: 2
            })
        ));
        assert_eq!(
            delay_after(40),
            Duration::seconds(MAX_DELAY_SECS),
            "waits are capped at five minutes"
        );
        assert!(
            again
                .attempt(&OfficerId("b".into()), at(1), || Ok(()))
                .is_ok(),
            "other officers are not slowed"
        );
        again.attempt(&id, at(3), || Ok(())).expect("a success");
        assert!(
            again.attempt(&id, at(3), wrong).is_err()
                && again.attempt(&id, at(3), || Ok(())).is_ok(),
            "a success clears the count"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(tmp.path().join("vault.attempts"))
                .expect("counter file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the counter file is owner-only");
        }
    }
}

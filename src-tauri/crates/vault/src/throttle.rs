//! Slowing down repeated wrong passphrases. Failures never destroy anything (no wipe after N
//! tries); after three in a row, each further try for that officer waits 1, 2, 4 … up to 300 s.
//! Kept in memory by the process that unlocks: a failed unlock must not change any file.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::error::VaultError;
use crate::officer::OfficerId;

const FREE_TRIES: u32 = 3;
const MAX_DELAY: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
pub struct UnlockThrottle {
    /// Per officer: consecutive failures and when the next try is allowed.
    failures: HashMap<OfficerId, (u32, Instant)>,
}

fn delay_after(failures: u32) -> Duration {
    if failures < FREE_TRIES {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_TRIES).min(16);
    Duration::from_secs(1u64 << exp).min(MAX_DELAY)
}

impl UnlockThrottle {
    /// Refuses a try for `officer` before their waiting time is over.
    pub fn check(&self, officer: &OfficerId, now: Instant) -> Result<(), VaultError> {
        match self.failures.get(officer) {
            Some((_, next)) if *next > now => {
                let wait = next.duration_since(now).as_secs_f64().ceil() as u64;
                Err(VaultError::TooManyAttempts {
                    retry_after_secs: wait.max(1),
                })
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&mut self, officer: &OfficerId, now: Instant) {
        let entry = self.failures.entry(officer.clone()).or_insert((0, now));
        entry.0 += 1;
        entry.1 = now + delay_after(entry.0);
    }

    pub fn succeeded(&mut self, officer: &OfficerId) {
        self.failures.remove(officer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_free_tries_then_doubling_waits_capped() {
        let id = OfficerId("a".into());
        let mut t = UnlockThrottle::default();
        let t0 = Instant::now();
        for _ in 0..2 {
            t.failed(&id, t0);
            assert!(
                t.check(&id, t0).is_ok(),
                "the first wrong tries cost nothing"
            );
        }
        t.failed(&id, t0);
        assert!(matches!(
            t.check(&id, t0),
            Err(VaultError::TooManyAttempts {
                retry_after_secs: 1
            })
        ));
        assert!(
            t.check(&id, t0 + Duration::from_secs(1)).is_ok(),
            "the wait ends"
        );
        t.failed(&id, t0);
        assert!(matches!(
            t.check(&id, t0),
            Err(VaultError::TooManyAttempts {
                retry_after_secs: 2
            })
        ));
        assert_eq!(
            delay_after(40),
            MAX_DELAY,
            "waits are capped at five minutes"
        );
        assert!(
            t.check(&OfficerId("b".into()), t0).is_ok(),
            "other officers are not slowed"
        );
        t.succeeded(&id);
        assert!(t.check(&id, t0).is_ok(), "a success clears the count");
    }
}

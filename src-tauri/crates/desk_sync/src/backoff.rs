//! When background sync tries again after a failure: doubling from 30 seconds up to the
//! configured interval, with jitter so that a branch's desks coming back online together do not
//! knock on head office in step.

use std::time::Duration;

use rand::Rng;

const FIRST: Duration = Duration::from_secs(30);

/// The wait before the next automatic attempt after `failures` failures in a row (0: none, wait
/// the full interval). Never more than `interval`, never less than half the unjittered delay.
pub fn retry_delay(failures: u32, interval: Duration, rng: &mut impl Rng) -> Duration {
    if failures == 0 {
        return interval;
    }
    let doubled = FIRST.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    let base = doubled.min(interval).max(Duration::from_secs(1));
    // Full jitter over the upper half: [base/2, base].
    let half = base / 2;
    let extra = rng.gen_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(extra)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn doubles_caps_at_the_interval_and_jitters() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let interval = Duration::from_secs(15 * 60);
        assert_eq!(retry_delay(0, interval, &mut rng), interval);
        for (failures, base) in [(1, 30), (2, 60), (3, 120), (6, 900), (40, 900)] {
            let samples: Vec<_> = (0..200)
                .map(|_| retry_delay(failures, interval, &mut rng))
                .collect();
            let base = Duration::from_secs(base);
            assert!(
                samples.iter().all(|d| *d >= base / 2 && *d <= base),
                "after {failures} failures every wait lies in [{:?}, {base:?}]",
                base / 2
            );
            let distinct: std::collections::HashSet<_> = samples.iter().collect();
            assert!(
                distinct.len() > 50,
                "waits must spread (jitter), got {} distinct",
                distinct.len()
            );
        }
    }
}

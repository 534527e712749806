//! A per-device request budget (token bucket), per server instance. It protects an instance from
//! one desk gone wrong (a retry loop); it is not shared between instances and need not be.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Token buckets keyed by device id.
#[derive(Debug)]
pub struct RateLimit {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimit {
    /// `per_second` requests on average, bursts of up to `burst`.
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self {
            per_second,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s budget; `false` if it is spent.
    pub fn allow(&self, key: &str, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() > 100_000 {
            // Bounded memory: forget everyone (a few desks get a fresh burst).
            buckets.clear();
        }
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        let refill = now.saturating_duration_since(*last).as_secs_f64() * self.per_second;
        *tokens = (*tokens + refill).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_then_refilled_per_device() {
        let r = RateLimit::new(2.0, 3.0);
        let t = Instant::now();
        assert!((0..3).all(|_| r.allow("a", t)), "the burst passes");
        assert!(!r.allow("a", t), "the fourth at once is refused");
        assert!(r.allow("b", t), "another device has its own budget");
        assert!(
            r.allow("a", t + Duration::from_millis(500)),
            "half a second refills one"
        );
    }
}

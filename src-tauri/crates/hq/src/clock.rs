//! Head office's time: UTC, RFC 3339 with seconds, as stored and signed. Handlers take the time
//! from [`Clock`] so tests can set it.

use chrono::{DateTime, SecondsFormat, Utc};

/// Where "now" comes from.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system's clock.
    #[default]
    System,
    /// A fixed instant (tests).
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// Now.
    // The one place head office reads the system clock: everything else takes it from here.
    #[allow(clippy::disallowed_methods)]
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            // The one place head office reads the wall clock; everything else takes it from here.
            #[allow(clippy::disallowed_methods)]
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }

    /// Now as stored.
    pub fn text(&self) -> String {
        text(self.now())
    }
}

/// A time as stored: `2026-12-02T10:00:00Z`.
pub fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The system's time as stored (migration bookkeeping only).
pub fn now_text() -> String {
    Clock::System.text()
}

/// Whether `deadline` is before `now` (both as stored). An unreadable deadline counts as past.
pub fn is_past(deadline: &str, now: &str) -> bool {
    match (
        DateTime::parse_from_rfc3339(deadline),
        DateTime::parse_from_rfc3339(now),
    ) {
        (Ok(d), Ok(n)) => d < n,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn deadlines_compare_as_instants_not_text() {
        assert!(super::is_past(
            "2026-12-02T10:00:00Z",
            "2026-12-02T10:00:01Z"
        ));
        assert!(!super::is_past(
            "2026-12-02T16:00:00+06:00",
            "2026-12-02T09:59:59Z"
        ));
        assert!(
            super::is_past("garbage", "2026-12-02T10:00:00Z"),
            "an unreadable deadline is never in force"
        );
    }
}

//! Counters for `/metrics` in Prometheus' text format. Labels carry refusal codes and routes,
//! never device ids or anything about clients.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sync::refusal::RefusalCode;

use crate::store::Counts;

/// What an instance has done since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Batches stored (including retries answered from the store).
    pub batches: AtomicU64,
    /// Records newly stored.
    pub records: AtomicU64,
    /// Feed answers served.
    pub feeds: AtomicU64,
    /// Attachment chunks stored.
    pub chunks: AtomicU64,
    /// Desks enrolled.
    pub enrolments: AtomicU64,
    /// Microseconds spent storing batches, and how many.
    pub ingest_micros: AtomicU64,
    refusals: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    /// Counts a refusal by code.
    pub fn refused(&self, code: RefusalCode) {
        if let Ok(mut m) = self.refusals.lock() {
            *m.entry(code.as_str()).or_default() += 1;
        }
    }

    /// The text format, with the store's counts as gauges.
    pub fn render(&self, counts: Option<&Counts>) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
            );
        };
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        counter(
            &mut out,
            "branchdesk_hq_batches_total",
            "Batches answered.",
            get(&self.batches),
        );
        counter(
            &mut out,
            "branchdesk_hq_records_total",
            "Records newly stored.",
            get(&self.records),
        );
        counter(
            &mut out,
            "branchdesk_hq_feeds_total",
            "Feed answers served.",
            get(&self.feeds),
        );
        counter(
            &mut out,
            "branchdesk_hq_chunks_total",
            "Attachment chunks stored.",
            get(&self.chunks),
        );
        counter(
            &mut out,
            "branchdesk_hq_enrolments_total",
            "Desks enrolled.",
            get(&self.enrolments),
        );
        let secs = get(&self.ingest_micros) as f64 / 1e6;
        let _ = writeln!(
            out,
            "# HELP branchdesk_hq_ingest_seconds_total Time spent storing batches.\n# TYPE branchdesk_hq_ingest_seconds_total counter\nbranchdesk_hq_ingest_seconds_total {secs}"
        );
        let _ = writeln!(
            out,
            "# HELP branchdesk_hq_refusals_total Requests refused, by code.\n# TYPE branchdesk_hq_refusals_total counter"
        );
        if let Ok(m) = self.refusals.lock() {
            for (code, n) in m.iter() {
                let _ = writeln!(out, "branchdesk_hq_refusals_total{{code=\"{code}\"}} {n}");
            }
        }
        if let Some(c) = counts {
            let gauge = |out: &mut String, name: &str, help: &str, v: u64| {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            };
            gauge(
                &mut out,
                "branchdesk_hq_devices_active",
                "Enrolled, active desks.",
                c.devices_active,
            );
            gauge(
                &mut out,
                "branchdesk_hq_devices_revoked",
                "Revoked desks.",
                c.devices_revoked,
            );
            gauge(
                &mut out,
                "branchdesk_hq_stored_records",
                "Records in the store.",
                c.records,
            );
            gauge(
                &mut out,
                "branchdesk_hq_referred_applications",
                "Applications waiting for head office.",
                c.referred,
            );
        }
        out
    }
}

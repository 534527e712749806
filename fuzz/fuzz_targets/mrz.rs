//! Any text as a machine-readable zone: read it, and when it reads, check it and its dates.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    if let Ok(m) = verify::mrz::parse(&lines) {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a valid date");
        let _ = verify::identity::check_zone(&m, today);
        let _ = m.birth_date(today);
        let _ = m.expiry_date();
        let _ = m.digits_ok();
    }
});

//! Any bytes as a CMS SignedData file, attached and detached, and as a signed file of any kind.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use verify::cms::Content;

fuzz_target!(|data: &[u8]| {
    // A fixed instant (no clock in a fuzz run): 2026-12-01T00:00:00Z.
    let now = NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid instant")
        .and_utc();
    let _ = verify::cms::verify(data, Content::Attached, &[], now);
    let _ = verify::cms::verify(data, Content::Detached(b"x"), &[], now);
    let _ = verify::signed::verify(data, None, &[], now);
});

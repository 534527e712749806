//! Any bytes as a signed PDF: its signatures checked (no trust anchors), and its seal entry read.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A fixed instant (no clock in a fuzz run): 2026-12-01T00:00:00Z.
    let now = NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid instant")
        .and_utc();
    let _ = verify::pades::verify(data, &[], now);
    let _ = verify::pades::is_signed_pdf(data);
    let _ = verify::pdf_text::entry(data, b"/BranchDeskSeal");
});

//! A .kpi rule file: parsed, printed back (in both formats, which must
//! parse), and checked against a small dataset. Never a panic.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = common::parse_and_check("fuzz.kpi", text);
    }
});

//! A dataset directory: the input is split at NUL bytes into a manifest, a
//! CSV table and a JSONL table (any bytes: encodings, quotes, line ends),
//! loaded with and without skipping bad rows. Never a panic; a loaded
//! table's columns all have its length.
#![no_main]

use alumni_kpi::data::{Dataset, LoadOptions};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == 0);
    let flags = parts.next().and_then(|p| p.first().copied()).unwrap_or(0);
    let manifest = parts.next().unwrap_or_default();
    let csv = parts.next().unwrap_or_default();
    let jsonl = parts.next().unwrap_or_default();
    let Ok(dir) = tempfile::tempdir() else { return };
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes);
    if !manifest.is_empty() && write("dataset.yaml", manifest).is_err() {
        return;
    }
    if write("a.csv", csv).is_err() || (!jsonl.is_empty() && write("b.jsonl", jsonl).is_err()) {
        return;
    }
    let options = LoadOptions {
        skip_bad_rows: flags & 1 == 1,
        ..LoadOptions::default()
    };
    if let Ok(loaded) = Dataset::load(dir.path(), &options) {
        for table in loaded.tables.values() {
            for column in table.columns.iter() {
                assert_eq!(column.data.len(), table.len, "{}.{}", table.name, column.name);
            }
            assert_eq!(table.lines.len(), table.len, "{}", table.name);
        }
        let _ = loaded.schema();
    }
});

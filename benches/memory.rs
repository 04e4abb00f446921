//! A dataset built in memory against the same tables read from files, on
//! 1,000,000 generated alumni: what an embedder pays to hand its tables
//! over (as Arrow string columns, as a CSV export read by pyarrow would
//! give them) rather than point at a directory.
//!
//! `cargo bench --bench memory --features arrow` (prints medians of 3 runs)

use std::path::Path;
use std::sync::Arc;

mod common;
use common::time;

use alumni_kpi::{Dataset, DatasetBuilder, LoadOptions, TableBuilder};
use arrow_array::{ArrayRef, RecordBatch, StringArray};

/// A CSV file as one batch of string columns.
fn batch(path: &Path) -> RecordBatch {
    let mut reader = csv::Reader::from_path(path).expect("a CSV file");
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    RecordBatch::try_from_iter(header.iter().enumerate().map(|(c, h)| {
        let cells = records.iter().map(|r| r.get(c).filter(|s| !s.is_empty()));
        (
            h.clone(),
            Arc::new(cells.collect::<StringArray>()) as ArrayRef,
        )
    }))
    .expect("a batch")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = alumni_kpi::generate::GenerateOptions::new(1_000_000, 1);
    alumni_kpi::generate::generate(dir.path(), &options).expect("generates");
    let files = Dataset::load(dir.path(), &LoadOptions::default()).expect("loads");
    let rows: usize = files.tables.values().map(|t| t.len).sum();
    let t = time(3, || {
        Dataset::load(dir.path(), &LoadOptions::default()).expect("loads")
    });
    println!("1M alumni ({rows} rows in all), Dataset::load of the CSV directory: {t:.2?}");

    let manifest = std::fs::read_to_string(dir.path().join("dataset.yaml")).expect("manifest");
    let batches: Vec<(String, RecordBatch)> = files
        .tables
        .keys()
        .map(|name| (name.clone(), batch(&dir.path().join(format!("{name}.csv")))))
        .collect();
    let t = time(3, || {
        batches
            .iter()
            .fold(DatasetBuilder::new(), |b, (name, batch)| {
                b.table(TableBuilder::from_arrow(name, std::slice::from_ref(batch)).expect("reads"))
            })
            .manifest(&manifest, "dataset.yaml")
            .build()
            .expect("builds")
    });
    println!(
        "1M alumni, the same tables as Arrow string columns (TableBuilder::from_arrow + build): {t:.2?}"
    );
}

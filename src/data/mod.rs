//! Datasets: a directory of CSV / JSONL tables and an optional
//! `dataset.yaml` manifest.

pub mod manifest;
pub mod schema;

pub use schema::{ColumnType, Schema, TableSchema};

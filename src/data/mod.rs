//! Datasets: a directory of CSV / JSONL tables and an optional
//! `dataset.yaml` manifest.

pub mod column;
pub mod load;
pub mod manifest;
pub mod schema;

pub use column::{Column, ColumnData, StringPool};
pub use load::{Dataset, LoadOptions, Relation, Table};
pub use schema::{ColumnType, Schema, TableSchema};

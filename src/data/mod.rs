//! Datasets: a directory of CSV / JSONL tables and an optional
//! `dataset.yaml` manifest.

#[cfg(feature = "arrow")]
mod arrow;
mod builder;
#[doc(hidden)]
pub mod column;
pub(crate) mod delimited;
mod infer;
mod info;
mod jsonl;
pub(crate) mod keys;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod locale;
#[doc(hidden)]
pub mod manifest;
mod memory;
#[doc(hidden)]
pub mod schema;
mod table;

pub use column::{Column, ColumnData, StringPool};
pub use info::{ColumnInfo, TableInfo, describe};
pub use load::{Dataset, LoadOptions, Relation, Table};
pub use memory::{DatasetBuilder, TableBuilder, Value};
pub use schema::{ColumnType, Schema, TableSchema};

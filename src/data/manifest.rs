//! `dataset.yaml`: per table its key, date column, column types and
//! references. Everything is optional; what is missing is inferred.
//!
//! ```yaml
//! tables:
//!   participations:
//!     key: id
//!     date: date
//!     columns: { satisfaction: number, responded: bool }
//!     refs: { alumni_id: alumni, event_id: events }
//!   alumni:
//!     columns: { interests: list }
//! ```

use indexmap::IndexMap;
use serde::Deserialize;

use super::schema::ColumnType;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub tables: IndexMap<String, TableManifest>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableManifest {
    /// The file, when it is not `NAME.csv` / `NAME.jsonl`.
    pub file: Option<String>,
    /// The key column (default `id`).
    pub key: Option<String>,
    /// The date column used by `period` (default `date`, if present).
    pub date: Option<String>,
    #[serde(default)]
    pub columns: IndexMap<String, ColumnType>,
    /// `column: table` — the column holds keys of that table.
    #[serde(default)]
    pub refs: IndexMap<String, String>,
}

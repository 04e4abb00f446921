//! alumni-kpi: a rule-driven KPI scoring engine for alumni relations.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! rule files (.kpi, .yaml) ──syntax──▶ syntax tree ──check──▶ checked rule set
//! dataset dir (csv, jsonl, dataset.yaml) ──data──▶ typed columns + relations
//! checked rules + dataset ──eval::plan──▶ plan ──eval──▶ values ──score──▶ report
//! ```
//!
//! ```
//! use alumni_kpi::{data::{Dataset, LoadOptions}, engine::{Scoring, ScoreOptions}, rules::RuleSet};
//! use std::path::Path;
//!
//! let (rules, parse_errors) = RuleSet::from_texts(Path::new("rules"), &[(
//!     "main.kpi",
//!     r#"scorecard "Demo" { population = alumni }
//!        objective reach {
//!          indicator members { value = share(alumni where member) target = 80% }
//!        }"#,
//! )]);
//! assert!(parse_errors.is_empty());
//! let data = Dataset::load(Path::new("tests/eval/hand/data"), &LoadOptions::default()).unwrap();
//! let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).unwrap();
//! let report = scoring.report();
//! // 3 members of 6 alumni: 0.5, scored linear(0, 80%): 62.5
//! assert_eq!(report.objectives[0].indicators[0].value, Some(0.5));
//! assert_eq!(report.score, Some(62.5));
//! ```

// Library code never unwraps or panics on input; the few invariants that
// cannot fail say why next to an `expect`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]
// Every item of the API says what it is.
#![deny(missing_docs)]

// The API: what an embedder builds on (re-exported below), documented.
pub mod data;
pub mod diagnostic;
pub mod diff;
pub mod engine;
#[cfg(feature = "watch")]
pub mod live;
pub mod native;
pub mod report;
pub mod rules;
pub mod source;
pub mod sql;

// The stages inside: public for the `kpi` binary, the tests and the
// benches, not part of the API (hidden from the docs, may change).
#[doc(hidden)]
pub mod atomic;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod files;
#[doc(hidden)]
pub mod generate;
#[cfg(feature = "lsp")]
#[doc(hidden)]
pub mod lsp;
#[doc(hidden)]
pub mod ruletest;
#[doc(hidden)]
pub mod score;
#[cfg(feature = "serve")]
#[doc(hidden)]
pub mod serve;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod yaml_io;
#[doc(hidden)]
pub mod yaml_tree;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};

// What an embedder needs, at the root: rules, a dataset, an engine and
// its options, the report, Rust functions for the rules.
pub use data::{ColumnType, Dataset, DatasetBuilder, LoadOptions, TableBuilder, Value};
pub use engine::{Cancel, Engine, EngineError, ScoreOptions, Scoring, WhatIf};
pub use native::NativeFunction;
pub use report::{Lang, RenderOptions, Report, ReportFormat};
pub use rules::RuleSet;

// The README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

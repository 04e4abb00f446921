//! alumni-kpi: a rule-driven KPI scoring engine for alumni relations.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! rule files (.kpi, .yaml) ──syntax──▶ syntax tree ──check──▶ checked rule set
//! dataset dir ──data──▶ schema (headers, manifest)
//! ```
//!
//! ```
//! use alumni_kpi::{rules::RuleSet, check};
//! use std::path::Path;
//!
//! let (rules, parse_errors) = RuleSet::from_texts(Path::new("rules"), &[(
//!     "main.kpi",
//!     r#"scorecard "Demo" { population = alumni }
//!        objective reach {
//!          indicator members { value = count(alumni where member) target = 100 }
//!        }"#,
//! )]);
//! assert!(parse_errors.is_empty());
//! let checked = check::check(&rules, None);
//! assert!(!checked.diagnostics.has_errors());
//! ```

// Library code never unwraps or panics on input; the few invariants that
// cannot fail say why next to an `expect`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod atomic;
pub mod check;
pub mod data;
pub mod diagnostic;
pub mod engine;
pub mod eval;
pub mod report;
pub mod rules;
pub mod score;
pub mod source;
pub mod syntax;
pub mod yaml_io;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};

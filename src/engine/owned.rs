//! [`Engine`]: a rule set and a dataset owned, checked and compiled once,
//! shared by threads (a web service answering what-ifs, a notebook).
//!
//! ```
//! use alumni_kpi::{data::{Dataset, LoadOptions}, engine::{Engine, ScoreOptions, WhatIf}, rules::RuleSet};
//! use std::path::Path;
//!
//! let (rules, errors) = RuleSet::load_dir(Path::new("tests/eval/hand/rules"));
//! assert!(!errors.has_errors());
//! let data = Dataset::load(Path::new("tests/eval/hand/data"), &LoadOptions::for_rules(&rules)).unwrap();
//! let engine = Engine::new(rules, data, &ScoreOptions::default()).unwrap();
//! assert_eq!(engine.report().score.map(|s| (s * 100.0).round() / 100.0), Some(80.16));
//!
//! // Engagement weighs 3, cost 1; weighed alike:
//! let what_if = WhatIf { weights: vec![("engagement".into(), 1.0)], ..WhatIf::default() };
//! let report = engine.score(&what_if).unwrap();
//! assert_eq!(report.score, Some((78.125 + 86.25) / 2.0));
//! ```

use std::sync::Arc;

use super::budget::Stop;
use super::{ScoreOptions, Scoring, WhatIf};
use crate::data::Dataset;
use crate::diagnostic::{Diagnostic, Diagnostics, ErrorFormat};
use crate::native::NativeFunction;
use crate::report::Report;
use crate::rules::RuleSet;
use crate::source::SourceMap;

/// What the engine owns.
struct Owner {
    rules: RuleSet,
    data: Dataset,
}

self_cell::self_cell!(
    /// The rules and data, and their scoring, which borrows them.
    struct Compiled {
        owner: Owner,
        #[covariant]
        dependent: Scoring,
    }
);

/// Why an engine could not be made: the diagnostics, with the rule files
/// they point into (the rules themselves are gone with the engine).
#[derive(Debug, Clone)]
pub struct EngineError {
    /// Every problem found, errors and warnings.
    pub diagnostics: Diagnostics,
    /// The rule files they point into.
    pub sources: SourceMap,
}

impl EngineError {
    /// The diagnostics as `kpi check` prints them.
    pub fn render(&self, format: ErrorFormat) -> String {
        crate::diagnostic::render(&self.diagnostics.0, &self.sources, format, false)
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(ErrorFormat::Short))
    }
}

impl std::error::Error for EngineError {}

/// A rule set and a dataset, checked and compiled once. Cloning is cheap
/// (one `Arc`); every method takes `&self`, from any thread.
#[derive(Clone)]
pub struct Engine {
    compiled: Arc<Compiled>,
}

// An engine is shared by the threads of a service.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Engine>();
};

impl Engine {
    /// Checks the rules against the dataset and compiles them.
    pub fn new(
        rules: RuleSet,
        data: Dataset,
        options: &ScoreOptions,
    ) -> Result<Engine, EngineError> {
        Engine::with_functions(rules, data, options, &[])
    }

    /// The same, with Rust functions the rules may call.
    pub fn with_functions(
        rules: RuleSet,
        data: Dataset,
        options: &ScoreOptions,
        natives: &[NativeFunction],
    ) -> Result<Engine, EngineError> {
        let sources = rules.sources.clone();
        let compiled = Compiled::try_new(Owner { rules, data }, |o| {
            Scoring::with_functions(&o.rules, &o.data, options, natives)
        })
        .map_err(|diagnostics| EngineError {
            diagnostics,
            sources,
        })?;
        Ok(Engine {
            compiled: Arc::new(compiled),
        })
    }

    /// The report with the options the engine was made with.
    pub fn report(&self) -> Report {
        self.scoring().report()
    }

    /// A report with other params, weights or period (see
    /// [`Scoring::what_if`]): nothing is loaded or checked again. With a
    /// `budget` or a `cancel` token, a report that runs out of time or is
    /// cancelled is an error (`score::budget`, `score::cancelled`) and
    /// nothing of it is returned.
    pub fn score(&self, what_if: &WhatIf) -> Result<Report, Diagnostics> {
        let stop = Stop::new(what_if.budget, what_if.cancel.clone());
        let scoring = self.scoring().what_if(what_if)?;
        if stop.stopped() {
            return Err(Diagnostics(vec![stop.why()]));
        }
        scoring
            .report_within(&stop)
            .ok_or_else(|| Diagnostics(vec![stop.why()]))
    }

    /// The population's profile columns as typed columns (the key first),
    /// each value typed as the report's JSON types it.
    pub fn profiles_columns(&self) -> Vec<(String, Vec<serde_json::Value>)> {
        self.scoring().profiles_columns()
    }

    /// The population table, whose rows the profiles describe.
    pub fn population(&self) -> Option<&str> {
        self.scoring().population()
    }

    /// The population's profile columns, one row per person, as CSV.
    pub fn profiles_csv(&self) -> String {
        self.scoring().profiles_csv()
    }

    /// The warnings found before evaluation (checker, dataset, plan).
    pub fn notes(&self) -> &[Diagnostic] {
        self.scoring().notes()
    }

    /// The compiled scoring, for what the engine does not wrap.
    pub fn scoring(&self) -> &Scoring<'_> {
        self.compiled.borrow_dependent()
    }

    /// The rule set the engine owns.
    pub fn rules(&self) -> &RuleSet {
        &self.compiled.borrow_owner().rules
    }

    /// The dataset the engine owns.
    pub fn data(&self) -> &Dataset {
        &self.compiled.borrow_owner().data
    }
}

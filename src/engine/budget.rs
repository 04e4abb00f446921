//! When a report is given up: a time budget, or a token another thread
//! cancels (a service whose client went away). Checked between the stages
//! of a report and before each indicator, so a report stops within about
//! one indicator's evaluation; a report given up returns nothing, never a
//! part of the figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostic;

/// Cancels the reports that hold a clone of it (`WhatIf::cancel`).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token not cancelled yet.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stops every report holding this token, at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The limits of one report, from its start.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stop {
    start: Option<Instant>,
    budget: Option<Duration>,
    cancel: Option<Cancel>,
}

impl Stop {
    /// Never stops.
    pub(crate) fn never() -> Stop {
        Stop::default()
    }

    /// Starts counting now.
    pub(crate) fn new(budget: Option<Duration>, cancel: Option<Cancel>) -> Stop {
        Stop {
            start: Some(Instant::now()),
            budget,
            cancel,
        }
    }

    pub(crate) fn stopped(&self) -> bool {
        let late = match (self.start, self.budget) {
            (Some(start), Some(budget)) => start.elapsed() >= budget,
            _ => false,
        };
        late || self.cancel.as_ref().is_some_and(Cancel::is_cancelled)
    }

    /// Why the report was given up.
    pub(crate) fn why(&self) -> Diagnostic {
        let elapsed = self.start.map(|s| s.elapsed()).unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        match self.budget {
            Some(budget) if !self.cancel.as_ref().is_some_and(Cancel::is_cancelled) => {
                Diagnostic::error(
                    "score::budget",
                    format!(
                        "the report was given up after {:.0} ms: its budget is {:.0} ms",
                        ms(elapsed),
                        ms(budget)
                    ),
                )
                .with_help("give it a longer budget; nothing of it was reported")
            }
            _ => Diagnostic::error(
                "score::cancelled",
                format!("the report was cancelled after {:.0} ms", ms(elapsed)),
            )
            .with_help("nothing of it was reported"),
        }
    }
}

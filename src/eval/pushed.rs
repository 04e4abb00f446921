//! Pushdown: what a database computed for a report (`kpi score
//! --engine postgres`), in place of the rows. The evaluator asks the
//! same questions of it as of the data — an aggregate's value, how many
//! rows of a table count, a segment's values and sizes — in the same
//! environments; everything above them (lets, targets, scores, statuses,
//! the trend) is computed locally as always.
//!
//! What the database was not asked is never guessed: the evaluator
//! records it as a problem and the figure is null (a failed status).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::Period;
use super::plan::{NodeId, SegmentSource};
use super::value::{Col, Value};

/// What is pushed: an aggregate's value, or a count of a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Asked {
    /// A scalar aggregate (`Node::Agg` with no grouping).
    Agg(NodeId),
    /// The rows of a table that count (in the period and segment).
    Rows(usize),
}

/// Where it is asked: a period, and maybe one segment's rows (the
/// segment, its members' period, the value's place in the segment's
/// list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Place {
    pub period: Option<Period>,
    pub segment: Option<(SegmentSource, Option<Period>, usize)>,
}

/// Where a question is asked: its period, and in a segment its
/// members' period and column.
pub type Where = (Option<Period>, Option<Period>, Option<SegmentSource>);

/// A segment's values as the database gave them.
#[derive(Debug, Clone, Default)]
pub struct SegmentList {
    /// Distinct non-null values (none when there are more than the
    /// report breaks down: only `count` is known then).
    pub values: Vec<Value>,
    /// Population rows of each value.
    pub sizes: Vec<usize>,
    /// How many distinct values there are.
    pub count: usize,
}

/// The database's answers.
#[derive(Debug, Clone, Default)]
pub struct Pushed {
    answers: HashMap<(Asked, Place), Value>,
    segments: HashMap<SegmentSource, SegmentList>,
    /// Rows of each table, whatever the period.
    pub totals: Vec<usize>,
    /// Aggregates with no SQL, computed locally from the rows (which the
    /// dataset then holds).
    pub local_nodes: HashSet<NodeId>,
    /// Segments whose values have no SQL: everything in them is computed
    /// locally.
    pub local_segments: HashSet<SegmentSource>,
    /// Questions with no SQL where they are asked (a count in a segment
    /// whose key and references the database types apart, say).
    pub local_questions: HashSet<(Asked, Where)>,
    /// Profile columns the database computed for the local part, by
    /// profile and period (none for a column the same in every period).
    profiles: HashMap<(usize, Option<Period>), Arc<Col>>,
}

impl Pushed {
    pub fn new(totals: Vec<usize>) -> Pushed {
        Pushed {
            totals,
            ..Pushed::default()
        }
    }

    pub fn set_segment(&mut self, source: SegmentSource, list: SegmentList) {
        self.segments.insert(source, list);
    }

    /// Whether `asked` is computed locally where it is asked: its period,
    /// and its segment's members' period and column (none for the whole
    /// population).
    pub fn is_local(&self, asked: Asked, at: Where) -> bool {
        at.2.is_some_and(|s| self.local_segments.contains(&s))
            || matches!(asked, Asked::Agg(n) if self.local_nodes.contains(&n))
            || self.local_questions.contains(&(asked, at))
    }

    pub fn segment(&self, source: SegmentSource) -> Option<&SegmentList> {
        self.segments.get(&source)
    }

    /// The place of a segment value in its list.
    pub fn value_index(&self, source: SegmentSource, value: &Value) -> Option<usize> {
        self.segments
            .get(&source)?
            .values
            .iter()
            .position(|v| v == value)
    }

    pub fn set_profile(&mut self, id: usize, period: Option<Period>, col: Col) {
        self.profiles.insert((id, period), Arc::new(col));
    }

    /// A profile column the database computed: `Some(None)` when it
    /// computed the profile in other periods only (asked here, it has no
    /// answer), `None` when the profile is computed locally.
    pub fn profile(&self, id: usize, period: Option<Period>) -> Option<Option<Arc<Col>>> {
        if !self.profiles.keys().any(|(p, _)| *p == id) {
            return None;
        }
        Some(self.profiles.get(&(id, period)).cloned())
    }

    pub fn answer(&mut self, asked: Asked, place: Place, value: Value) {
        self.answers.insert((asked, place), value);
    }

    pub fn get(&self, asked: Asked, place: Place) -> Option<&Value> {
        self.answers.get(&(asked, place))
    }

    /// How many answers there are (for the benchmark's and tests' words).
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

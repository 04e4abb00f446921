//! The status of an indicator's figures and, unless `ok`, why: a null
//! value, target or score is always explained.
//!
//! In order: `failed` (a script failed or returned the wrong type, or a
//! construct cannot be evaluated); for a null value, `no_baseline` (it
//! compares with a previous period that has no row) or `no_data`; for a
//! null score, `no_baseline`, `no_peers` (fewer peer figures than
//! `benchmark_min_peers`) or `no_data` (its target has no data).

use super::Scoring;
use crate::data::column::date_of;
use crate::eval::Period;
use crate::eval::columnar::Env;
use crate::eval::plan::{Node, NodeId};
use crate::eval::value::Value;
use crate::report::{Reason, Status};

impl Scoring<'_> {
    pub(super) fn status(
        &self,
        env: &Env<'_>,
        i: usize,
        value: &Value,
        score: Option<f64>,
    ) -> (Status, Option<Reason>) {
        let ind = &self.c.plan.indicators[i];
        let mut roots = vec![ind.value];
        roots.extend(ind.target);
        roots.extend(ind.score);
        if let Some(why) = self.failure(env, &self.c.plan.watched(&roots)) {
            return (Status::Failed, Some(why));
        }
        let seg = env.is_segmented();
        if value.is_null() {
            let nodes = self.c.plan.watched(&[ind.value]);
            if let Some(why) = self.missing_baseline(env, &nodes, true, seg) {
                return (Status::NoBaseline, Some(why));
            }
            let empty: Vec<String> = ind
                .tables
                .iter()
                .filter(|&&t| !env.has_rows(t, seg))
                .filter_map(|&t| self.data.tables.get_index(t).map(|(n, _)| n.clone()))
                .collect();
            let why = if empty.is_empty() {
                Reason::NullValue
            } else {
                Reason::NoRows { tables: empty }
            };
            return (Status::NoData, Some(why));
        }
        if score.is_none() {
            let nodes = self.c.plan.watched(&roots[1..]);
            if let Some(why) = self.missing_baseline(env, &nodes, false, seg) {
                return (Status::NoBaseline, Some(why));
            }
            if let Some(why) = self.few_peers(env.period(), &nodes) {
                return (Status::NoPeers, Some(why));
            }
            return (Status::NoData, Some(Reason::NullTarget));
        }
        (Status::Ok, None)
    }

    /// Why something the figures read could not be evaluated.
    fn failure(&self, env: &Env<'_>, nodes: &[NodeId]) -> Option<Reason> {
        let input = env.input();
        nodes.iter().find_map(|&n| match self.c.plan.node(n) {
            Node::Unsupported(message, _) => Some(Reason::Unsupported(message.clone())),
            Node::Plugin { name, .. } if input.has_failed(n) => Some(
                input
                    .wrong_type(n)
                    .map(|(expected, got)| Reason::WrongType {
                        function: name.clone(),
                        expected,
                        got,
                    })
                    .unwrap_or(Reason::ScriptFailed {
                        function: Some(name.clone()),
                    }),
            ),
            Node::Script { .. } if input.has_failed(n) => {
                Some(Reason::ScriptFailed { function: None })
            }
            _ => None,
        })
    }

    /// A `prior(..)` among `nodes` without a row in the previous period.
    fn missing_baseline(
        &self,
        env: &Env<'_>,
        nodes: &[NodeId],
        in_value: bool,
        seg: bool,
    ) -> Option<Reason> {
        nodes.iter().find_map(|&n| {
            let prior = self.c.plan.priors.get(&n)?;
            let (from, to) = match env.prior_env() {
                Some(p) if p.has_baseline(n, seg) => return None,
                Some(p) => p.period()?,
                // No period to compare with.
                None => return Some(Reason::NoPeriod),
            };
            let day = |d: i32| date_of(d).map(|d| d.to_string()).unwrap_or_default();
            Some(Reason::NoBaseline {
                in_value,
                from: day(from),
                to: day(to),
                tables: prior
                    .dated
                    .iter()
                    .filter_map(|&t| self.data.tables.get_index(t).map(|(n, _)| n.clone()))
                    .collect(),
            })
        })
    }

    /// A `peers(..)` among `nodes` with too few peer figures.
    fn few_peers(&self, period: Option<Period>, nodes: &[NodeId]) -> Option<Reason> {
        nodes.iter().find_map(|&n| match self.c.plan.node(n) {
            Node::Peers(_, j) => {
                let n = self
                    .c
                    .peers
                    .count(&self.c.plan.indicators.get(*j)?.id, period);
                (n < self.c.peers.min.max(1)).then_some(Reason::FewPeers {
                    n,
                    min: self.c.peers.min,
                })
            }
            _ => None,
        })
    }
}

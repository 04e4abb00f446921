//! The types of plan nodes, as far as SQL needs them: to order text by
//! code point, to test membership in a list column or a list of texts, to
//! measure a list or a text.

use super::compile::Compiler;
use crate::check::DeclId;
use crate::data::ColumnData;
use crate::eval::plan::{AggFn, Node, NodeId, ScalarFn};
use crate::eval::value::Value;
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// The type of an expression, as far as SQL needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Num,
    Bool,
    Str,
    Date,
    List,
    Unknown,
}

impl Compiler<'_> {
    /// The type of a node's value (for the current row's table).
    pub(super) fn ty(&self, node: NodeId, table: Option<usize>) -> Ty {
        let plan = self.plan;
        let column = |t: usize, c: usize| match self.data.tables[t].columns[c].data {
            ColumnData::Number(_) => Ty::Num,
            ColumnData::Bool(_) => Ty::Bool,
            ColumnData::Date(_) => Ty::Date,
            ColumnData::Str(_) => Ty::Str,
            ColumnData::List { .. } => Ty::List,
        };
        match plan.node(node) {
            Node::Lit(v) => match v {
                Value::Null => Ty::Unknown,
                Value::Num(_) => Ty::Num,
                Value::Bool(_) => Ty::Bool,
                Value::Str(_) => Ty::Str,
                Value::Date(_) => Ty::Date,
                Value::List(_) => Ty::List,
            },
            Node::Decl(id) => match (plan.decls.get(id), id) {
                (Some(&n), _) => self.ty(n, None),
                (None, DeclId::ProfileColumn(p)) => {
                    self.ty(plan.profiles[*p].node, Some(plan.profiles[*p].table))
                }
                _ => Ty::Unknown,
            },
            Node::IndicatorValue(i) => self.ty(plan.indicators[*i].value, None),
            Node::IndicatorTarget(i) => plan.indicators[*i]
                .target
                .map_or(Ty::Unknown, |t| self.ty(t, None)),
            Node::Column { col } => table.map_or(Ty::Unknown, |t| column(t, *col)),
            Node::Parent { path, col } => path
                .last()
                .and_then(|s| {
                    let rel = &self.data.tables[s.table].relations[s.relation];
                    self.data.tables.get_index_of(&rel.target)
                })
                .map_or(Ty::Unknown, |t| column(t, *col)),
            Node::Profile { id, .. } => {
                self.ty(plan.profiles[*id].node, Some(plan.profiles[*id].table))
            }
            Node::Unary(UnaryOp::Neg, _) => Ty::Num,
            Node::Unary(UnaryOp::Not, _) => Ty::Bool,
            Node::Binary(op, ..) => match op {
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => Ty::Num,
                _ => Ty::Bool,
            },
            Node::If(_, t, e) => match self.ty(*t, table) {
                Ty::Unknown => self.ty(*e, table),
                ty => ty,
            },
            Node::Scalar(f, args) => match f {
                ScalarFn::Coalesce | ScalarFn::Min | ScalarFn::Max => args
                    .iter()
                    .map(|&a| self.ty(a, table))
                    .find(|t| *t != Ty::Unknown)
                    .unwrap_or(Ty::Unknown),
                ScalarFn::Lower | ScalarFn::Upper => Ty::Str,
                ScalarFn::Contains => Ty::Bool,
                _ => Ty::Num,
            },
            Node::Agg { f, table, arg, .. } => match f {
                AggFn::Any | AggFn::All => Ty::Bool,
                AggFn::Min | AggFn::Max => arg.map_or(Ty::Unknown, |a| self.ty(a, Some(*table))),
                _ => Ty::Num,
            },
            Node::Linear(..) | Node::Bands(..) | Node::Peers(..) => Ty::Num,
            Node::Prior(a) => self.ty(*a, None),
            _ => Ty::Unknown,
        }
    }
}

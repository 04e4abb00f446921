//! The columns a plan reads, per table: what a database source has to
//! fetch (and nothing else). Keys, date and `since` columns and the
//! columns of relations come with every table read.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::data::Dataset;
use crate::eval::plan::{Node, NodeId, Plan, SegmentSource, Step};

/// Table index → column indexes.
pub type Read = BTreeMap<usize, BTreeSet<usize>>;

/// Every column the plan reads, with what ties its tables together.
pub fn columns_read(plan: &Plan, data: &Dataset) -> Read {
    let none = HashSet::new();
    let mut w = Walk {
        plan,
        data,
        read: Read::new(),
        seen: HashSet::new(),
        given: &none,
        profiles: BTreeSet::new(),
    };
    let mut roots: Vec<NodeId> = plan.decls.values().copied().collect();
    for i in &plan.indicators {
        roots.push(i.value);
        roots.extend(i.target);
        roots.extend(i.score);
    }
    for r in roots {
        w.node(r, None);
    }
    for p in &plan.profiles {
        w.node(p.node, Some(p.table));
    }
    if let Some(pop) = plan.population {
        w.table(pop);
        for (_, source) in &plan.segments {
            if let SegmentSource::Column(c) = source {
                w.column(pop, *c);
            }
        }
    }
    // A table read brings the columns that relate it to others read.
    let tables: Vec<usize> = w.read.keys().copied().collect();
    for t in tables {
        let table = &data.tables[t];
        for rel in &table.relations {
            if let (Some(c), Some(target)) = (
                table.column_index(&rel.column),
                data.tables.get_index_of(&rel.target),
            ) && w.read.contains_key(&target)
            {
                w.column(t, c);
            }
        }
    }
    w.read
}

/// The tables whose rows evaluating `roots`, and counting the rows of
/// `counted`, reads (through profiles,
/// parents and the relations between them); with `segments`, in those
/// segments too: the population, what the segments read, and every table
/// on the way from a table read to the population. A profile in `given`
/// is a column at hand (the database computes it): its table is read
/// for its keys, not what it counts. Also the profiles read.
pub fn tables_read(
    plan: &Plan,
    data: &Dataset,
    (roots, counted): (&[NodeId], &[usize]),
    segments: &[SegmentSource],
    given: &HashSet<usize>,
) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let mut w = Walk {
        plan,
        data,
        read: Read::new(),
        seen: HashSet::new(),
        given,
        profiles: BTreeSet::new(),
    };
    for &r in roots {
        w.node(r, None);
    }
    for &t in counted {
        w.table(t);
    }
    if let (Some(pop), false) = (plan.population, segments.is_empty()) {
        w.table(pop);
        for source in segments {
            match *source {
                SegmentSource::Column(c) => w.column(pop, c),
                SegmentSource::Profile(p) => w.profile(p),
            }
        }
        let tables: Vec<usize> = w.read.keys().copied().collect();
        for t in tables {
            if let Some(path) = crate::eval::columnar::path_to(data, t, pop) {
                w.path(&path);
            }
        }
    }
    (w.read.into_keys().collect(), w.profiles)
}

struct Walk<'a> {
    plan: &'a Plan,
    data: &'a Dataset,
    read: Read,
    seen: HashSet<(NodeId, Option<usize>)>,
    /// Profiles whose columns are at hand.
    given: &'a HashSet<usize>,
    /// Profiles read.
    profiles: BTreeSet<usize>,
}

impl Walk<'_> {
    fn table(&mut self, t: usize) {
        let table = &self.data.tables[t];
        let set = self.read.entry(t).or_default();
        set.extend(table.key);
        set.extend(table.date);
        set.extend(table.since);
    }

    fn column(&mut self, t: usize, c: usize) {
        self.table(t);
        self.read.entry(t).or_default().insert(c);
    }

    /// Follows a path of relations; the table it ends on.
    fn path(&mut self, path: &[Step]) -> Option<usize> {
        let mut end = None;
        for step in path {
            let table = &self.data.tables[step.table];
            let rel = &table.relations[step.relation];
            if let Some(c) = table.column_index(&rel.column) {
                self.column(step.table, c);
            }
            end = self.data.tables.get_index_of(&rel.target);
            if let Some(t) = end {
                self.table(t);
            }
        }
        end
    }

    /// A profile column: its table's keys when it is at hand, else what
    /// it reads.
    fn profile(&mut self, id: usize) {
        self.profiles.insert(id);
        let p = &self.plan.profiles[id];
        if self.given.contains(&id) {
            self.table(p.table);
        } else {
            self.node(p.node, Some(p.table));
        }
    }

    fn node(&mut self, n: NodeId, row: Option<usize>) {
        if !self.seen.insert((n, row)) {
            return;
        }
        let plan = self.plan;
        match plan.node(n) {
            Node::Column { col } => {
                if let Some(t) = row {
                    self.column(t, *col);
                }
            }
            Node::Parent { path, col } => {
                if let Some(t) = self.path(path) {
                    self.column(t, *col);
                }
            }
            Node::Profile { id, path } => {
                self.path(path);
                self.profile(*id);
            }
            Node::Decl(crate::check::DeclId::ProfileColumn(id)) => self.profile(*id),
            Node::Agg {
                table,
                arg,
                filter,
                extra,
                group,
                ..
            } => {
                self.table(*table);
                if let Some(g) = group {
                    self.path(g);
                }
                for a in [arg, filter].into_iter().flatten() {
                    self.node(*a, Some(*table));
                }
                if let Some(e) = extra {
                    self.node(*e, None);
                }
            }
            _ => {
                for r in plan.reads(n) {
                    // Declarations and indicator values are scalars.
                    let scalar = matches!(
                        plan.node(n),
                        Node::Decl(_) | Node::IndicatorValue(_) | Node::IndicatorTarget(_)
                    );
                    self.node(r, if scalar { None } else { row });
                }
            }
        }
    }
}

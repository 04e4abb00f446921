//! Dependency order and cycles among params, lets, indicators and profile
//! columns.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{DeclId, Decls};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::Span;

/// An order in which every declaration comes after those it uses. Each
/// cycle is reported once, naming its members in order; its members are
/// still placed in the order (after what they use outside the cycle).
pub(super) fn order(
    decls: &Decls<'_>,
    deps: &HashMap<DeclId, Vec<(DeclId, Span)>>,
    diags: &mut Diagnostics,
) -> Vec<DeclId> {
    // Edges as sets, deterministic.
    let graph: BTreeMap<DeclId, BTreeSet<DeclId>> = deps
        .iter()
        .map(|(k, v)| {
            (
                *k,
                v.iter()
                    .map(|(d, _)| *d)
                    .filter(|d| deps.contains_key(d))
                    .collect(),
            )
        })
        .collect();
    let mut placed: BTreeSet<DeclId> = BTreeSet::new();
    let mut order = Vec::with_capacity(graph.len());
    loop {
        // Kahn's algorithm over what is left.
        let mut progress = true;
        while progress {
            progress = false;
            for (id, uses) in &graph {
                if !placed.contains(id) && uses.iter().all(|u| placed.contains(u)) {
                    placed.insert(*id);
                    order.push(*id);
                    progress = true;
                }
            }
        }
        let Some(start) = graph.keys().find(|id| !placed.contains(id)).copied() else {
            break;
        };
        // Every node left uses another node left: walk until one repeats.
        let mut path = vec![start];
        let cycle = loop {
            let last = path[path.len() - 1];
            let Some(next) = graph[&last].iter().find(|u| !placed.contains(u)).copied() else {
                break vec![last]; // cannot happen: `last` would have been placed
            };
            if let Some(k) = path.iter().position(|p| *p == next) {
                break path.split_off(k);
            }
            path.push(next);
        };
        report(decls, deps, &cycle, diags);
        for id in cycle {
            placed.insert(id);
            order.push(id);
        }
    }
    order
}

fn report(
    decls: &Decls<'_>,
    deps: &HashMap<DeclId, Vec<(DeclId, Span)>>,
    cycle: &[DeclId],
    diags: &mut Diagnostics,
) {
    let names: Vec<String> = cycle.iter().map(|id| decls.display_name(*id)).collect();
    let first = &names[0];
    let loop_text = names
        .iter()
        .chain(std::iter::once(first))
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let message = if cycle.len() == 1 {
        format!("`{first}` is defined in terms of itself")
    } else {
        format!("`{first}` depends on itself: {loop_text}")
    };
    let mut d = Diagnostic::error("check::cycle", message).with_help(
        "a value cannot use itself, directly or through others: remove one of these references",
    );
    for (i, id) in cycle.iter().enumerate() {
        let next = cycle[(i + 1) % cycle.len()];
        let use_span = deps[id].iter().find(|(d, _)| *d == next).map(|(_, s)| *s);
        let label = format!("uses `{}`", decls.display_name(next));
        let span = use_span.unwrap_or_else(|| decls.name_span(*id));
        d = if i == 0 {
            d.at(span, label)
        } else {
            d.also(span, label)
        };
    }
    diags.push(d);
}

//! The checker: names, fields, types and cycles, before any row is read.
//!
//! Passes, each reporting every problem it finds:
//! 1. collect declarations (params, lets, indicators, profile columns,
//!    objectives, the scorecard) and check block fields and duplicates;
//! 2. walk every expression once to find what depends on what, and report
//!    cycles;
//! 3. walk again in dependency order to resolve names and check types.
//!
//! With a [`Schema`] (from `--data`), tables and columns are resolved too.

mod cycles;
pub(crate) mod expr;
pub mod functions;
mod plugins;
pub mod suggest;
pub mod types;

use std::collections::HashMap;

use crate::data::Schema;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::rules::RuleSet;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::fields::{Block, FieldKind};
use suggest::{backticked, did_you_mean};
pub use types::Ty;

/// A named thing expressions can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclId {
    Param(usize),
    Let(usize),
    Indicator(usize),
    ProfileColumn(usize),
}

/// An indicator with the objective it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorRef<'a> {
    pub objective: &'a Objective,
    pub indicator: &'a Indicator,
}

/// A derived column with the table it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct ProfileColumn<'a> {
    pub table: &'a Ident,
    pub field: &'a Field,
}

/// Everything a rule set declares, gathered from all its files.
#[derive(Debug, Default)]
pub struct Decls<'a> {
    pub scorecards: Vec<(&'a Scorecard, Span)>,
    pub params: Vec<&'a Binding>,
    pub lets: Vec<&'a Binding>,
    pub objectives: Vec<&'a Objective>,
    pub indicators: Vec<IndicatorRef<'a>>,
    pub profile_columns: Vec<ProfileColumn<'a>>,
    pub uses: Vec<&'a Text>,
    /// params, lets and indicators share one namespace.
    pub names: HashMap<&'a str, DeclId>,
    /// `(table, column)` → index in `profile_columns`.
    pub profile_names: HashMap<(&'a str, &'a str), usize>,
}

impl<'a> Decls<'a> {
    pub fn name_span(&self, id: DeclId) -> Span {
        match id {
            DeclId::Param(i) => self.params[i].name.span,
            DeclId::Let(i) => self.lets[i].name.span,
            DeclId::Indicator(i) => self.indicators[i].indicator.id.span,
            DeclId::ProfileColumn(i) => self.profile_columns[i].field.name.span,
        }
    }

    pub fn display_name(&self, id: DeclId) -> String {
        match id {
            DeclId::Param(i) => self.params[i].name.name.clone(),
            DeclId::Let(i) => self.lets[i].name.name.clone(),
            DeclId::Indicator(i) => self.indicators[i].indicator.id.name.clone(),
            DeclId::ProfileColumn(i) => {
                let c = &self.profile_columns[i];
                format!("{}.{}", c.table.name, c.field.name.name)
            }
        }
    }

    fn what(id: DeclId) -> &'static str {
        match id {
            DeclId::Param(_) => "a param",
            DeclId::Let(_) => "a let",
            DeclId::Indicator(_) => "an indicator",
            DeclId::ProfileColumn(_) => "a profile column",
        }
    }

    /// The scorecard's population table, if declared.
    pub fn population(&self) -> Option<&'a Ident> {
        let (s, _) = self.scorecards.first()?;
        match &field(&s.fields, "population")?.value.kind {
            ExprKind::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// What the checker learnt: the types of every declaration and an order in
/// which they can be evaluated (each after what it depends on).
#[derive(Debug, Default)]
pub struct CheckOutput {
    pub diagnostics: Diagnostics,
    pub types: HashMap<DeclId, Ty>,
    pub order: Vec<DeclId>,
    /// How each declaration is called (`total_cost`, `alumni.tier`).
    pub names: HashMap<DeclId, String>,
    /// The type an expression of unknown type (a plugin call) must have
    /// where it stands, by its span.
    pub expected: HashMap<Span, Ty>,
}

/// Checks a parsed rule set, with the dataset's schema when there is one.
pub fn check(rules: &RuleSet, schema: Option<&Schema>) -> CheckOutput {
    check_with(rules, schema, &[])
}

/// The checker's diagnostics when `earlier` ones stop the run (a file
/// that does not parse, a dataset that does not load): they do not hide
/// the other files' mistakes, but names are not checked when a file is
/// broken (it may define them), nor anything in the broken files.
pub fn check_despite(
    rules: &RuleSet,
    schema: Option<&Schema>,
    earlier: &Diagnostics,
    rules_broken: bool,
) -> Vec<Diagnostic> {
    let broken: Vec<_> = earlier
        .iter()
        .filter_map(|d| d.primary.as_ref().map(|l| l.span.file))
        .collect();
    check(rules, schema)
        .diagnostics
        .into_iter()
        .filter(|d| {
            !rules_broken
                || d.primary
                    .as_ref()
                    .is_some_and(|l| !broken.contains(&l.span.file))
                    && !matches!(
                        d.code,
                        "check::unknown-name" | "check::unknown-function" | "check::scorecard"
                    )
        })
        .collect()
}

/// Checks with functions an embedder added (their argument and return
/// types are checked like built-ins').
pub fn check_with(
    rules: &RuleSet,
    schema: Option<&Schema>,
    natives: &[crate::native::NativeFunction],
) -> CheckOutput {
    let mut diags = Diagnostics::new();
    let decls = collect(rules, &mut diags);
    check_structure(rules, &decls, schema, &mut diags);
    let plugins = plugins::load(rules, &decls, &mut diags);

    // Pass 2: dependencies, cycles and an evaluation order.
    let mut deps: HashMap<DeclId, Vec<(DeclId, Span)>> = HashMap::new();
    let no_types = HashMap::new();
    for id in all_ids(&decls) {
        let mut w = expr::Walker::new(&decls, schema, &no_types, &plugins, natives, None, false);
        w.decl(id);
        deps.insert(id, w.deps);
    }
    let order = cycles::order(&decls, &deps, &mut diags);
    chain_depths(&decls, &deps, &order, &mut diags);

    // Pass 3: names and types, in dependency order.
    let sources = Some(&rules.sources);
    let mut types = HashMap::new();
    let mut expected = HashMap::new();
    for &id in &order {
        let mut w = expr::Walker::new(&decls, schema, &types, &plugins, natives, sources, true);
        let ty = w.decl(id);
        diags.extend(w.diags);
        expected.extend(w.expected);
        types.insert(id, ty);
    }
    let mut w = expr::Walker::new(&decls, schema, &types, &plugins, natives, sources, true);
    w.scorecard();
    diags.extend(w.diags);
    diags.sort();
    let names = order
        .iter()
        .map(|&id| (id, decls.display_name(id)))
        .collect();
    CheckOutput {
        diagnostics: diags,
        types,
        order,
        names,
        expected,
    }
}

/// The longest chain of declarations that each read the one before (a
/// let reading a let reading a let…) that is evaluated. Longer ones are
/// an error at the declaration that ends them, rather than a crash.
pub const MAX_CHAIN: usize = 20_000;

fn chain_depths(
    decls: &Decls<'_>,
    deps: &HashMap<DeclId, Vec<(DeclId, Span)>>,
    order: &[DeclId],
    diags: &mut Diagnostics,
) {
    let mut depth: HashMap<DeclId, usize> = HashMap::new();
    for &id in order {
        let d = 1 + deps
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|(dep, _)| depth.get(dep))
            .max()
            .copied()
            .unwrap_or(0);
        depth.insert(id, d);
        if d == MAX_CHAIN + 1 {
            diags.push(
                Diagnostic::error(
                    "check::too-deep",
                    format!(
                        "`{}` ends a chain of more than {MAX_CHAIN} names, each reading the one before",
                        decls.display_name(id)
                    ),
                )
                .at(decls.name_span(id), "too deep to evaluate")
                .with_help("write the chain as fewer steps: one expression can combine several"),
            );
        }
    }
}

/// The benchmark file named by the scorecard (it lies in the dataset
/// directory and is not a table).
pub fn benchmark_file(rules: &RuleSet) -> Option<String> {
    rules
        .files
        .iter()
        .flat_map(|f| &f.tree.items)
        .find_map(|item| match &item.kind {
            ItemKind::Scorecard(s) => match &field(&s.fields, "benchmark")?.value.kind {
                ExprKind::String(p) => Some(p.clone()),
                _ => None,
            },
            _ => None,
        })
}

fn all_ids(decls: &Decls<'_>) -> Vec<DeclId> {
    (0..decls.params.len())
        .map(DeclId::Param)
        .chain((0..decls.lets.len()).map(DeclId::Let))
        .chain((0..decls.indicators.len()).map(DeclId::Indicator))
        .chain((0..decls.profile_columns.len()).map(DeclId::ProfileColumn))
        .collect()
}

/// Pass 1: gathers declarations, reporting duplicates.
pub(crate) fn collect<'a>(rules: &'a RuleSet, diags: &mut Diagnostics) -> Decls<'a> {
    let mut d = Decls::default();
    let mut objective_ids: HashMap<&str, Span> = HashMap::new();
    for file in &rules.files {
        for item in &file.tree.items {
            match &item.kind {
                ItemKind::Scorecard(s) => d.scorecards.push((s, item.span)),
                ItemKind::Param(b) => {
                    d.params.push(b);
                    let id = DeclId::Param(d.params.len() - 1);
                    declare(&mut d, &b.name, id, diags);
                }
                ItemKind::Let(b) => {
                    d.lets.push(b);
                    let id = DeclId::Let(d.lets.len() - 1);
                    declare(&mut d, &b.name, id, diags);
                }
                ItemKind::Use(t) => d.uses.push(t),
                ItemKind::Profile(p) => {
                    for col in &p.columns {
                        let key = (p.table.name.as_str(), col.name.name.as_str());
                        if let Some(&first) = d.profile_names.get(&key) {
                            diags.push(
                                Diagnostic::error(
                                    "check::duplicate",
                                    format!(
                                        "profile column `{}.{}` is defined twice",
                                        p.table, col.name
                                    ),
                                )
                                .at(col.name.span, "defined again here")
                                .also(
                                    d.profile_columns[first].field.name.span,
                                    "first defined here",
                                ),
                            );
                            continue;
                        }
                        d.profile_columns.push(ProfileColumn {
                            table: &p.table,
                            field: col,
                        });
                        d.profile_names.insert(key, d.profile_columns.len() - 1);
                    }
                }
                ItemKind::Objective(o) => {
                    if let Some(first) = objective_ids.insert(&o.id.name, o.id.span) {
                        diags.push(
                            Diagnostic::error(
                                "check::duplicate",
                                format!("objective `{}` is defined twice", o.id),
                            )
                            .at(o.id.span, "defined again here")
                            .also(first, "first defined here"),
                        );
                    }
                    d.objectives.push(o);
                    for ind in o.indicators() {
                        d.indicators.push(IndicatorRef {
                            objective: o,
                            indicator: ind,
                        });
                        let id = DeclId::Indicator(d.indicators.len() - 1);
                        declare(&mut d, &ind.id, id, diags);
                    }
                }
            }
        }
    }
    d
}

fn declare<'a>(d: &mut Decls<'a>, name: &'a Ident, id: DeclId, diags: &mut Diagnostics) {
    if let Some(&first) = d.names.get(name.name.as_str()) {
        diags.push(
            Diagnostic::error("check::duplicate", format!("`{name}` is defined twice"))
                .at(
                    name.span,
                    format!("defined again here, as {}", Decls::what(id)),
                )
                .also(
                    d.name_span(first),
                    format!("first defined here, as {}", Decls::what(first)),
                )
                .with_help("params, lets and indicators share one set of names"),
        );
        return;
    }
    d.names.insert(&name.name, id);
}

/// Pass 1 continued: the scorecard, block fields, weights, `use` paths.
fn check_structure(
    rules: &RuleSet,
    decls: &Decls<'_>,
    schema: Option<&Schema>,
    diags: &mut Diagnostics,
) {
    match decls.scorecards.as_slice() {
        [] => diags.push(
            Diagnostic::error(
                "check::scorecard",
                format!("no `scorecard` block in `{}`", rules.root.display()),
            )
            .with_help("add one, e.g. `scorecard \"Alumni relations\" { population = alumni }`"),
        ),
        [(first, first_span), rest @ ..] => {
            for (_, span) in rest {
                diags.push(
                    Diagnostic::error(
                        "check::scorecard",
                        "a rules directory has exactly one `scorecard` block",
                    )
                    .at(*span, "a second scorecard")
                    .also(*first_span, "the first one"),
                );
            }
            check_fields(Block::Scorecard, &first.fields, diags);
            if let Some(f) = field(&first.fields, "benchmark")
                && let ExprKind::String(path) = &f.value.kind
                && (std::path::Path::new(path).is_absolute() || !crate::rules::stays_inside(path))
            {
                diags.push(
                    Diagnostic::error(
                        "check::benchmark-path",
                        format!("the benchmark `{path}` is outside the dataset directory"),
                    )
                    .at(f.value.span, "leaves the dataset directory")
                    .with_help(
                        "the benchmark is a file of the dataset directory, named relative to it: \
                         `benchmark = \"peers.csv\"`",
                    ),
                );
            }
            if let Some(f) = field(&first.fields, "trend")
                && !constant_number(&f.value).is_some_and(|n| {
                    (1.0..=crate::engine::MAX_PERIODS as f64).contains(&n) && n.fract() == 0.0
                })
            {
                diags.push(
                    Diagnostic::error(
                        "check::type",
                        format!(
                            "`trend` is the number of periods shown, a whole number from 1 to {}",
                            crate::engine::MAX_PERIODS
                        ),
                    )
                    .at(
                        f.value.span,
                        format!(
                            "not a whole number from 1 to {}",
                            crate::engine::MAX_PERIODS
                        ),
                    )
                    .with_help("for instance `trend = 3`: this period and the two before it"),
                );
            }
            for name in ["benchmark_min_peers", "max_segment_values", "min_group"] {
                if let Some(f) = field(&first.fields, name)
                    && !constant_number(&f.value).is_some_and(|n| n >= 1.0 && n.fract() == 0.0)
                {
                    diags.push(
                        Diagnostic::error("check::type", format!("`{name}` is a whole number"))
                            .at(f.value.span, "not a whole number of at least 1")
                            .with_help(format!("for instance `{name} = 4`")),
                    );
                }
            }
            if field(&first.fields, "population").is_none() {
                diags.push(
                    Diagnostic::error("check::missing-field", "the scorecard needs a `population`")
                        .at(keyword(*first_span, "scorecard"), "no `population` here")
                        .with_help("name the table with one row per person scored, e.g. `population = alumni`"),
                );
            }
        }
    }
    for o in &decls.objectives {
        let fields: Vec<Field> = o.fields().cloned().collect();
        check_fields(Block::Objective, &fields, diags);
        check_weight(fields.iter().find(|f| f.name.name == "weight"), diags);
        if let Some(f) = fields.iter().find(|f| f.name.name == "order")
            && !constant_number(&f.value).is_some_and(|n| n >= 0.0 && n.fract() == 0.0)
        {
            diags.push(
                Diagnostic::error("check::type", "`order` is a whole number")
                    .at(f.value.span, "not a whole number of at least 0")
                    .with_help("objectives are shown by `order`, lowest first: `order = 1`"),
            );
        }
        if o.indicators().next().is_none() {
            diags.push(
                Diagnostic::warning(
                    "check::empty-objective",
                    format!("objective `{}` has no indicator", o.id),
                )
                .fr(format!("l'objectif `{}` n'a aucun indicateur", o.id))
                .at(o.id.span, "its score will be null"),
            );
        }
    }
    let objective_weights: Vec<Option<f64>> = decls
        .objectives
        .iter()
        .map(|o| {
            o.fields()
                .find(|f| f.name.name == "weight")
                .map_or(Some(1.0), |w| constant_number(&w.value))
        })
        .collect();
    let indicator_weights: Vec<Vec<Option<f64>>> = decls
        .objectives
        .iter()
        .map(|o| {
            o.indicators()
                .map(|i| {
                    field(&i.fields, "weight").map_or(Some(1.0), |w| constant_number(&w.value))
                })
                .collect()
        })
        .collect();
    diags.extend(zero_weights(decls, &indicator_weights, &objective_weights));
    for r in &decls.indicators {
        let ind = r.indicator;
        check_fields(Block::Indicator, &ind.fields, diags);
        check_weight(field(&ind.fields, "weight"), diags);
        check_indicator_segments(decls, ind, diags);
        if let Some(f) = field(&ind.fields, "better")
            && !matches!(&f.value.kind, ExprKind::String(w) if w == "higher" || w == "lower")
        {
            diags.push(
                Diagnostic::error("check::better", "`better` is `higher` or `lower`")
                    .at(f.value.span, "neither `higher` nor `lower`")
                    .with_help("say which way is better: `better = lower` for a cost, say"),
            );
        }
        percent_slips(ind, diags);
        if field(&ind.fields, "value").is_none() {
            diags.push(
                Diagnostic::error(
                    "check::missing-field",
                    format!("indicator `{}` has no `value`", ind.id),
                )
                .at(ind.id.span, "no `value` here")
                .with_help("add `value = EXPRESSION`, e.g. `value = count(alumni where member)`"),
            );
        }
        if field(&ind.fields, "target").is_none() && field(&ind.fields, "score").is_none() {
            diags.push(
                Diagnostic::error(
                    "check::missing-field",
                    format!(
                        "indicator `{}` has neither a `target` nor a `score`",
                        ind.id
                    ),
                )
                .at(ind.id.span, "cannot be scored")
                .with_help(
                    "the default score is `linear(0, target)`: add a `target`, or a `score`",
                ),
            );
        }
    }
    if let (Some(schema), Some(pop)) = (schema, decls.population())
        && schema.table(&pop.name).is_none()
    {
        diags.push(
            Diagnostic::error("check::unknown-table", format!("unknown table `{pop}`"))
                .at(pop.span, "not in the dataset")
                .with_help_opt(did_you_mean(
                    &pop.name,
                    schema.tables.keys().map(String::as_str),
                )),
        );
    }
    for u in &decls.uses {
        plugins::check_path(rules, u, diags);
    }
}

/// A rate compared with a number above 1 is likely a forgotten `%`
/// (`target = 20` for 20 %), which would make it unreachable or turn the
/// score around.
fn percent_slips(ind: &Indicator, diags: &mut Diagnostics) {
    let is_rate = matches!(field(&ind.fields, "unit").map(|f| &f.value.kind),
        Some(ExprKind::String(u)) if u.trim() == "%")
        || matches!(field(&ind.fields, "value").map(|f| &f.value.kind),
            Some(ExprKind::Call { function, .. }) if function.name == "share");
    if !is_rate {
        return;
    }
    let mut bounds: Vec<&Expr> = Vec::new();
    if let Some(t) = field(&ind.fields, "target") {
        bounds.push(&t.value);
    }
    if let Some(s) = field(&ind.fields, "score") {
        match &s.value.kind {
            ExprKind::Call { function, args, .. } if function.name == "linear" => {
                bounds.extend(args.iter())
            }
            ExprKind::Bands(bands) => bounds.extend(bands.iter().map(|b| &b.threshold)),
            _ => {}
        }
    }
    for e in bounds {
        if let ExprKind::Number(n) = e.kind
            && n > 1.0
        {
            let written = crate::syntax::number(n);
            diags.push(
                Diagnostic::warning(
                    "check::percent",
                    format!("`{}` is a rate, compared here with {written}", ind.id),
                )
                .fr(format!("`{}` est un taux, comparé ici à {written}", ind.id))
                .at(
                    e.span,
                    format!("{written} is {} %", crate::syntax::number(n * 100.0)),
                )
                .with_help(format!(
                    "a rate runs from 0 to 1 (0 % to 100 %): did you mean `{written}%`?"
                )),
            );
        }
    }
}

/// Unknown and repeated fields of a block.
fn check_fields(block: Block, fields: &[Field], diags: &mut Diagnostics) {
    let known: Vec<&str> = block.fields().iter().map(|(n, _)| *n).collect();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for f in fields {
        let name = f.name.name.as_str();
        if !known.contains(&name) {
            let hint = did_you_mean(name, known.iter().copied()).unwrap_or_else(|| {
                format!("the fields of {} are {}", block.noun(), backticked(&known))
            });
            diags.push(
                Diagnostic::error(
                    "check::unknown-field",
                    format!("unknown field `{name}` in {}", block.noun()),
                )
                .at(f.name.span, "unknown field")
                .with_help(hint),
            );
            continue;
        }
        if let Some(first) = seen.insert(name, f.name.span) {
            diags.push(
                Diagnostic::error("check::duplicate", format!("field `{name}` is set twice"))
                    .at(f.name.span, "set again here")
                    .also(first, "first set here"),
            );
        }
        if block.kind_of(name) == Some(FieldKind::Text)
            && !matches!(f.value.kind, ExprKind::String(_))
        {
            diags.push(
                Diagnostic::error("check::type", format!("`{name}` is text"))
                    .at(f.value.span, "not a string")
                    .with_help(format!("write it between double quotes: {name} = \"...\"")),
            );
        }
        if block.kind_of(name) == Some(FieldKind::TextList) {
            let ok = matches!(&f.value.kind, ExprKind::List(items)
                if items.iter().all(|i| matches!(i.kind, ExprKind::String(_))));
            if !ok {
                diags.push(
                    Diagnostic::error("check::type", format!("`{name}` is a list of strings"))
                        .at(f.value.span, "not a list of strings")
                        .with_help(format!(
                            "for instance {name} = [\"giving\", \"networking\"]"
                        )),
                );
            }
        }
    }
}

/// The span of the keyword that starts an item.
fn keyword(item: Span, word: &str) -> Span {
    Span::new(
        item.file,
        item.start,
        (item.start + word.len()).min(item.end),
    )
}

/// A number written as a literal (`2`, `-1`, `50%`), if the expression is one.
pub fn constant_number(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Number(n) => Some(*n),
        ExprKind::Percent(n) => Some(n / 100.0),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => constant_number(operand).map(|n| -n),
        _ => None,
    }
}

fn check_weight(weight: Option<&Field>, diags: &mut Diagnostics) {
    let Some(w) = weight else { return };
    if let ExprKind::Percent(p) = w.value.kind {
        let n = crate::syntax::number(p);
        diags.push(
            Diagnostic::error(
                "check::weight",
                format!("a weight is a number, not a percentage: `{n}%` would weigh {}", crate::syntax::number(p / 100.0)),
            )
            .at(w.value.span, "a percentage")
            .with_help(format!(
                "weights are relative to one another: write `weight = {n}` (35 beside 25 and 40, say)"
            )),
        );
        return;
    }
    match constant_number(&w.value) {
        Some(n) if n < 0.0 => diags.push(
            Diagnostic::error("check::weight", format!("a weight cannot be negative ({n})"))
                .at(w.value.span, "negative weight")
                .with_help("weights are 0 or more; to favour lower values, use `linear(from, to)` with from > to"),
        ),
        Some(n) if n > MAX_WEIGHT => diags.push(
            Diagnostic::error(
                "check::weight",
                format!("a weight of at most {} (not {n})", crate::syntax::number(MAX_WEIGHT)),
            )
            .at(w.value.span, "too large")
            .with_help("weights are relative to one another: 3 beside 1 weighs three times as much"),
        ),
        _ => {}
    }
}

/// The largest weight: weights are relative, and sums of larger ones
/// times scores could overflow into no figure at all.
pub const MAX_WEIGHT: f64 = 1e9;

/// Warnings for weights that leave a score null: an objective whose every
/// indicator weighs 0, every objective weighing 0. Weights per objective
/// (`None`: not a constant); the engine asks again after a what-if.
pub fn zero_weights(
    decls: &Decls<'_>,
    indicator_weights: &[Vec<Option<f64>>],
    objective_weights: &[Option<f64>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (o, weights) in decls.objectives.iter().zip(indicator_weights) {
        if !weights.is_empty() && weights.iter().all(|w| *w == Some(0.0)) {
            out.push(
                Diagnostic::warning(
                    "check::zero-weights",
                    format!("every indicator of `{}` weighs 0", o.id),
                )
                .fr(format!(
                    "tous les indicateurs de `{}` ont un poids nul",
                    o.id
                ))
                .at(o.id.span, "this objective's score will be null")
                .with_help("give at least one indicator a positive `weight`"),
            );
        }
    }
    if !objective_weights.is_empty()
        && objective_weights.iter().all(|w| *w == Some(0.0))
        && let Some(o) = decls.objectives.first()
    {
        out.push(
            Diagnostic::warning("check::zero-weights", "every objective weighs 0")
                .fr("tous les objectifs ont un poids nul")
                .at(o.id.span, "the overall score will be null"),
        );
    }
    out
}

/// An indicator's `segments`: `false`, or a list of the scorecard's
/// segment columns.
fn check_indicator_segments(decls: &Decls<'_>, ind: &Indicator, diags: &mut Diagnostics) {
    let Some(f) = field(&ind.fields, "segments") else {
        return;
    };
    let known: Vec<String> = decls
        .scorecards
        .first()
        .and_then(|(s, _)| field(&s.fields, "segments"))
        .map(|f| match &f.value.kind {
            ExprKind::List(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    ExprKind::Name(n) => Some(n.name.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    match &f.value.kind {
        ExprKind::Bool(false) => {}
        ExprKind::List(items) => {
            for item in items {
                match &item.kind {
                    ExprKind::Name(n) if known.contains(&n.name) => {}
                    ExprKind::Name(n) => diags.push(
                        Diagnostic::error(
                            "check::unknown-segment",
                            format!("`{}` is not one of the scorecard's segments", n.name),
                        )
                        .at(item.span, "not a segment of the scorecard")
                        .with_help_opt(did_you_mean(&n.name, known.iter().map(String::as_str)))
                        .with_help_opt((known.is_empty()).then(|| {
                            "the scorecard lists the segments: `segments = [faculty, region]`"
                                .to_string()
                        })),
                    ),
                    _ => diags.push(
                        Diagnostic::error("check::type", "an indicator's segment is a column name")
                            .at(item.span, "not a column name"),
                    ),
                }
            }
        }
        _ => diags.push(
            Diagnostic::error(
                "check::type",
                "an indicator's `segments` is `false` or a list of the scorecard's segments",
            )
            .at(f.value.span, "neither `false` nor a list")
            .with_help("for instance `segments = false`, or `segments = [faculty]`"),
        ),
    }
}

//! Resolving names and checking types in expressions.
//!
//! The walker knows where it stands ([`Cx`]): at the top level (scalars
//! only), inside a `score`, or in the rows of a table (inside an aggregate
//! or a profile), and resolves each name accordingly.

use std::collections::HashMap;

use super::functions::{self, Builtin, FnKind};
use super::plugins::{self, PluginFns};
use super::suggest::did_you_mean;
use super::types::Ty;
use super::{DeclId, Decls};
use crate::data::Schema;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::*;

/// Where an expression stands.
#[derive(Debug, Clone, Default)]
struct Cx {
    /// The table whose rows are in scope (`Some(None)`: rows of a table the
    /// checker cannot name without the dataset).
    row: Option<Option<String>>,
    /// The profile being defined: aggregates inside it are correlated.
    profile: Option<String>,
    /// Inside `score`: `value` and `target` are defined.
    score: bool,
    /// Inside `target`: `value` is defined (`target = prior(value) * 1.05`).
    in_target: bool,
    has_target: bool,
    /// Inside an indicator (for `peers`).
    indicator: bool,
    /// Inside a param: only constants and other params.
    param: bool,
}

pub(super) struct Walker<'c, 'a> {
    decls: &'c Decls<'a>,
    schema: Option<&'c Schema>,
    types: &'c HashMap<DeclId, Ty>,
    plugins: &'c PluginFns,
    natives: &'c [crate::native::NativeFunction],
    sources: Option<&'c SourceMap>,
    report: bool,
    pub diags: Vec<Diagnostic>,
    pub deps: Vec<(DeclId, Span)>,
    /// What expressions of unknown type (a plugin call) must be where they
    /// stand: the evaluator checks what the script returns against it.
    pub expected: Vec<(Span, Ty)>,
}

impl<'c, 'a> Walker<'c, 'a> {
    pub fn new(
        decls: &'c Decls<'a>,
        schema: Option<&'c Schema>,
        types: &'c HashMap<DeclId, Ty>,
        plugins: &'c PluginFns,
        natives: &'c [crate::native::NativeFunction],
        sources: Option<&'c SourceMap>,
        report: bool,
    ) -> Self {
        Walker {
            decls,
            schema,
            types,
            plugins,
            natives,
            sources,
            report,
            diags: Vec::new(),
            deps: Vec::new(),
            expected: Vec::new(),
        }
    }

    fn error(&mut self, d: Diagnostic) {
        if self.report {
            self.diags.push(d);
        }
    }

    fn expect(&mut self, found: Ty, wanted: Ty, span: Span, context: &str) {
        if found == Ty::Any && wanted != Ty::Any {
            self.expected.push((span, wanted));
        }
        if !found.fits(wanted) {
            self.error(
                Diagnostic::error(
                    "check::type",
                    format!("{context} needs {wanted}, found {found}"),
                )
                .at(span, format!("this is {found}")),
            );
        }
    }

    /// A value of unknown type compared with one of known type must be of
    /// that type (`sentiment(text) > 0`: a number).
    fn compared(&mut self, l: Ty, lhs: &Expr, r: Ty, rhs: &Expr) {
        match (l, r) {
            (Ty::Any, Ty::Any) => {}
            (Ty::Any, known) => self.expected.push((lhs.span, known)),
            (known, Ty::Any) => self.expected.push((rhs.span, known)),
            _ => {}
        }
    }

    /// Checks one declaration; returns its type.
    pub fn decl(&mut self, id: DeclId) -> Ty {
        let decls = self.decls;
        match id {
            DeclId::Param(i) => {
                let cx = Cx {
                    param: true,
                    ..Cx::default()
                };
                self.walk(&decls.params[i].value, &cx)
            }
            DeclId::Let(i) => self.walk(&decls.lets[i].value, &Cx::default()),
            DeclId::Indicator(i) => self.indicator(decls.indicators[i].indicator),
            DeclId::ProfileColumn(i) => {
                let col = decls.profile_columns[i];
                let table = &col.table.name;
                if let Some(schema) = self.schema {
                    match schema.table(table) {
                        None => {
                            // Reported once per profile, at its first column.
                            let first = decls
                                .profile_columns
                                .iter()
                                .position(|c| c.table.name == *table);
                            if first == Some(i) {
                                self.unknown_table(col.table);
                            }
                        }
                        Some(t) if t.column(&col.field.name.name).is_some() => self.error(
                            Diagnostic::error(
                                "check::duplicate",
                                format!(
                                    "`{table}` already has a column `{}` in the dataset",
                                    col.field.name
                                ),
                            )
                            .at(
                                col.field.name.span,
                                "a profile column cannot replace a data column",
                            )
                            .with_help("choose another name"),
                        ),
                        Some(_) => {}
                    }
                }
                let cx = Cx {
                    row: Some(Some(table.clone())),
                    profile: Some(table.clone()),
                    ..Cx::default()
                };
                self.walk(&col.field.value, &cx)
            }
        }
    }

    fn indicator(&mut self, ind: &Indicator) -> Ty {
        let has_target = field(&ind.fields, "target").is_some();
        let top = Cx {
            indicator: true,
            ..Cx::default()
        };
        let mut value_ty = Ty::Number;
        for f in &ind.fields {
            let name = f.name.name.as_str();
            match name {
                "value" => {
                    value_ty = self.walk(&f.value, &top);
                    if value_ty == Ty::Bool {
                        self.error(
                            Diagnostic::error("check::type", format!("the value of `{}` is a yes/no value", ind.id))
                                .at(f.value.span, "an indicator's value is a number")
                                .with_help("for a rate, use `share(TABLE where CONDITION)`; or `if CONDITION then 1 else 0`"),
                        );
                    } else {
                        self.expect(value_ty, Ty::Number, f.value.span, "an indicator's value");
                    }
                }
                "target" | "weight" => {
                    let cx = Cx {
                        in_target: name == "target",
                        ..top.clone()
                    };
                    let ty = self.walk(&f.value, &cx);
                    self.expect(ty, Ty::Number, f.value.span, &format!("`{name}`"));
                }
                "score" => {
                    let cx = Cx {
                        score: true,
                        has_target,
                        ..top.clone()
                    };
                    let ty = self.walk(&f.value, &cx);
                    self.expect(ty, Ty::Number, f.value.span, "`score`");
                }
                _ => {}
            }
        }
        if value_ty == Ty::Bool {
            Ty::Any
        } else {
            value_ty.join(Ty::Number)
        }
    }

    /// The scorecard's population and segments (with the dataset).
    pub fn scorecard(&mut self) {
        let Some((s, _)) = self.decls.scorecards.first() else {
            return;
        };
        let Some(pop) = self.decls.population() else {
            if let Some(f) = field(&s.fields, "population") {
                self.error(
                    Diagnostic::error("check::type", "`population` names a table")
                        .at(f.value.span, "not a table name")
                        .with_help("for instance `population = alumni`"),
                );
            }
            return;
        };
        if let Some(f) = field(&s.fields, "period")
            && !matches!(f.value.kind, ExprKind::Period { .. })
        {
            self.error(
                Diagnostic::error("check::type", "`period` is written `FROM .. TO`")
                    .at(f.value.span, "not a period")
                    .with_help("for instance `period = 2025-09-01 .. 2026-08-31`"),
            );
        }
        let Some(f) = field(&s.fields, "segments") else {
            return;
        };
        let ExprKind::List(items) = &f.value.kind else {
            self.error(
                Diagnostic::error("check::type", "`segments` is a list of columns")
                    .at(f.value.span, "not a list")
                    .with_help("for instance `segments = [faculty, country]`"),
            );
            return;
        };
        let table = self.schema.and_then(|s| s.table(&pop.name));
        for item in items {
            let ExprKind::Name(col) = &item.kind else {
                self.error(
                    Diagnostic::error("check::type", "a segment is a column of the population")
                        .at(item.span, "not a column name"),
                );
                continue;
            };
            let profiled = self
                .decls
                .profile_names
                .contains_key(&(pop.name.as_str(), col.name.as_str()));
            if let Some(t) = table
                && !profiled
                && t.column(&col.name).is_none()
            {
                let candidates = self.columns_of(&pop.name);
                self.error(
                    Diagnostic::error(
                        "check::unknown-column",
                        format!("`{}` has no column `{col}`", pop.name),
                    )
                    .at(col.span, "not a column of the population")
                    .with_help_opt(did_you_mean(
                        &col.name,
                        candidates.iter().map(String::as_str),
                    )),
                );
            }
        }
    }

    /// Data and profile columns of a table, for did-you-mean.
    fn columns_of(&self, table: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .schema
            .and_then(|s| s.table(table))
            .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        out.extend(
            self.decls
                .profile_columns
                .iter()
                .filter(|c| c.table.name == table)
                .map(|c| c.field.name.name.clone()),
        );
        out
    }

    fn unknown_table(&mut self, name: &Ident) {
        let tables: Vec<&str> = self
            .schema
            .map(|s| s.tables.keys().map(String::as_str).collect())
            .unwrap_or_default();
        self.error(
            Diagnostic::error("check::unknown-table", format!("unknown table `{name}`"))
                .at(name.span, "not in the dataset")
                .with_help_opt(did_you_mean(&name.name, tables).or_else(|| {
                    self.schema.map(|s| {
                        let names: Vec<String> =
                            s.tables.keys().map(|k| format!("`{k}`")).collect();
                        format!("the dataset's tables are {}", names.join(", "))
                    })
                })),
        );
    }

    fn use_decl(&mut self, id: DeclId, span: Span) -> Ty {
        self.deps.push((id, span));
        self.types.get(&id).copied().unwrap_or(Ty::Any)
    }

    fn walk(&mut self, e: &Expr, cx: &Cx) -> Ty {
        match &e.kind {
            ExprKind::Number(_) | ExprKind::Percent(_) => Ty::Number,
            ExprKind::String(_) => Ty::Text,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::Null => Ty::Any,
            ExprKind::List(items) => {
                for item in items {
                    let ty = self.walk(item, cx);
                    if !matches!(ty, Ty::Text | Ty::Number | Ty::Any) {
                        self.error(
                            Diagnostic::error(
                                "check::type",
                                format!("a list holds text or numbers, not {ty}"),
                            )
                            .at(item.span, "cannot stand in a list"),
                        );
                    }
                }
                Ty::List
            }
            ExprKind::Period { .. } => {
                self.error(
                    Diagnostic::error(
                        "check::type",
                        "a period only stands in the scorecard's `period`",
                    )
                    .at(e.span, "not allowed here"),
                );
                Ty::Any
            }
            ExprKind::Name(n) => self.name(n, cx),
            ExprKind::Column { table, column } => self.column(table, column, e.span, cx),
            ExprKind::Unary { op, operand } => {
                let ty = self.walk(operand, cx);
                match op {
                    UnaryOp::Neg => {
                        self.expect(ty, Ty::Number, operand.span, "`-`");
                        Ty::Number
                    }
                    UnaryOp::Not => {
                        self.expect(ty, Ty::Bool, operand.span, "`not`");
                        Ty::Bool
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, cx),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.walk(cond, cx);
                self.expect(c, Ty::Bool, cond.span, "the condition of `if`");
                let a = self.walk(then, cx);
                let b = self.walk(otherwise, cx);
                if !a.fits(b) {
                    self.error(
                        Diagnostic::error(
                            "check::type",
                            format!("the branches of `if` differ: {a} and {b}"),
                        )
                        .at(otherwise.span, format!("this is {b}"))
                        .also(then.span, format!("this is {a}"))
                        .with_help("both branches must give the same kind of value"),
                    );
                }
                a.join(b)
            }
            ExprKind::Call {
                function,
                args,
                filter,
            } => self.call(function, args, filter.as_deref(), e.span, cx),
            ExprKind::Bands(bands) => {
                if !cx.score {
                    self.error(
                        Diagnostic::error(
                            "check::score-only",
                            "`bands` scores an indicator's value",
                        )
                        .at(e.span, "only in `score`")
                        .with_help("use it as `score = bands(20%: 25, 40%: 60, 60%: 100)`"),
                    );
                }
                for b in bands {
                    let t = self.walk(&b.threshold, cx);
                    self.expect(t, Ty::Number, b.threshold.span, "a band's threshold");
                    let s = self.walk(&b.score, cx);
                    self.expect(s, Ty::Number, b.score.span, "a band's score");
                }
                Ty::Number
            }
            ExprKind::Rhai(body) => {
                self.rhai_block(body, e.span);
                // The script reads the params, lets and indicators it names.
                for word in crate::eval::script::free_names(body) {
                    if let Some(&id) = self.decls.names.get(word.as_str()) {
                        self.use_decl(id, e.span);
                    }
                }
                Ty::Any
            }
        }
    }

    /// An inline script must at least compile; it runs at evaluation.
    fn rhai_block(&mut self, body: &str, span: Span) {
        if !self.report {
            return;
        }
        let Some(sources) = self.sources else { return };
        if let Err(err) = crate::eval::script::engine().compile(body) {
            let base = crate::eval::script::body_start(sources, span);
            self.diags
                .push(plugins::script_error(sources, span.file, base, &err));
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, cx: &Cx) -> Ty {
        let l = self.walk(lhs, cx);
        let r = self.walk(rhs, cx);
        let sym = op.symbol();
        match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (ty, side) in [(l, lhs), (r, rhs)] {
                    if ty == Ty::Any {
                        self.expected.push((side.span, Ty::Number));
                    }
                    if !ty.fits(Ty::Number) {
                        let mut d = Diagnostic::error(
                            "check::type",
                            format!("`{sym}` works on numbers, not on {ty}"),
                        )
                        .at(side.span, format!("this is {ty}"));
                        if ty == Ty::Date && op == BinaryOp::Sub {
                            d = d.with_help(
                                "the days between two dates are `days_between(from, to)`",
                            );
                        }
                        self.error(d);
                    }
                }
                Ty::Number
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                self.compared(l, lhs, r, rhs);
                if !l.fits(r) {
                    // `graduation_year == "2010"`: the quotes make text.
                    let unquote = [(lhs, r), (rhs, l)].into_iter().find_map(|(side, other)| {
                        match &side.kind {
                            ExprKind::String(t)
                                if other == Ty::Number && t.trim().parse::<f64>().is_ok() =>
                            {
                                Some(format!("remove the quotes: `{}`", t.trim()))
                            }
                            ExprKind::String(t)
                                if other == Ty::Bool && matches!(t.as_str(), "true" | "false") =>
                            {
                                Some(format!("remove the quotes: `{t}`"))
                            }
                            _ => None,
                        }
                    });
                    self.error(
                        Diagnostic::error("check::type", format!("cannot compare {l} with {r}"))
                            .at(rhs.span, format!("this is {r}"))
                            .also(lhs.span, format!("this is {l}"))
                            .with_help_opt(unquote),
                    );
                }
                Ty::Bool
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                self.compared(l, lhs, r, rhs);
                if !l.fits(r)
                    || matches!(l, Ty::Bool | Ty::List)
                    || matches!(r, Ty::Bool | Ty::List)
                {
                    self.error(
                        Diagnostic::error(
                            "check::type",
                            format!("cannot order {l} and {r} with `{sym}`"),
                        )
                        .at(rhs.span, format!("this is {r}"))
                        .also(lhs.span, format!("this is {l}"))
                        .with_help(
                            "`<`, `<=`, `>`, `>=` compare two numbers, two dates or two texts",
                        ),
                    );
                }
                Ty::Bool
            }
            BinaryOp::And | BinaryOp::Or => {
                self.expect(l, Ty::Bool, lhs.span, &format!("`{sym}`"));
                self.expect(r, Ty::Bool, rhs.span, &format!("`{sym}`"));
                Ty::Bool
            }
            BinaryOp::In => {
                self.expect(r, Ty::List, rhs.span, "the right side of `in`");
                if matches!(l, Ty::Bool | Ty::List | Ty::Date) {
                    self.error(
                        Diagnostic::error(
                            "check::type",
                            format!("`in` looks for text or a number, not {l}"),
                        )
                        .at(lhs.span, format!("this is {l}")),
                    );
                }
                Ty::Bool
            }
        }
    }

    fn name(&mut self, n: &Ident, cx: &Cx) -> Ty {
        let name = n.name.as_str();
        if cx.in_target && name == "value" {
            return Ty::Number;
        }
        if cx.score && (name == "value" || name == "target") {
            if name == "target" && !cx.has_target {
                self.error(
                    Diagnostic::error(
                        "check::missing-field",
                        "`score` uses `target`, but the indicator has none",
                    )
                    .at(n.span, "no target")
                    .with_help("add `target = ...` to the indicator"),
                );
            }
            return Ty::Number;
        }
        if let Some(Some(table)) = &cx.row {
            if let Some(&i) = self.decls.profile_names.get(&(table.as_str(), name)) {
                return self.use_decl(DeclId::ProfileColumn(i), n.span);
            }
            if let Some(col) = self
                .schema
                .and_then(|s| s.table(table))
                .and_then(|t| t.column(name))
            {
                return Ty::from_column(col.ty);
            }
        }
        if let Some(&id) = self.decls.names.get(name) {
            if cx.param && !matches!(id, DeclId::Param(_)) {
                self.error(
                    Diagnostic::error("check::param", format!("a param cannot use `{name}`"))
                        .at(n.span, "not a param")
                        .with_help("a param is a constant (other params may be used): use `let` to compute"),
                );
            }
            return self.use_decl(id, n.span);
        }
        if let Some(row) = &cx.row {
            let known_table = row
                .as_ref()
                .and_then(|t| self.schema.and_then(|s| s.table(t)).map(|_| t.clone()));
            let Some(table) = known_table else {
                return Ty::Any; // a column of a table the checker cannot see
            };
            let mut candidates = self.columns_of(&table);
            candidates.extend(self.decls.names.keys().map(|k| k.to_string()));
            self.error(
                Diagnostic::error(
                    "check::unknown-column",
                    format!("unknown column `{name}` in `{table}`"),
                )
                .at(
                    n.span,
                    format!("not a column of `{table}`, nor a param or let"),
                )
                .with_help_opt(did_you_mean(name, candidates.iter().map(String::as_str))),
            );
            return Ty::Any;
        }
        if self.schema.and_then(|s| s.table(name)).is_some() {
            self.error(
                Diagnostic::error("check::table-as-value", format!("`{name}` is a table, not a value"))
                    .at(n.span, "a table")
                    .with_help(format!("count its rows with `count({name})`, or aggregate a column: `sum({name}.COLUMN)`")),
            );
            return Ty::Any;
        }
        let mut candidates: Vec<&str> = self.decls.names.keys().copied().collect();
        if cx.score {
            candidates.extend(["value", "target"]);
        }
        let help = did_you_mean(name, candidates).or_else(|| {
            (name == "value" || name == "target")
                .then(|| format!("`{name}` stands for the indicator's {name} only inside `score` (and `value` inside `target`)"))
        });
        self.error(
            Diagnostic::error("check::unknown-name", format!("unknown name `{name}`"))
                .at(n.span, "not a param, let or indicator")
                .with_help_opt(help),
        );
        Ty::Any
    }

    fn column(&mut self, table: &Ident, column: &Ident, span: Span, cx: &Cx) -> Ty {
        if let Some(&id) = self.decls.names.get(table.name.as_str()) {
            let what = match id {
                DeclId::Param(_) => "a param",
                DeclId::Let(_) => "a let",
                _ => "an indicator",
            };
            self.error(
                Diagnostic::error(
                    "check::not-a-table",
                    format!("`{table}` is {what}, not a table"),
                )
                .at(table.span, "not a table"),
            );
            return Ty::Any;
        }
        let schema_table = self.schema.map(|s| s.table(&table.name));
        if let Some(None) = schema_table {
            self.unknown_table(table);
            return Ty::Any;
        }
        match &cx.row {
            None => self.error(
                Diagnostic::error(
                    "check::column-outside-rows",
                    format!("`{table}.{column}` is a column: it has one value per row"),
                )
                .at(span, "needs an aggregate")
                .with_help(format!(
                    "aggregate it, e.g. `sum({table}.{column})` or `avg({table}.{column})`"
                )),
            ),
            Some(Some(row)) if *row != table.name => {
                if let Some(schema) = self.schema
                    && schema.table(row).is_some()
                    && schema.path_up(row, &table.name).is_none()
                {
                    self.error(
                            Diagnostic::error(
                                "check::no-relation",
                                format!("`{row}` rows have no `{table}` to read `{column}` from"),
                            )
                            .at(span, format!("`{row}` does not refer to `{table}`"))
                            .with_help(format!(
                                "a row can read the columns of the tables it refers to; to read `{table}` rows, aggregate them"
                            )),
                        );
                }
            }
            _ => {}
        }
        if let Some(&i) = self
            .decls
            .profile_names
            .get(&(table.name.as_str(), column.name.as_str()))
        {
            return self.use_decl(DeclId::ProfileColumn(i), span);
        }
        match schema_table {
            Some(Some(t)) => match t.column(&column.name) {
                Some(c) => Ty::from_column(c.ty),
                None => {
                    let candidates = self.columns_of(&table.name);
                    self.error(
                        Diagnostic::error(
                            "check::unknown-column",
                            format!("unknown column `{column}` in `{table}`"),
                        )
                        .at(column.span, format!("not a column of `{table}`"))
                        .with_help_opt(did_you_mean(
                            &column.name,
                            candidates.iter().map(String::as_str),
                        )),
                    );
                    Ty::Any
                }
            },
            _ => Ty::Any,
        }
    }

    fn call(
        &mut self,
        function: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        span: Span,
        cx: &Cx,
    ) -> Ty {
        let name = function.name.as_str();
        if let Some(arities) = self.plugins.get(name).cloned() {
            if !arities.contains(&args.len()) {
                let counts: Vec<String> = arities.iter().map(|a| a.to_string()).collect();
                self.error(
                    Diagnostic::error(
                        "check::arity",
                        format!(
                            "`{name}` takes {} argument(s), not {}",
                            counts.join(" or "),
                            args.len()
                        ),
                    )
                    .at(span, "wrong number of arguments"),
                );
            }
            self.no_filter(name, filter);
            for a in args {
                self.walk(a, cx);
            }
            return Ty::Any;
        }
        if let Some(native) = self.natives.iter().find(|f| f.name == name) {
            self.no_filter(name, filter);
            if native.params.len() != args.len() {
                self.error(
                    Diagnostic::error(
                        "check::arity",
                        format!(
                            "`{name}` takes {} argument(s), not {}",
                            native.params.len(),
                            args.len()
                        ),
                    )
                    .at(span, "wrong number of arguments"),
                );
            }
            for (a, want) in args
                .iter()
                .zip(native.params.iter().chain(std::iter::repeat(&Ty::Any)))
            {
                let ty = self.walk(a, cx);
                self.expect(ty, *want, a.span, &format!("`{name}`"));
            }
            return native.returns;
        }
        let Some(builtin) = functions::lookup(name, args.len()) else {
            let mut names: Vec<&str> = functions::names().collect();
            names.extend(self.natives.iter().map(|f| f.name.as_str()));
            names.extend(self.plugins.keys().map(String::as_str));
            self.error(
                Diagnostic::error(
                    "check::unknown-function",
                    format!("unknown function `{name}`"),
                )
                .at(function.span, "no such function")
                .with_help_opt(did_you_mean(name, names)),
            );
            for a in args {
                self.walk(a, cx);
            }
            return Ty::Any;
        };
        if args.len() < builtin.min_args || builtin.max_args.is_some_and(|m| args.len() > m) {
            self.error(
                Diagnostic::error(
                    "check::arity",
                    format!("wrong number of arguments to `{name}`"),
                )
                .at(span, format!("{} given", args.len()))
                .with_help(format!("write `{}`", builtin.usage)),
            );
            for a in args {
                self.walk(a, cx);
            }
            return Ty::Any;
        }
        if builtin.kind == FnKind::Aggregate {
            return self.aggregate(builtin, function, args, filter, cx);
        }
        self.no_filter(name, filter);
        let tys: Vec<Ty> = args.iter().map(|a| self.walk(a, cx)).collect();
        self.scalar(builtin, args, &tys, span, cx)
    }

    fn no_filter(&mut self, name: &str, filter: Option<&Expr>) {
        if let Some(f) = filter {
            self.error(
                Diagnostic::error(
                    "check::where",
                    format!("`where` filters the rows of an aggregate, and `{name}` is not one"),
                )
                .at(f.span, "no rows to filter"),
            );
        }
    }

    fn scalar(&mut self, b: &Builtin, args: &[Expr], tys: &[Ty], span: Span, cx: &Cx) -> Ty {
        let name = b.name;
        let want = |w: &mut Self, i: usize, ty: Ty| {
            w.expect(tys[i], ty, args[i].span, &format!("`{name}`"))
        };
        match name {
            "round" | "abs" | "log" | "sqrt" => {
                for i in 0..args.len() {
                    want(self, i, Ty::Number);
                }
                Ty::Number
            }
            "min" | "max" | "coalesce" => {
                let mut ty = Ty::Any;
                for (i, t) in tys.iter().enumerate() {
                    if !t.fits(ty) {
                        self.error(
                            Diagnostic::error(
                                "check::type",
                                format!("the arguments of `{name}` differ: {ty} and {t}"),
                            )
                            .at(args[i].span, format!("this is {t}")),
                        );
                    }
                    ty = ty.join(*t);
                }
                ty
            }
            "year" | "month" => {
                want(self, 0, Ty::Date);
                Ty::Number
            }
            "days_between" => {
                want(self, 0, Ty::Date);
                want(self, 1, Ty::Date);
                Ty::Number
            }
            "lower" | "upper" => {
                want(self, 0, Ty::Text);
                Ty::Text
            }
            "len" => {
                if !matches!(tys[0], Ty::Text | Ty::List | Ty::Any) {
                    self.expect(tys[0], Ty::Text, args[0].span, "`len`");
                }
                Ty::Number
            }
            "contains" => {
                if !matches!(tys[0], Ty::Text | Ty::List | Ty::Any) {
                    self.expect(tys[0], Ty::Text, args[0].span, "`contains`");
                }
                want(self, 1, Ty::Text);
                Ty::Bool
            }
            "linear" => {
                if !cx.score {
                    self.error(
                        Diagnostic::error(
                            "check::score-only",
                            "`linear` scores an indicator's value",
                        )
                        .at(span, "only in `score`")
                        .with_help("use it as `score = linear(20%, target)`"),
                    );
                }
                want(self, 0, Ty::Number);
                want(self, 1, Ty::Number);
                Ty::Number
            }
            "peers" => {
                if !cx.indicator || cx.row.is_some() {
                    self.error(
                        Diagnostic::error("check::peers", "`peers` stands in an indicator's `target` or `score`")
                            .at(span, "not inside an indicator")
                            .with_help("e.g. `target = peers(75%)`: the peers' 75th percentile for this indicator"),
                    );
                }
                want(self, 0, Ty::Number);
                Ty::Number
            }
            "prior" => {
                if cx.param {
                    self.error(
                        Diagnostic::error("check::param", "a param cannot use `prior`")
                            .at(span, "not a constant"),
                    );
                }
                tys[0]
            }
            _ => Ty::Any,
        }
    }

    fn aggregate(
        &mut self,
        b: &Builtin,
        function: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        cx: &Cx,
    ) -> Ty {
        let name = b.name;
        if cx.param {
            self.error(
                Diagnostic::error("check::param", format!("a param cannot use `{name}`"))
                    .at(function.span, "not a constant")
                    .with_help("a param is a constant: use `let` to compute"),
            );
        }
        let table = if functions::takes_table(name) {
            match &args[0].kind {
                ExprKind::Name(t) if !self.decls.names.contains_key(t.name.as_str()) => {
                    if let Some(schema) = self.schema
                        && schema.table(&t.name).is_none()
                    {
                        self.unknown_table(t);
                    }
                    Some(t.name.clone())
                }
                _ => {
                    self.error(
                        Diagnostic::error(
                            "check::aggregate-table",
                            format!("`{name}` reads the rows of a table"),
                        )
                        .at(args[0].span, "not a table name")
                        .with_help(format!("write `{}`", b.usage)),
                    );
                    None
                }
            }
        } else {
            self.table_of(name, &args[0])
        };
        if let (Some(t), Some(profile), Some(schema)) = (&table, &cx.profile, self.schema)
            && t != profile
            && schema.table(t).is_some()
            && schema.table(profile).is_some()
            && schema.path_up(t, profile).is_none()
        {
            self.error(
                    Diagnostic::error("check::no-relation", format!("`{t}` has no relation to `{profile}`"))
                        .at(args[0].span, format!("cannot tell which `{t}` rows belong to each `{profile}` row"))
                        .with_help(format!(
                            "inside `profile {profile}`, an aggregate reads a table whose rows refer to `{profile}` (through a column such as `{profile}_id`)"
                        )),
                );
        }
        let inner = Cx {
            row: Some(table),
            param: false,
            ..cx.clone()
        };
        let arg_ty = if functions::takes_table(name) {
            Ty::Any
        } else {
            self.walk(&args[0], &inner)
        };
        if let Some(f) = filter {
            let ty = self.walk(f, &inner);
            self.expect(ty, Ty::Bool, f.span, "`where`");
        }
        for extra in &args[1..] {
            let ty = self.walk(extra, cx);
            self.expect(ty, Ty::Number, extra.span, &format!("`{name}`"));
        }
        match name {
            "count" | "distinct" | "share" => Ty::Number,
            "any" | "all" => Ty::Bool,
            "min" | "max" => {
                if !matches!(arg_ty, Ty::Number | Ty::Date | Ty::Any) {
                    self.expect(arg_ty, Ty::Number, args[0].span, &format!("`{name}`"));
                }
                arg_ty.join(Ty::Number)
            }
            _ => {
                if arg_ty == Ty::Bool && matches!(name, "avg" | "sum") {
                    // The share (or count) of rows where a yes/no column is
                    // true is what people mean.
                    let arg = crate::syntax::expr_to_string(&args[0]);
                    let (table, column) = arg.split_once('.').unwrap_or(("TABLE", arg.as_str()));
                    let instead = if name == "avg" {
                        format!("share({table} where {column})")
                    } else {
                        format!("count({table} where {column})")
                    };
                    self.error(
                        Diagnostic::error(
                            "check::type",
                            format!("`{name}` needs a number, found a yes/no value"),
                        )
                        .at(args[0].span, "this is a yes/no value")
                        .with_help(format!("for the rows where it is true, write `{instead}`")),
                    );
                    return Ty::Number;
                }
                self.expect(arg_ty, Ty::Number, args[0].span, &format!("`{name}`"));
                Ty::Number
            }
        }
    }

    /// The table an aggregate reads: the one whose columns its argument
    /// names (the child-most, when it also reads parent columns).
    fn table_of(&mut self, name: &str, arg: &Expr) -> Option<String> {
        let mut tables: Vec<String> = Vec::new();
        collect_tables(arg, &mut tables);
        tables.retain(|t| !self.decls.names.contains_key(t.as_str()));
        let mut unique: Vec<String> = Vec::new();
        for t in tables {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        match unique.as_slice() {
            [] => {
                self.error(
                    Diagnostic::error(
                        "check::aggregate-table",
                        format!("`{name}` needs to know which table to read"),
                    )
                    .at(arg.span, "no `table.column` here")
                    .with_help(format!(
                        "name the column with its table, e.g. `{name}(events.cost)`"
                    )),
                );
                None
            }
            [one] => Some(one.clone()),
            many => {
                let Some(schema) = self.schema else {
                    return Some(many[0].clone());
                };
                let child = child_most(many, |c, o| schema.path_up(c, o).is_some());
                match child {
                    Some(c) => Some(c.clone()),
                    None => {
                        let names: Vec<String> = many.iter().map(|t| format!("`{t}`")).collect();
                        self.error(
                            Diagnostic::error(
                                "check::no-relation",
                                format!(
                                    "`{name}` reads columns of {}, which are not related",
                                    names.join(" and ")
                                ),
                            )
                            .at(arg.span, "rows of which table?")
                            .with_help(
                                "an aggregate reads one table, plus the tables its rows refer to",
                            ),
                        );
                        None
                    }
                }
            }
        }
    }
}

/// Tables named by `table.column` in an expression, outside nested
/// aggregates (which read their own table).
pub(crate) fn collect_tables(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Column { table, .. } => out.push(table.name.clone()),
        ExprKind::Call { function, args, .. } => {
            let nested = functions::lookup(&function.name, args.len())
                .is_some_and(|b| b.kind == FnKind::Aggregate);
            if !nested {
                for a in args {
                    collect_tables(a, out);
                }
            }
        }
        ExprKind::Unary { operand, .. } => collect_tables(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_tables(lhs, out);
            collect_tables(rhs, out);
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            collect_tables(cond, out);
            collect_tables(then, out);
            collect_tables(otherwise, out);
        }
        ExprKind::List(items) => items.iter().for_each(|i| collect_tables(i, out)),
        _ => {}
    }
}

/// Of the tables an aggregate's argument reads, the one every other is
/// reachable from by references (the child-most), if there is one. The
/// checker asks it of the schema, the plan compiler of the dataset.
pub(crate) fn child_most<T: PartialEq>(
    tables: &[T],
    reaches: impl Fn(&T, &T) -> bool,
) -> Option<&T> {
    tables
        .iter()
        .find(|c| tables.iter().all(|o| o == *c || reaches(c, o)))
}

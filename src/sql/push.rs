//! Pushdown's query: the aggregates and row counts a report reads, each
//! in the period and segment it is read in, and each segment's values
//! and sizes, as one query of the shared scans `kpi sql` builds. Its rows
//! are read back as [`Pushed`] answers for the local evaluator.
//!
//! The query returns `k` (`q<i>`: question i; `s<j>`: a value of segment
//! j, with its size; `c<j>`: how many values segment j has),
//! `segment_value` (the value as text, null for the whole population),
//! `num` (a number, a yes/no as 1/0) and `txt` (a text, a date). Each
//! profile column the local part reads is a query of its own, of the
//! same columns (`p<n>`, the row's key as `segment_value`).

use std::collections::HashMap;

use super::Dialect;
pub(crate) use super::compile::Ctx;
use super::compile::{Compiler, Gap, Level, joins};
use super::types::Ty;
use crate::data::Dataset;
use crate::eval::plan::{AggFn, Plan, SegmentSource};
use crate::eval::pushed::{Asked, Place, Pushed, SegmentList};
use crate::eval::value::{Strings, Value};

/// One thing the report reads, where it reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Question {
    pub asked: Asked,
    pub ctx: Ctx,
}

/// A report's query and how to read its rows.
#[derive(Debug, Clone)]
pub struct PushQuery {
    /// The database it is written for.
    pub dialect: Dialect,
    /// The query, with a commented header.
    pub text: String,
    /// The queries of the profile columns the local part reads, one
    /// each: their rows are answers too.
    pub profile_texts: Vec<String>,
    questions: Vec<Question>,
    /// Each segment broken down, and its values' type.
    segments: Vec<(SegmentSource, Ty)>,
    /// The type of each question's answer.
    kinds: Vec<Ty>,
    /// Rows of each table whatever the period: question indexes.
    totals: Vec<usize>,
    /// Profile columns (`p<n>`): the profile, its period, its type.
    profiles: Vec<(usize, Option<crate::eval::Period>, Ty)>,
    /// The table of each profile column.
    profile_tables: Vec<usize>,
    /// Questions with no SQL, and why: computed locally.
    pub(crate) local: Vec<(Question, Gap)>,
    /// Segments whose values have no SQL, and why: listed (and their
    /// figures computed) locally.
    pub(crate) local_segments: Vec<(SegmentSource, Gap)>,
    /// Aggregates computed locally: those of `local`, and those they
    /// read.
    pub(crate) local_nodes: std::collections::HashSet<crate::eval::plan::NodeId>,
    /// The tables whose rows the local part reads (by name): the
    /// dataset must hold their rows; the others' shape is enough.
    pub rows_needed: Vec<String>,
    /// What is computed locally, and why (warnings).
    pub notes: Vec<crate::diagnostic::Diagnostic>,
}

/// One row of the query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct PushedRow {
    /// What the row answers (`q<i>`, `s<j>`, `c<j>`).
    pub k: String,
    /// The segment value, as text (null for the whole population).
    pub segment_value: Option<String>,
    /// A number, or a yes/no as 1/0.
    pub num: Option<f64>,
    /// A text, or a date as `YYYY-MM-DD`.
    pub txt: Option<String>,
}

/// The query being built: the questions, then the profile columns
/// the local part reads.
pub(crate) struct Push<'a> {
    c: Compiler<'a>,
    selects: Vec<String>,
    /// Each profile column's SELECT, in `query.profiles`' order.
    profile_selects: Vec<(usize, String)>,
    query: PushQuery,
}

impl<'a> Push<'a> {
    /// Compiles the questions; `segments` are the segment columns whose
    /// values (and sizes) the report lists, each broken down when it has
    /// at most `max_segments` values. What has no SQL is listed in the
    /// query's `local` and `local_segments`.
    pub fn new(
        plan: &'a Plan,
        data: &'a Dataset,
        strings: &'a Strings,
        dialect: Dialect,
        mut questions: Vec<Question>,
        segments: &[(SegmentSource, Option<crate::eval::Period>)],
        max_segments: usize,
    ) -> Push<'a> {
        let mut c = Compiler::new(plan, data, strings, dialect.render());
        c.rows_unknown = true;
        let whole = Ctx {
            period: None,
            members: None,
            segment: None,
        };
        let totals: Vec<usize> = (0..data.tables.len())
            .map(|t| {
                questions.push(Question {
                    asked: Asked::Rows(t),
                    ctx: whole,
                });
                questions.len() - 1
            })
            .collect();
        let mut selects = Vec::new();
        let mut local = Vec::new();
        let mut local_segments = Vec::new();
        let mut drivers: HashMap<SegmentSource, String> = HashMap::new();
        let mut types = Vec::new();
        let q = |s: &str| dialect.render().string(s);
        for (j, &(source, members)) in segments.iter().enumerate() {
            let ctx = Ctx {
                period: members,
                members,
                segment: Some(source),
            };
            match c.driver(source, ctx) {
                Ok(name) => {
                    let label = c.segment_label(source);
                    selects.push(format!(
                        "SELECT {} AS k, CAST(NULL AS {t}) AS segment_value, {} AS num, CAST(NULL AS {t}) AS txt FROM (SELECT COUNT(*) AS n FROM {name}) d",
                        q(&format!("c{j}")),
                        c.double("d.n"),
                        t = c.r.text(),
                    ));
                    selects.push(format!(
                        "SELECT {} AS k, {label} AS segment_value, {} AS num, CAST(NULL AS {t}) AS txt FROM {name} d WHERE (SELECT COUNT(*) FROM {name}) <= {max_segments}",
                        q(&format!("s{j}")),
                        c.double("d.n"),
                        t = c.r.text(),
                    ));
                    drivers.insert(source, name);
                }
                Err(gap) => local_segments.push((source, gap)),
            }
            types.push((source, c.segment_type(source)));
        }
        for (i, question) in questions.iter().enumerate() {
            match c.answer(question, &drivers, max_segments) {
                Ok(select) => selects.push(select.replacen("{k}", &q(&format!("q{i}")), 1)),
                Err(gap) => local.push((*question, gap)),
            }
        }
        let kinds = questions
            .iter()
            .map(|q| match q.asked {
                Asked::Agg(node) => c.ty(node, None),
                Asked::Rows(_) => Ty::Num,
            })
            .collect();
        Push {
            c,
            selects,
            profile_selects: Vec::new(),
            query: PushQuery {
                dialect,
                text: String::new(),
                profile_texts: Vec::new(),
                questions,
                segments: types,
                kinds,
                totals,
                profiles: Vec::new(),
                profile_tables: Vec::new(),
                local,
                local_segments,
                local_nodes: Default::default(),
                rows_needed: Vec::new(),
                notes: Vec::new(),
            },
        }
    }

    /// The query so far.
    pub fn query(&mut self) -> &mut PushQuery {
        &mut self.query
    }

    /// A profile column in a period, for the rows of its table (by key):
    /// what the local part reads of it, computed in the database. Its
    /// gap when it has no SQL, or its table no key to match its rows by.
    pub fn profile(&mut self, id: usize, period: Option<crate::eval::Period>) -> Result<(), Gap> {
        let c = &mut self.c;
        let table = c.plan.profiles[id].table;
        let ctx = Ctx {
            period,
            members: period,
            segment: None,
        };
        // Read from the table's profile CTE (a row per row of the table):
        // joined back to the table instead, DuckDB 1.5 stalls on a large
        // one (all its threads waiting, at 1 million alumni).
        let cte = c.profile_cte(id, ctx)?;
        let key = c.data.tables[table]
            .key
            .ok_or("its table has no key to match its rows by")?;
        let ty = c.ty(c.plan.profiles[id].node, Some(table));
        let (num, txt) = c.encoded(&format!("g.c{id}"), ty)?;
        let text = c.r.text();
        // The key as loading writes it, to find the row it belongs to.
        let key_text = super::source::text_of("g.k", &c.data.tables[table].columns[key].data, text);
        let select = format!(
            "SELECT {{k}} AS k, {key_text} AS segment_value, {} AS num, CAST({txt} AS {text}) AS txt FROM {cte} g",
            c.double(&num),
        );
        self.profile_selects.push((id, select));
        self.query.profiles.push((id, period, ty));
        self.query.profile_tables.push(table);
        Ok(())
    }

    /// Leaves a profile's columns out: it is computed locally.
    pub fn drop_profile(&mut self, id: usize) {
        let keep: Vec<bool> = self.query.profiles.iter().map(|(p, ..)| *p != id).collect();
        let mut at = keep.iter();
        self.query.profiles.retain(|_| *at.next().unwrap_or(&true));
        let mut at = keep.iter();
        self.query
            .profile_tables
            .retain(|_| *at.next().unwrap_or(&true));
        self.profile_selects.retain(|(p, _)| *p != id);
    }

    /// The query, with a commented header.
    pub fn finish(mut self, header: &str) -> PushQuery {
        // A query of its own for each profile column: in one query with
        // the others, DuckDB 1.5 stalls (every thread waiting) on the
        // large CTEs at 1 million alumni; each alone takes a second.
        for (n, (_, select)) in self.profile_selects.iter().enumerate() {
            let k = self.c.r.string(&format!("p{n}"));
            let select = select.replacen("{k}", &k, 1);
            self.query
                .profile_texts
                .push(super::query_text(&self.c, header, &[select]));
        }
        if self.selects.is_empty() {
            self.selects.push(format!(
                "SELECT CAST(NULL AS {t}) AS k, CAST(NULL AS {t}) AS segment_value, CAST(NULL AS {}) AS num, CAST(NULL AS {t}) AS txt FROM (SELECT 1 AS one) d WHERE 1 = 0",
                self.c.r.double(),
                t = self.c.r.text()
            ));
        }
        self.query.text = super::query_text(&self.c, header, &self.selects);
        self.query
    }
}

impl Compiler<'_> {
    /// A value as the query returns it: `num` (a number, a yes/no as
    /// 1/0) and `txt` (a text, a date).
    fn encoded(&self, value: &str, ty: Ty) -> Result<(String, String), Gap> {
        let text = self.r.text();
        Ok(match ty {
            Ty::Str | Ty::Date => ("NULL".to_string(), format!("CAST({value} AS {text})")),
            Ty::Bool => (
                format!("(CASE WHEN {value} THEN 1 WHEN NOT {value} THEN 0 END)"),
                "NULL".to_string(),
            ),
            Ty::List => return Err("a list, which SQL does not return".into()),
            Ty::Num | Ty::Unknown => (value.to_string(), "NULL".to_string()),
        })
    }

    /// A segment's values and how many population rows hold each, as a
    /// CTE of columns `v` and `n`; its name.
    fn driver(&mut self, source: SegmentSource, ctx: Ctx) -> Result<String, Gap> {
        let (v, from) = self.population_segment(source, ctx)?;
        let name = self.reserve('d');
        let sql = format!(
            "SELECT {v} AS v, COUNT(*) AS n FROM {from} WHERE {v} IS NOT NULL GROUP BY {v}"
        );
        self.ctes.push((name.clone(), sql));
        Ok(name)
    }

    /// One question's SELECT (`{k}` for its key): a row for the whole
    /// population, or one per value of its segment.
    fn answer(
        &mut self,
        question: &Question,
        drivers: &HashMap<SegmentSource, String>,
        max_segments: usize,
    ) -> Result<String, Gap> {
        let text = self.r.text();
        let (from, mut lv, label, only) = match question.ctx.segment {
            None => (
                "(SELECT 1 AS one) d".to_string(),
                Level::new(None),
                format!("CAST(NULL AS {text})"),
                String::new(),
            ),
            Some(source) => {
                let name = drivers
                    .get(&source)
                    .ok_or("a segment whose values have no SQL")?;
                (
                    format!("{name} d"),
                    Level::new(Some("d.v".into())),
                    self.segment_label(source),
                    format!(" WHERE (SELECT COUNT(*) FROM {name}) <= {max_segments}"),
                )
            }
        };
        let (value, ty) = match question.asked {
            Asked::Agg(node) => (
                self.expr(node, None, question.ctx, &mut lv)?,
                self.ty(node, None),
            ),
            Asked::Rows(table) => {
                let count = super::scan::Agg {
                    f: AggFn::Count,
                    table,
                    arg: None,
                    filter: None,
                    extra: None,
                };
                (
                    self.aggregate(&count, None, question.ctx, &mut lv)?,
                    Ty::Num,
                )
            }
        };
        let (num, txt) = self.encoded(&value, ty)?;
        Ok(format!(
            "SELECT {{k}} AS k, {label} AS segment_value, {} AS num, CAST({txt} AS {text}) AS txt FROM {from}{}{only}",
            self.double(&num),
            joins(&lv)
        ))
    }
}

impl PushQuery {
    /// Every question, answered in the database or not.
    pub(crate) fn questions_list(&self) -> &[Question] {
        &self.questions
    }

    /// How many aggregates and row counts it asks for.
    pub fn questions(&self) -> usize {
        self.questions.len()
    }

    /// The database's rows as answers. A row that cannot be read (a value
    /// of the wrong kind) is an error naming it: never a guess.
    pub fn read(
        &self,
        rows: &[PushedRow],
        data: &Dataset,
        strings: &Strings,
    ) -> Result<Pushed, String> {
        let mut lists: Vec<SegmentList> = vec![SegmentList::default(); self.segments.len()];
        let mut labels: Vec<HashMap<String, usize>> = vec![HashMap::new(); self.segments.len()];
        let index = |prefix: char, k: &str| -> Option<usize> {
            k.strip_prefix(prefix).and_then(|n| n.parse().ok())
        };
        let value_of = |ty: Ty, row: &PushedRow| -> Result<Value, String> {
            let num = row.num.filter(|n| n.is_finite());
            Ok(match ty {
                Ty::Num | Ty::Unknown => num.map_or(Value::Null, Value::Num),
                Ty::Bool => num.map_or(Value::Null, |n| Value::Bool(n != 0.0)),
                Ty::Str => row
                    .txt
                    .as_deref()
                    .map_or(Value::Null, |s| Value::Str(strings.intern(s))),
                Ty::Date => match row.txt.as_deref() {
                    None => Value::Null,
                    Some(s) => {
                        let day =
                            chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
                                .map_err(|_| format!("`{s}` is not a date ({})", row.k))?;
                        Value::Date(chrono::Datelike::num_days_from_ce(&day))
                    }
                },
                Ty::List => return Err(format!("a list ({})", row.k)),
            })
        };
        let label_value = |ty: Ty, label: &str| -> Result<Value, String> {
            Ok(match ty {
                Ty::Num => Value::Num(
                    label
                        .parse()
                        .map_err(|_| format!("segment value `{label}` is not a number"))?,
                ),
                Ty::Bool => Value::Bool(label.eq_ignore_ascii_case("true") || label == "1"),
                Ty::Date => value_of(
                    Ty::Date,
                    &PushedRow {
                        k: "segment".into(),
                        segment_value: None,
                        num: None,
                        txt: Some(label.to_string()),
                    },
                )?,
                _ => Value::Str(strings.intern(label)),
            })
        };
        // The segments' values first: the answers per value refer to them.
        for row in rows {
            if let Some(j) = index('c', &row.k).filter(|&j| j < lists.len()) {
                lists[j].count = row.num.unwrap_or(0.0) as usize;
            }
            if let Some(j) = index('s', &row.k).filter(|&j| j < lists.len()) {
                let label = row
                    .segment_value
                    .clone()
                    .ok_or(format!("a value of segment {j} is null"))?;
                labels[j].insert(label.clone(), lists[j].values.len());
                lists[j]
                    .values
                    .push(label_value(self.segments[j].1, &label)?);
                lists[j].sizes.push(row.num.unwrap_or(0.0) as usize);
            }
        }
        let mut totals = vec![0; self.totals.len()];
        let mut pushed = Pushed::default();
        let mut columns: Vec<HashMap<String, Value>> = vec![HashMap::new(); self.profiles.len()];
        for row in rows {
            if let Some(n) = index('p', &row.k).filter(|&n| n < columns.len()) {
                let key = row
                    .segment_value
                    .clone()
                    .ok_or(format!("{}: a row without its key", row.k))?;
                columns[n].insert(key, value_of(self.profiles[n].2, row)?);
                continue;
            }
            let Some(i) = index('q', &row.k).filter(|&i| i < self.questions.len()) else {
                continue;
            };
            let question = &self.questions[i];
            let value = value_of(self.kinds[i], row)?;
            let segment = match (question.ctx.segment, &row.segment_value) {
                (None, _) => None,
                (Some(source), Some(label)) => {
                    let j = self.segments.iter().position(|(s, _)| *s == source);
                    let Some(at) = j.and_then(|j| labels[j].get(label)) else {
                        continue;
                    };
                    Some((source, question.ctx.members, *at))
                }
                (Some(_), None) => {
                    return Err(format!("{}: a segment row without its value", row.k));
                }
            };
            if let Some(t) = self.totals.iter().position(|&q| q == i) {
                totals[t] = row.num.unwrap_or(0.0) as usize;
            }
            let place = Place {
                period: question.ctx.period,
                segment,
            };
            pushed.answer(question.asked, place, value);
        }
        pushed.totals = totals;
        // Each profile column in its table's row order, matched by key.
        for (n, by_key) in columns.into_iter().enumerate() {
            let (id, period, _) = self.profiles[n];
            let plan_table = &data.tables[self.profile_tables[n]];
            let key = plan_table.key.ok_or("a profile of a table without a key")?;
            let values = (0..plan_table.len)
                .map(|r| {
                    let k =
                        crate::data::keys::cell_text(&plan_table.columns[key].data, r, &data.pool);
                    by_key.get(&k).cloned().ok_or(format!(
                        "profile column of `{}` row `{k}` was not returned",
                        plan_table.name
                    ))
                })
                .collect::<Result<Vec<Value>, String>>()?;
            pushed.set_profile(id, period, crate::eval::value::Col::from_values(values));
        }
        pushed.local_nodes = self.local_nodes.clone();
        pushed.local_segments = self.local_segments.iter().map(|(s, _)| *s).collect();
        pushed.local_questions = self
            .local
            .iter()
            .map(|(q, _)| {
                let members = q.ctx.segment.and(q.ctx.members);
                (q.asked, (q.ctx.period, members, q.ctx.segment))
            })
            .collect();
        for (j, list) in lists.into_iter().enumerate() {
            // A segment listed here is not the database's to list.
            let source = self.segments[j].0;
            if !pushed.local_segments.contains(&source) {
                pushed.set_segment(source, list);
            }
        }
        Ok(pushed)
    }
}

//! Report assembly: from the evaluated values of a compiled scoring to
//! the report (overall, objectives, indicators, segments, peers, explain,
//! notes). Compiling and what-ifs are `engine`'s; this stage reads.

use super::*;

impl<'a> Scoring<'a> {
    /// Scores everything: overall, per objective, per indicator, per segment.
    pub fn report(&self) -> Report {
        // Never stopped: a report is always given.
        crate::eval::on_pool(|| self.report_here(&Stop::never()))
            .expect("a report without limits is never given up")
    }

    /// The report, or `None` once `stop` says to give it up.
    pub(crate) fn report_within(&self, stop: &Stop) -> Option<Report> {
        crate::eval::on_pool(|| self.report_here(stop))
    }

    fn report_here(&self, stop: &Stop) -> Option<Report> {
        let inputs = self.inputs();
        let env = Arc::new(Env::new(&inputs, self.period, None));
        let earlier = self.earlier_envs(&env);
        // Every period of the trend at once, oldest first and this one
        // last: while a core waits for a column another computes, it
        // takes up another period's work.
        let periods: Vec<&Env<'_>> = earlier.iter().map(|e| &**e).chain([&*env]).collect();
        // Under pushdown, the profiles the local part reads are the
        // database's, or computed when read.
        if !self.is_pushed() {
            Env::profiles_in_parallel(&periods, &|| stop.stopped());
        }
        if stop.stopped() {
            return None;
        }
        // Segment columns are numbered first, so that each aggregate's
        // rows are reduced for every segment in the same pass.
        self.c.plan.segments.par_iter().for_each(|(_, source)| {
            if !stop.stopped() {
                env.segment_groups(*source);
            }
        });
        // Indicators in parallel: the environments' caches compute each
        // shared piece (a profile column, an aggregate) once.
        let count = self.c.plan.indicators.len();
        let jobs: Vec<(usize, usize)> = (0..periods.len())
            .flat_map(|k| (0..count).map(move |i| (k, i)))
            .collect();
        let mut done: Vec<Figures> = jobs
            .par_iter()
            .map(|&(k, i)| (!stop.stopped()).then(|| self.figures(periods[k], i)))
            .collect::<Option<_>>()?;
        let figures = done.split_off(earlier.len() * count);
        // One list per earlier period (empty ones too: no indicators).
        let past: Vec<Vec<Figures>> = (0..earlier.len())
            .map(|_| done.drain(..count).collect())
            .collect();
        let mut segment_notes = Vec::new();
        let segments = self.segments(&env, &mut segment_notes);
        if stop.stopped() {
            return None;
        }

        let past_totals: Vec<Totals> = earlier
            .iter()
            .zip(&past)
            .map(|(e, f)| self.totals(e, f))
            .collect();

        let totals = self.totals(&env, &figures);
        let mut diagnostics: Vec<Diagnostic> = self.notes.clone();
        diagnostics.extend(segment_notes);
        let trend_of = |score: &dyn Fn(&Totals) -> Option<f64>| -> Vec<TrendScore> {
            if earlier.is_empty() {
                return Vec::new();
            }
            earlier
                .iter()
                .zip(&past_totals)
                .map(|(e, t)| (e.period(), t))
                .chain(std::iter::once((self.period, &totals)))
                .filter_map(|(p, t)| {
                    let (from, to) = iso_period(p?)?;
                    Some(TrendScore {
                        from,
                        to,
                        score: score(t),
                    })
                })
                .collect()
        };
        let mut objectives = Vec::new();
        for (o, objective) in self.c.decls.objectives.iter().enumerate() {
            let members: Vec<usize> = (0..self.c.plan.indicators.len())
                .filter(|&i| self.c.plan.indicators[i].objective == o)
                .collect();
            let (score, coverage, covered) = totals.objectives[o];
            let indicators = members
                .iter()
                .map(|&i| {
                    let mut report =
                        self.indicator_report(&env, i, &figures[i], &segments, covered);
                    self.add_trend(&mut report, &earlier, &past, i, &figures[i]);
                    report
                })
                .collect();
            objectives.push(ObjectiveReport {
                id: objective.id.name.clone(),
                title: objective.title.as_ref().map(|t| t.value.clone()),
                weight: self.weights.objectives[o],
                score,
                coverage,
                trend: trend_of(&|t: &Totals| t.objectives[o].0),
                indicators,
            });
        }
        // Shown by `order`, lowest first; those without one after, as
        // written (a stable sort).
        let order = |o: &ObjectiveReport| {
            self.c
                .decls
                .objectives
                .iter()
                .find(|d| d.id.name == o.id)
                .and_then(|d| d.fields().find(|f| f.name.name == "order").cloned())
                .and_then(|f| check::constant_number(&f.value))
                .unwrap_or(f64::INFINITY)
        };
        objectives.sort_by(|a, b| order(a).total_cmp(&order(b)));
        if totals.empty {
            diagnostics.push(self.empty_period_note(self.period, false));
        }
        for (e, t) in earlier.iter().zip(&past_totals) {
            if t.empty {
                diagnostics.push(self.empty_period_note(e.period(), true));
            }
        }
        let (score, coverage) = (totals.score, totals.coverage);
        let trend = trend_of(&|t: &Totals| t.score);
        diagnostics.extend(inputs.problems());
        for (i, f) in figures.iter().enumerate() {
            if f.value.is_null() && f.status != Status::Failed {
                let ind = &self.c.plan.indicators[i];
                let span = self.c.decls.indicators[i].indicator.id.span;
                diagnostics.push(
                    Diagnostic::warning(
                        "score::no-data",
                        format!(
                            "`{}` has no data: left out of its objective's score",
                            ind.id
                        ),
                    )
                    .fr(format!(
                        "`{}` n'a pas de données : il ne compte pas dans le score de son objectif",
                        ind.id
                    ))
                    .at(span, "null value"),
                );
            }
        }
        Some(Report {
            format: FORMAT.into(),
            scorecard: self.scorecard_title(),
            period: self.period.and_then(|(from, to)| {
                Some(PeriodOut {
                    from: date_of(from)?.to_string(),
                    to: date_of(to)?.to_string(),
                })
            }),
            score,
            coverage,
            trend,
            revision: self.revision(),
            rows: self
                .data
                .tables
                .keys()
                .enumerate()
                .map(|(t, n)| (n.clone(), self.table_rows(t)))
                .collect(),
            in_period: (0..self.data.tables.len())
                .map(|t| (self.data.tables[t].name.clone(), env.rows_counted(t, false)))
                .collect(),
            skipped_rows: self
                .data
                .skipped
                .iter()
                .map(|s| (s.table.clone(), s.rows))
                .collect(),
            params: self
                .c
                .decls
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        p.name.name.clone(),
                        self.json_value(&env.decl(DeclId::Param(i))),
                    )
                })
                .collect(),
            dataset: self
                .data
                .tables
                .iter()
                .enumerate()
                .map(|(i, (n, t))| {
                    let mut table = DatasetTable::from(&*t.info);
                    table.rows = self.table_rows(i);
                    (n.clone(), table)
                })
                .collect(),
            min_group: prepare::min_group(&self.c.decls),
            objectives,
            diagnostics: diagnostics
                .iter()
                .map(|d| ReportDiagnostic::from(d, &self.rules.sources))
                .collect(),
        })
    }

    /// The environments of the trend's earlier periods, oldest first: each
    /// the previous period's environment of the next, so that what
    /// `prior(..)` computed of a period is computed once for both.
    pub(super) fn earlier_envs<'e>(&self, env: &Arc<Env<'e>>) -> Vec<Arc<Env<'e>>> {
        let mut earlier = Vec::new();
        let mut last = env.clone();
        for _ in 1..self.periods {
            let Some(prior) = last.prior_env().cloned() else {
                break;
            };
            earlier.push(prior.clone());
            last = prior;
        }
        earlier.reverse();
        earlier
    }

    /// The objective and overall scores of one period's figures. A period
    /// in which no flow table has a row has no activity to score: no
    /// headline, rather than a plausible one from stocks.
    fn totals(&self, env: &Env<'_>, figures: &[Figures]) -> Totals {
        let mut objectives = Vec::new();
        for o in 0..self.c.decls.objectives.len() {
            let scored: Vec<(f64, Option<f64>)> = (0..self.c.plan.indicators.len())
                .filter(|&i| self.c.plan.indicators[i].objective == o)
                .map(|i| (self.weights.indicators[i], figures[i].score))
                .collect();
            let (score, coverage) = weighted_mean(&scored);
            let covered: f64 = scored
                .iter()
                .filter(|(_, s)| s.is_some())
                .map(|(w, _)| w)
                .sum();
            objectives.push((score, coverage, covered));
        }
        let weighted: Vec<(f64, Option<f64>)> = objectives
            .iter()
            .enumerate()
            .map(|(o, (s, _, _))| (self.weights.objectives[o], *s))
            .collect();
        let (score, _) = weighted_mean(&weighted);
        let total: f64 = self.weights.objectives.iter().sum();
        let coverage = if total > 0.0 {
            let covered: f64 = objectives
                .iter()
                .enumerate()
                .map(|(o, (_, c, _))| self.weights.objectives[o] * c)
                .sum();
            crate::score::tidy(covered / total)
        } else {
            0.0
        };
        let flows: Vec<usize> = (0..self.data.tables.len())
            .filter(|&t| self.data.tables[t].date.is_some())
            .collect();
        let empty = env.period().is_some()
            && !flows.is_empty()
            && flows.iter().all(|&t| env.rows_counted(t, false) == 0);
        if empty {
            for o in &mut objectives {
                o.0 = None;
            }
            return Totals {
                objectives,
                score: None,
                coverage: 0.0,
                empty,
            };
        }
        Totals {
            objectives,
            score,
            coverage,
            empty,
        }
    }

    /// Says that no dated row falls in a period (this one, or an earlier
    /// one of the trend).
    fn empty_period_note(&self, period: Option<Period>, earlier: bool) -> Diagnostic {
        let (from, to) = period.and_then(iso_period).unwrap_or_default();
        let tables = (0..self.data.tables.len())
            .filter(|&t| self.data.tables[t].date.is_some())
            .map(|t| format!("`{}`", self.data.tables[t].name))
            .collect::<Vec<_>>()
            .join(", ");
        if earlier {
            return Diagnostic::warning(
                "score::empty-trend-period",
                format!(
                    "no row of any dated table ({tables}) falls in the earlier period {from} .. {to}: its trend figures are null"
                ),
            )
            .fr(format!(
                "aucune ligne des tables datées ({tables}) ne tombe dans la période antérieure du {from} au {to} : ses chiffres de tendance sont nuls"
            ))
            .with_help("the data may start later: ask for fewer periods with `--periods` or the scorecard's `trend`");
        }
        Diagnostic::warning(
            "score::empty-period",
            format!(
                "no row of any dated table ({tables}) falls in the period {from} .. {to}: no overall or objective score is given"
            ),
        )
        .fr(format!(
            "aucune ligne des tables datées ({tables}) ne tombe dans la période du {from} au {to} : pas de score global ni par objectif"
        ))
        .with_help("check `--period` or the scorecard's `period`, and the dates of the data")
    }

    /// An indicator's trend, previous figures and change, from the
    /// figures of the earlier periods (oldest first) and of this one.
    fn add_trend(
        &self,
        report: &mut IndicatorReport,
        earlier: &[Arc<Env<'_>>],
        past: &[Vec<Figures>],
        i: usize,
        now: &Figures,
    ) {
        if earlier.is_empty() {
            return;
        }
        let point = |p: Option<Period>, f: &Figures| {
            let (from, to) = iso_period(p?)?;
            Some(TrendFigure {
                from,
                to,
                value: f.value.as_num(),
                target: f.target.as_num(),
                score: f.score,
                status: f.status,
            })
        };
        report.trend = earlier
            .iter()
            .zip(past)
            .filter_map(|(e, f)| point(e.period(), &f[i]))
            .chain(point(self.period, now))
            .collect();
        let before = &past[past.len() - 1][i];
        let minus = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
        report.previous = Some(Change {
            value: before.value.as_num(),
            score: before.score,
        });
        report.change = Some(Change {
            value: minus(now.value.as_num(), before.value.as_num()),
            score: minus(now.score, before.score),
        });
    }

    /// Value, target, score and status of indicator `i` in an environment.
    pub(super) fn figures(&self, env: &Env<'_>, i: usize) -> Figures {
        let ind = &self.c.plan.indicators[i];
        let value = env.decl(DeclId::Indicator(i));
        let target = env.target(i);
        let custom = ind.score.map(|s| env.scalar(s));
        let score = indicator_score(&value, &target, custom);
        let (status, reason) = self.status(env, i, &value, score);
        // What failed to evaluate gives no figure, whatever it produced.
        let score = score.filter(|_| status != Status::Failed);
        Figures {
            score,
            value,
            target,
            status,
            reason,
        }
    }

    /// Figures per segment column, per value, per indicator.
    pub(super) fn segments(
        &self,
        base: &Arc<Env<'_>>,
        notes: &mut Vec<Diagnostic>,
    ) -> Vec<SegmentFigures> {
        let mut out = Vec::new();
        for (name, source) in &self.c.plan.segments {
            let mut per_value = Vec::new();
            let values = self.segment_values(base, *source);
            // Under pushdown the database lists the values only when they
            // are few enough, and says how many there are.
            let count = base.segment_count(*source).unwrap_or(values.len());
            // A data column was checked before scoring; a profile column's
            // values are known only now.
            if count > self.c.max_segments {
                let d = Diagnostic::warning(
                    "check::segments",
                    format!(
                        "segment `{name}` has {} distinct values (at most {}): not broken down",
                        count,
                        self.c.max_segments
                    ),
                )
                .fr(format!(
                    "le segment `{name}` a {} valeurs distinctes (au plus {}) : pas de détail par valeur",
                    count,
                    self.c.max_segments
                ))
                .with_help("raise `max_segment_values` in the scorecard to break it down");
                notes.push(match prepare::segment_span(&self.c.decls, name) {
                    Some(span) => d.at(span, "too many values"),
                    None => d,
                });
                continue;
            }
            for (label, value) in values {
                let env = Env::segmented(base, (*source, value));
                let figures = (0..self.c.plan.indicators.len())
                    .map(|i| {
                        // Only what the report shows: a figure it does not
                        // show is never read (and pushdown never asks it).
                        if !self.broken_down(i, name) {
                            return Figures::not_shown();
                        }
                        self.figures(&env, i)
                    })
                    .collect();
                per_value.push((label, figures, env.segment_size()));
            }
            out.push(SegmentFigures {
                column: name.clone(),
                values: per_value,
            });
        }
        out
    }

    /// The distinct non-null values of a segment column of the population,
    /// labelled and in label order.
    pub(super) fn segment_values(
        &self,
        base: &Env<'_>,
        source: plan::SegmentSource,
    ) -> Vec<(String, Value)> {
        let mut values: Vec<(String, Value)> = base
            .segment_values(source)
            .into_iter()
            .map(|v| (self.label(&v), v))
            .collect();
        values.sort_by(|a, b| a.0.cmp(&b.0));
        values
    }

    pub(super) fn indicator_report(
        &self,
        env: &Env<'_>,
        i: usize,
        figures: &Figures,
        segments: &[SegmentFigures],
        covered_weight: f64,
    ) -> IndicatorReport {
        let ind = &self.c.plan.indicators[i];
        let syntax = self.c.decls.indicators[i].indicator;
        let text = |name: &str| match field(&syntax.fields, name).map(|f| &f.value.kind) {
            Some(ExprKind::String(s)) => Some(s.clone()),
            _ => None,
        };
        let tags = match field(&syntax.fields, "tags").map(|f| &f.value.kind) {
            Some(ExprKind::List(items)) => items
                .iter()
                .filter_map(|t| match &t.kind {
                    ExprKind::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let unsegmentable = self.unsegmentable(i);
        let (segment_cells, segments_note) = if segments.is_empty() {
            (IndexMap::new(), None)
        } else if !unsegmentable.is_empty() {
            let pop = self
                .c
                .plan
                .population
                .and_then(|p| self.data.tables.get_index(p))
                .map_or("", |(n, _)| n.as_str());
            let note = NotSegmented {
                tables: unsegmentable,
                population: pop.to_string(),
            };
            (IndexMap::new(), Some(note))
        } else {
            let cells = segments
                .iter()
                .filter(|s| shown_by(syntax, &s.column))
                .map(|s| {
                    let per: IndexMap<String, SegmentCell> = s
                        .values
                        .iter()
                        .map(|(label, figs, n)| {
                            (
                                label.clone(),
                                SegmentCell {
                                    value: figs[i].value.as_num(),
                                    target: figs[i].target.as_num(),
                                    score: figs[i].score,
                                    n: *n,
                                    status: figs[i].status,
                                },
                            )
                        })
                        .collect();
                    (s.column.clone(), per)
                })
                .collect();
            (cells, None)
        };
        let peers = self.c.peers.position(
            &ind.id,
            figures.value.as_num(),
            ind.lower_is_better,
            env.period(),
        );
        let share = (covered_weight > 0.0 && figures.score.is_some())
            .then(|| self.weights.indicators[i] / covered_weight);
        let explain = self.explain.then(|| self.explain(env, i, figures, share));
        let written =
            |name: &str| field(&syntax.fields, name).map(|f| syntax::expr_to_string(&f.value));
        let formula = Formula {
            value: written("value").unwrap_or_default(),
            target: written("target"),
            score: written("score").unwrap_or_else(|| "linear(0, target)".into()),
        };
        IndicatorReport {
            formula,
            id: ind.id.clone(),
            title: syntax.title.as_ref().map(|t| t.value.clone()),
            description: text("description"),
            value: figures.value.as_num(),
            target: figures.target.as_num(),
            score: figures.score,
            weight: self.weights.indicators[i],
            unit: text("unit"),
            tags,
            status: figures.status,
            reason: figures.reason.clone(),
            trend: Vec::new(),
            previous: None,
            change: None,
            segments: segment_cells,
            segments_note,
            peers,
            explain,
        }
    }

    /// The tables indicator `i` reads that have no path to the
    /// population: it cannot be broken down by segment.
    pub(super) fn unsegmentable(&self, i: usize) -> Vec<String> {
        let ind = &self.c.plan.indicators[i];
        self.c
            .plan
            .population
            .map(|pop| {
                ind.tables
                    .iter()
                    .filter(|&&t| path_to(self.data, t, pop).is_none())
                    .filter_map(|&t| self.data.tables.get_index(t).map(|(n, _)| n.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the report breaks indicator `i` down by segment `column`.
    pub(super) fn broken_down(&self, i: usize, column: &str) -> bool {
        self.unsegmentable(i).is_empty() && shown_by(self.c.decls.indicators[i].indicator, column)
    }

    /// A value as text, for the trace and segment labels.
    pub(super) fn label(&self, v: &Value) -> String {
        match v {
            Value::Null => "null".to_string(),
            Value::Num(n) => syntax::number(*n),
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => self.c.strings.text(*s).to_string(),
            Value::Date(d) => date_of(*d).map(|d| d.to_string()).unwrap_or_default(),
            Value::List(items) => items
                .iter()
                .map(|s| self.c.strings.text(*s).to_string())
                .collect::<Vec<_>>()
                .join(";"),
        }
    }

    pub(super) fn json_value(&self, v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                serde_json::Value::from(*n as i64)
            }
            Value::Num(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            other => serde_json::Value::String(self.label(other)),
        }
    }

    /// The scorecard's title, `{period}` filled in.
    pub(super) fn scorecard_title(&self) -> String {
        let period = self
            .period
            .and_then(|(from, to)| Some((date_of(from)?, date_of(to)?)));
        self.c
            .decls
            .scorecards
            .first()
            .and_then(|(s, _)| s.title.as_ref())
            .map(|t| title::fill(&t.value, period))
            .unwrap_or_default()
    }

    /// A hash of what was scored: the rules (canonical, whatever their
    /// format, files and comments), the plugins, the `--set` values and the
    /// period.
    pub(super) fn revision(&self) -> String {
        let mut h = self.c.rules_hash.clone();
        for (name, v) in &self.c.overrides {
            h.update(format!("set {name}={}\n", self.label(v)).as_bytes());
        }
        if let Some((from, to)) = self.period {
            h.update(format!("period {from}..{to}").as_bytes());
        }
        // Weights changed by a what-if.
        for (target, w) in &self.reweighed {
            let name = match *target {
                Weighed::Objective(o) => {
                    format!("objective {}", self.c.decls.objectives[o].id.name)
                }
                Weighed::Indicator(i) => format!("indicator {}", self.c.plan.indicators[i].id),
            };
            h.update(format!("weight {name}={}\n", syntax::number(*w)).as_bytes());
        }
        let digest = h.finalize();
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// A period's objective scores (score, coverage, weight scored) and
/// overall score and coverage.
struct Totals {
    objectives: Vec<(Option<f64>, f64, f64)>,
    score: Option<f64>,
    coverage: f64,
    /// No dated row falls in the period.
    empty: bool,
}

/// A period as ISO days.
pub(super) fn iso_period((from, to): Period) -> Option<(String, String)> {
    Some((date_of(from)?.to_string(), date_of(to)?.to_string()))
}

pub(super) struct Figures {
    pub(super) value: Value,
    pub(super) target: Value,
    pub(super) score: Option<f64>,
    pub(super) status: Status,
    pub(super) reason: Option<Reason>,
}

impl Figures {
    /// The figures of a segment the report does not break an indicator
    /// down by (never read).
    fn not_shown() -> Figures {
        Figures {
            value: Value::Null,
            target: Value::Null,
            score: None,
            status: Status::NoData,
            reason: None,
        }
    }
}

pub(super) struct SegmentFigures {
    column: String,
    /// Each value's label, indicator figures and population rows.
    values: Vec<(String, Vec<Figures>, usize)>,
}

/// Whether indicator `syntax` is shown cut by segment `column`: its
/// `segments` field (`false`, or the columns it lists) allows it, and its
/// value and target do not read the column themselves (a share of leaders
/// cut by tier is 100 % or 0 %: no finding).
fn shown_by(syntax: &ast::Indicator, column: &str) -> bool {
    let allowed = match field(&syntax.fields, "segments").map(|f| &f.value.kind) {
        None => true,
        Some(ExprKind::List(items)) => items
            .iter()
            .any(|i| matches!(&i.kind, ExprKind::Name(n) if n.name == column)),
        Some(_) => false,
    };
    let reads = ["value", "target"].iter().any(|name| {
        field(&syntax.fields, name).is_some_and(|f| {
            let text = syntax::expr_to_string(&f.value);
            // Words outside quoted text.
            let unquoted: String = text
                .split('"')
                .enumerate()
                .filter(|(k, _)| k % 2 == 0)
                .map(|(_, part)| part)
                .collect::<Vec<_>>()
                .join(" ");
            unquoted
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == column)
        })
    });
    allowed && !reads
}

//! A diff for people: the terminal's text and Markdown.

use std::fmt::Write as _;

use super::{Diff, IndicatorMove};
use crate::report::Lang;
use crate::report::format::{colon, score, score_change};
use crate::report::markdown::cell;

/// The diff's own words.
struct Words {
    title: &'static str,
    moved: &'static str,
    points: &'static str,
    rules: &'static str,
    added: &'static str,
    removed: &'static str,
    params: &'static str,
    profiles: &'static str,
    rows_changed: &'static str,
    nothing: &'static str,
    new_columns: &'static str,
    old_columns: &'static str,
    contribution: &'static str,
    more: &'static str,
    no_row: &'static str,
}

const EN: Words = Words {
    title: "Changes",
    moved: "What moved the overall score",
    points: "points",
    rules: "Rules changed",
    added: "added",
    removed: "removed",
    params: "Params changed",
    profiles: "Profile columns",
    rows_changed: "row(s) changed",
    nothing: "nothing changed",
    new_columns: "new columns",
    old_columns: "columns removed",
    contribution: "Points of the change",
    more: "more that moved it less (all of them in `--format json`)",
    no_row: "no row changed",
};

const FR: Words = Words {
    title: "Évolutions",
    moved: "Ce qui a fait varier le score global",
    points: "points",
    rules: "Règles modifiées",
    added: "ajouté",
    removed: "retiré",
    params: "Paramètres modifiés",
    profiles: "Colonnes de profil",
    rows_changed: "ligne(s) modifiée(s)",
    nothing: "aucun changement",
    new_columns: "nouvelles colonnes",
    old_columns: "colonnes retirées",
    contribution: "Points de l'évolution",
    more: "autres, de moindre effet (tous dans `--format json`)",
    no_row: "aucune ligne modifiée",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// `68 → 80.2 (+12.2)`.
fn moved(old: Option<f64>, new: Option<f64>, lang: Lang) -> String {
    let l = lang.labels();
    format!(
        "{} → {} ({})",
        score(old, lang, l),
        score(new, lang, l),
        score_change(old.zip(new).map(|(o, n)| n - o), lang)
    )
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        serde_json::Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), crate::syntax::number),
        other => other.to_string(),
    }
}

/// The most that people are shown of a long list; JSON has them all.
const SHOWN: usize = 10;

fn indicator_scores(i: &IndicatorMove, lang: Lang) -> String {
    let l = lang.labels();
    format!(
        "{} {} → {}",
        l.score.to_lowercase(),
        score(i.old.and_then(|s| s.score), lang, l),
        score(i.new.and_then(|s| s.score), lang, l)
    )
}

pub(super) fn text(diff: &Diff, lang: Lang) -> String {
    let (l, w, c) = (lang.labels(), words(lang), colon(lang));
    let mut out = String::new();
    let _ = writeln!(out, "{}{c}{}", w.title, diff.scorecard.new);
    let _ = writeln!(
        out,
        "{}{c}{}",
        l.overall,
        moved(diff.score.old, diff.score.new, lang)
    );
    if diff.period.old != diff.period.new {
        let p = |p: &Option<String>| p.clone().unwrap_or_else(|| "—".into());
        let _ = writeln!(
            out,
            "{}{c}{} → {}",
            l.period,
            p(&diff.period.old),
            p(&diff.period.new)
        );
    }
    let _ = writeln!(out, "\n{}", l.objectives);
    for o in &diff.objectives {
        let _ = writeln!(
            out,
            "  {:<44} {}",
            o.title.as_deref().unwrap_or(&o.id),
            moved(o.old, o.new, lang)
        );
    }
    let movers = diff.movers();
    let _ = writeln!(out, "\n{} ({})", w.moved, w.points);
    if movers.is_empty() {
        let _ = writeln!(out, "  {}", w.nothing);
    }
    let more = movers.len().saturating_sub(SHOWN);
    for i in movers.into_iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "  {:<44} {:>7}   {}",
            i.title.as_deref().unwrap_or(&i.id),
            score_change(Some(i.contribution), lang),
            indicator_scores(i, lang)
        );
    }
    if more > 0 {
        let _ = writeln!(out, "  … {more} {}", w.more);
    }
    let r = &diff.rules;
    if !(r.added.is_empty() && r.removed.is_empty() && r.changed.is_empty()) {
        let _ = writeln!(out, "\n{}", w.rules);
        for id in &r.added {
            let _ = writeln!(out, "  + {id} ({})", w.added);
        }
        for id in &r.removed {
            let _ = writeln!(out, "  − {id} ({})", w.removed);
        }
        for f in &r.changed {
            let _ = writeln!(
                out,
                "  ~ {}.{}{c}{} → {}",
                f.id,
                f.field,
                json_text(&f.old),
                json_text(&f.new)
            );
        }
    }
    if !diff.params.is_empty() {
        let _ = writeln!(out, "\n{}", w.params);
        for p in &diff.params {
            let _ = writeln!(
                out,
                "  {}{c}{} → {}",
                p.name,
                json_text(&p.old),
                json_text(&p.new)
            );
        }
    }
    if let Some(p) = &diff.profiles {
        let _ = writeln!(out, "\n{} ({}, {} {})", w.profiles, p.table, p.rows, l.rows);
        if p.columns.iter().all(|col| col.changed == 0) {
            let _ = writeln!(out, "  {}", w.no_row);
        }
        for col in p.columns.iter().filter(|col| col.changed > 0) {
            let _ = writeln!(out, "  {}{c}{} {}", col.name, col.changed, w.rows_changed);
            for t in &col.transitions {
                let _ = writeln!(
                    out,
                    "    {} → {}{c}{}",
                    json_text(&t.from),
                    json_text(&t.to),
                    t.count
                );
            }
        }
        if !p.added.is_empty() {
            let _ = writeln!(out, "  {}{c}{}", w.new_columns, p.added.join(", "));
        }
        if !p.removed.is_empty() {
            let _ = writeln!(out, "  {}{c}{}", w.old_columns, p.removed.join(", "));
        }
    }
    out
}

pub(super) fn markdown(diff: &Diff, lang: Lang) -> String {
    let (l, w, c) = (lang.labels(), words(lang), colon(lang));
    let mut out = String::new();
    let _ = writeln!(out, "# {}{c}{}\n", w.title, cell(&diff.scorecard.new));
    let _ = writeln!(
        out,
        "**{}{c}{}**\n",
        l.overall,
        moved(diff.score.old, diff.score.new, lang)
    );
    let _ = writeln!(out, "## {}\n", l.objectives);
    let _ = writeln!(out, "| {} | {} |\n|---|---:|", l.objective, l.score);
    for o in &diff.objectives {
        let _ = writeln!(
            out,
            "| {} | {} |",
            cell(o.title.as_deref().unwrap_or(&o.id)),
            moved(o.old, o.new, lang)
        );
    }
    let _ = writeln!(out, "\n## {} ({})\n", w.moved, w.points);
    let _ = writeln!(
        out,
        "| {} | {} | {} |\n|---|---:|---:|",
        l.indicator, w.contribution, l.score
    );
    for i in diff.movers() {
        let _ = writeln!(
            out,
            "| {} | {} | {} → {} |",
            cell(i.title.as_deref().unwrap_or(&i.id)),
            score_change(Some(i.contribution), lang),
            score(i.old.and_then(|s| s.score), lang, l),
            score(i.new.and_then(|s| s.score), lang, l)
        );
    }
    let r = &diff.rules;
    if !(r.added.is_empty() && r.removed.is_empty() && r.changed.is_empty()) {
        let _ = writeln!(out, "\n## {}\n", w.rules);
        for id in &r.added {
            let _ = writeln!(out, "- `{id}` {}", w.added);
        }
        for id in &r.removed {
            let _ = writeln!(out, "- `{id}` {}", w.removed);
        }
        for f in &r.changed {
            let _ = writeln!(
                out,
                "- `{}` {}{c}{} → {}",
                f.id,
                f.field,
                cell(&json_text(&f.old)),
                cell(&json_text(&f.new))
            );
        }
    }
    if !diff.params.is_empty() {
        let _ = writeln!(out, "\n## {}\n", w.params);
        for p in &diff.params {
            let _ = writeln!(
                out,
                "- `{}`{c}{} → {}",
                p.name,
                cell(&json_text(&p.old)),
                cell(&json_text(&p.new))
            );
        }
    }
    if let Some(p) = &diff.profiles {
        let _ = writeln!(
            out,
            "\n## {} ({}, {} {})\n",
            w.profiles,
            cell(&p.table),
            p.rows,
            l.rows
        );
        if p.columns.iter().all(|col| col.changed == 0) {
            let _ = writeln!(out, "{}", w.no_row);
        }
        for col in p.columns.iter().filter(|col| col.changed > 0) {
            let _ = writeln!(out, "- `{}`{c}{} {}", col.name, col.changed, w.rows_changed);
            for t in &col.transitions {
                let _ = writeln!(
                    out,
                    "  - {} → {}{c}{}",
                    cell(&json_text(&t.from)),
                    cell(&json_text(&t.to)),
                    t.count
                );
            }
        }
    }
    out
}

//! The generated corpus of the differential tests: rule sets built from
//! choices of building blocks, and small datasets with nulls, dangling
//! references, list columns and stock rows.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;

const CONDITIONS: &[&str] = &[
    "attended",
    "not attended",
    "satisfaction >= 3",
    "attended and satisfaction > 2",
    "alumni.faculty == \"Law\"",
    "events.kind == \"gala\"",
    "alumni.member or attended",
    "date >= 2026-01-01",
    "alumni.attended > 0",
    "events.turnout >= 2",
    "satisfaction in [\"3\", \"4\"]",
    "coalesce(satisfaction, 0) < 4",
    "alumni.faculty in [\"Law\", \"Arts\"] or events.kind != \"gala\"",
    "not (attended or alumni.member)",
    "\"a\" in alumni.tags or contains(alumni.tags, \"c\")",
    "len(alumni.tags) >= 1 and (if attended then satisfaction else 0) >= 2",
];

const AGGREGATES: &[&str] = &[
    "count(participations where {c})",
    "sum(contributions.amount where kind == \"money\")",
    "avg(participations.satisfaction where {c})",
    "min(participations.satisfaction)",
    "max(alumni.score)",
    "median(alumni.score)",
    "percentile(participations.satisfaction where {c}, 75%)",
    "distinct(participations.alumni_id where {c})",
    "share(alumni where member)",
    "if any(alumni where attended > 1) then 1 else 0",
    "if all(participations where attended) then 1 else 0",
    "sum(alumni.given) / count(alumni)",
    "count(alumni where band == \"high\")",
    "avg(events.turnout)",
    "sum(participations.satisfaction * events.cost where {c})",
    "count(contributions where alumni.band == \"low\")",
    "count(alumni where \"b\" in tags)",
    "count(participations where \"a\" in alumni.tags and attended)",
    // An aggregate inside a filter: per segment, over the segment's rows.
    "count(alumni where given >= avg(alumni.given))",
    // An empty list cell is the empty list (length 0), not null.
    "avg(len(alumni.tags))",
];

const VALUES: &[&str] = &[
    "a / b",
    "a - b * k",
    "coalesce(a, 0) + round(b, 1)",
    "a",
    "b",
    "prior(a)",
    "abs(a - b)",
    "max(a, b)",
];
const TARGETS: &[&str] = &["3", "prior(value)", "peers(50%)", "a", "60%", "100"];
const SCORES: &[&str] = &[
    "",
    "score = linear(0, target)",
    "score = bands(1: 20, 3: 60, 5: 100)",
    "score = linear(10, 0)",
    "score = 50",
];

fn pick<'a>(pool: &[&'a str], i: usize) -> &'a str {
    pool[i % pool.len()]
}

fn aggregate(i: usize, c: usize) -> String {
    pick(AGGREGATES, i).replace("{c}", pick(CONDITIONS, c))
}

/// A rule set from choices of building blocks.
pub fn rules(choices: &[usize]) -> String {
    let c = |i: usize| choices[i % choices.len()];
    let mut s = String::new();
    let _ = write!(
        s,
        r#"scorecard "Differential" {{
  population = alumni
  period = 2025-09-01 .. 2026-08-31
  segments = [faculty, band, tags]
}}
param k = {k}
profile alumni {{
  attended = count(participations where {c0})
  given = sum(contributions.hours where kind == "time")
  band = if attended >= {t} then "high" else "low"
  best = max(participations.satisfaction)
  typical = median(participations.satisfaction where {c1})
}}
profile events {{
  turnout = count(participations where {c2})
}}
let a = {a}
let b = {b}
objective one {{
  weight = {w}
"#,
        k = c(0) % 4,
        c0 = pick(&CONDITIONS[..8], c(1)),
        t = c(2) % 3,
        c1 = pick(&CONDITIONS[..8], c(3)),
        c2 = pick(&CONDITIONS[..5], c(4)),
        a = aggregate(c(5), c(6)),
        b = aggregate(c(7), c(8)),
        w = 1 + c(9) % 3,
    );
    for n in 0..3 {
        let _ = write!(
            s,
            "  indicator i{n} {{\n    value = {}\n    target = {}\n    {}\n    weight = {}\n  }}\n",
            if n == 2 {
                aggregate(c(10 + n), c(13 + n))
            } else {
                pick(VALUES, c(10 + n)).to_string()
            },
            pick(TARGETS, c(16 + n)),
            pick(SCORES, c(19 + n)),
            c(22 + n) % 3,
        );
    }
    s.push_str("}\n");
    s
}

#[derive(Debug, Clone)]
pub struct Data {
    /// faculty, member, score, tags, recorded (days; 0: empty).
    alumni: Vec<(u8, u8, u8, u8, u16)>,
    events: Vec<(u16, u8, u16)>,
    participations: Vec<(u8, u8, u16, u8, u8)>,
    contributions: Vec<(u8, u16, bool, u16)>,
}

pub fn data() -> impl Strategy<Value = Data> {
    (
        prop::collection::vec((0u8..4, 0u8..3, 0u8..6, 0u8..4, 0u16..900), 0..10),
        prop::collection::vec((0u16..900, 0u8..3, 0u16..2000), 0..5),
        prop::collection::vec((0u8..12, 0u8..6, 0u16..900, 0u8..3, 0u8..6), 0..30),
        prop::collection::vec((0u8..12, 0u16..900, any::<bool>(), 0u16..300), 0..12),
    )
        .prop_map(|(alumni, events, participations, contributions)| Data {
            alumni,
            events,
            participations,
            contributions,
        })
}

/// Days after 2024-09-01, as a date.
fn date(days: u16) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2024, 9, 1).expect("date")
        + chrono::Duration::days(i64::from(days));
    d.to_string()
}

pub fn write_dataset(dir: &Path, d: &Data) {
    let faculties = ["Law", "Science", "Arts", ""];
    let bools = ["true", "false", ""];
    let tags = ["", "a", "a;b", "c"];
    // `recorded` makes alumni a stock: some recorded before the prior
    // period, some during either, some after the scored one, some never.
    let mut alumni = String::from("id,faculty,member,score,tags,recorded\n");
    for (i, (f, m, s, t, rec)) in d.alumni.iter().enumerate() {
        let score = if *s == 5 {
            String::new()
        } else {
            (s * 7 % 11).to_string()
        };
        let recorded = match rec {
            0..=99 => String::new(),
            _ => date(*rec - 100),
        };
        let _ = writeln!(
            alumni,
            "{},{},{},{score},{},{recorded}",
            i + 1,
            faculties[*f as usize],
            bools[*m as usize],
            tags[*t as usize]
        );
    }
    let kinds = ["gala", "conference", ""];
    let mut events = String::from("id,date,kind,cost\n");
    for (i, (day, k, cost)) in d.events.iter().enumerate() {
        let _ = writeln!(
            events,
            "{},{},{},{}",
            i + 1,
            date(*day),
            kinds[*k as usize],
            cost
        );
    }
    let mut parts = String::from("id,alumni_id,event_id,date,attended,satisfaction\n");
    for (i, (a, e, day, att, sat)) in d.participations.iter().enumerate() {
        // alumni_id 0 is null; ids past the table dangle.
        let alumnus = if *a == 0 {
            String::new()
        } else {
            a.to_string()
        };
        let sat = if *sat == 0 {
            String::new()
        } else {
            sat.to_string()
        };
        let _ = writeln!(
            parts,
            "{},{alumnus},{},{},{},{sat}",
            i + 1,
            e,
            date(*day),
            bools[*att as usize]
        );
    }
    let mut contribs = String::from("id,alumni_id,date,kind,amount,hours\n");
    for (i, (a, day, money, n)) in d.contributions.iter().enumerate() {
        let (kind, amount, hours) = if *money {
            ("money", n.to_string(), String::new())
        } else {
            ("time", String::new(), (n % 20).to_string())
        };
        let _ = writeln!(
            contribs,
            "{},{},{},{kind},{amount},{hours}",
            i + 1,
            a,
            date(*day)
        );
    }
    let manifest = "tables:
  alumni: { since: recorded, columns: { faculty: string, member: bool, score: number, tags: list } }
  events: { columns: { kind: string, cost: number, date: date } }
  participations: { columns: { attended: bool, satisfaction: number, date: date } }
  contributions: { columns: { kind: string, amount: number, hours: number, date: date } }
";
    for (name, text) in [
        ("alumni.csv", alumni),
        ("events.csv", events),
        ("participations.csv", parts),
        ("contributions.csv", contribs),
        ("dataset.yaml", manifest.to_string()),
    ] {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

/// The period of a case: the scorecard's (choice 0 or 3), the first year
/// (1: nothing before it for `prior`), or a year with no row at all (2).
pub fn case_period(choice: usize) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    match choice {
        1 => Some((day(2024, 9, 1), day(2025, 8, 31))),
        2 => Some((day(2030, 1, 1), day(2030, 12, 31))),
        _ => None,
    }
}

/// One case of the corpus, written out: the dataset's files in `dir`,
/// the rules (and their text), the dataset loaded, the period choice.
pub struct Case {
    pub dir: tempfile::TempDir,
    pub text: String,
    pub rules: alumni_kpi::rules::RuleSet,
    pub data: alumni_kpi::data::Dataset,
    pub period: usize,
}

/// How many cases the database tests run: `KPI_SQL_CASES`, else 40.
pub fn cases_to_run() -> usize {
    std::env::var("KPI_SQL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// The first `count` cases of the corpus, the same at every run (the
/// database tests; `tests/differential.rs` lets proptest draw and shrink).
pub fn cases(count: usize) -> impl Iterator<Item = Case> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (data(), prop::collection::vec(0usize..1000, 25), 0usize..3);
    (0..count).map(move |_| {
        let (d, choices, period) = strategy.new_tree(&mut runner).expect("a case").current();
        let dir = tempfile::tempdir().expect("temp dir");
        write_dataset(dir.path(), &d);
        let text = rules(&choices);
        let (rules, diags) =
            alumni_kpi::rules::RuleSet::from_texts(dir.path(), &[("diff.kpi", text.as_str())]);
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        let data = alumni_kpi::data::Dataset::load(dir.path(), &Default::default())
            .expect("the case loads");
        Case {
            dir,
            text,
            rules,
            data,
            period,
        }
    })
}

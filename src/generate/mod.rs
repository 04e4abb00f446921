//! `kpi generate`: a realistic synthetic alumni dataset.
//!
//! Deterministic: the same `--alumni` and `--seed` give the same bytes (each
//! table draws from its own ChaCha8 stream). The distributions are
//! documented in `docs/domain.md`: most alumni are dormant, engagement is
//! skewed (a latent propensity, log-normal), faculties differ, events follow
//! the academic year, and two years are generated so that `prior()` has a
//! year to compare with.

mod vocabulary;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use vocabulary::*;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub alumni: usize,
    pub seed: u64,
    /// Invitations per event, as a multiple of the usual three times its
    /// target attendance (1: about 1.6 participation rows per alumnus; a
    /// warehouse-scale test asks for more).
    pub invitations: f64,
}

impl GenerateOptions {
    /// `alumni` alumni from `seed`, with the usual invitations.
    pub fn new(alumni: usize, seed: u64) -> GenerateOptions {
        GenerateOptions {
            alumni,
            seed,
            invitations: 1.0,
        }
    }
}

/// Row counts written per table.
pub type Written = Vec<(&'static str, usize)>;

/// The first day generated: a full academic year before the scored one.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 1).unwrap_or_default()
}

/// Days generated: two academic years (2024-09-01 .. 2026-08-31).
const DAYS: i64 = 730;

/// Days of the first academic year (2024-09-01 .. 2025-08-31).
const YEAR: i64 = 365;

/// One alumnus's traits that other tables depend on.
#[derive(Clone)]
struct Person {
    /// Latent engagement propensity (log-normal, median 1).
    propensity: f64,
    faculty: usize,
    leader: bool,
    member: bool,
    contactable: bool,
}

fn rng(seed: u64, table: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ table)
}

/// A standard normal draw (Box–Muller).
fn normal(r: &mut ChaCha8Rng) -> f64 {
    let u: f64 = r.random::<f64>().max(1e-12);
    let v: f64 = r.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// A Poisson draw (Knuth; fine for the small rates used here).
fn poisson(r: &mut ChaCha8Rng, lambda: f64) -> usize {
    let l = (-lambda.min(30.0)).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= r.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// An index drawn with the given weights.
fn weighted(r: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = r.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// A day of the two years, following the academic calendar (busy in
/// October–November and March–June, quiet in August and at Christmas).
fn academic_day(r: &mut ChaCha8Rng) -> NaiveDate {
    academic_day_within(r, DAYS)
}

/// The same, among the first `days` days (365: the first year).
fn academic_day_within(r: &mut ChaCha8Rng, days: i64) -> NaiveDate {
    loop {
        let day = first_day() + chrono::Duration::days(r.random_range(0..days));
        if r.random::<f64>() < SEASON[day.month0() as usize] {
            return day;
        }
    }
}

fn pick<'a>(r: &mut ChaCha8Rng, items: &[&'a str], n: usize) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for _ in 0..n * 3 {
        if out.len() == n {
            break;
        }
        let item = items[r.random_range(0..items.len())];
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A CSV field, quoted when it must be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

struct Table {
    name: &'static str,
    out: std::io::BufWriter<std::fs::File>,
    rows: usize,
    line: String,
}

impl Table {
    fn create(dir: &Path, name: &'static str, header: &str) -> std::io::Result<Table> {
        let file = std::fs::File::create(dir.join(format!("{name}.csv")))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        writeln!(out, "{header}")?;
        Ok(Table {
            name,
            out,
            rows: 0,
            line: String::with_capacity(256),
        })
    }

    /// Writes the row built in `self.line`.
    fn row(&mut self) -> std::io::Result<()> {
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        self.line.clear();
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self, written: &mut Written) -> std::io::Result<()> {
        self.out.flush()?;
        written.push((self.name, self.rows));
        Ok(())
    }
}

/// Writes the dataset into `dir` (created if needed).
pub fn generate(dir: &Path, options: &GenerateOptions) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let people = alumni(dir, options, &mut written)?;
    let events = events(dir, options, &mut written)?;
    participations(dir, options, &people, &events, &mut written)?;
    contributions(dir, options, &people, &mut written)?;
    learning(dir, options, &people, &mut written)?;
    mentoring(dir, options, &people, &mut written)?;
    connections(dir, options, &people, &mut written)?;
    survey(dir, options, &people, &mut written)?;
    staff(dir, options, &mut written)?;
    peers(dir, options)?;
    std::fs::write(dir.join("dataset.yaml"), MANIFEST)?;
    Ok(written)
}

fn alumni(dir: &Path, o: &GenerateOptions, written: &mut Written) -> std::io::Result<Vec<Person>> {
    let mut r = rng(o.seed, 1);
    let mut t = Table::create(
        dir,
        "alumni",
        "id,graduation_year,faculty,degree,country,city,email_valid,phone_valid,address_valid,member,join_date,personality,interests,skills,reasons,deceased,recorded",
    )?;
    // When each alumnus entered the records: its own stream, so that the
    // other columns are drawn as before the column existed.
    let mut rec = rng(o.seed, 11);
    let faculty_weights: Vec<f64> = FACULTIES.iter().map(|f| f.1).collect();
    let mut people = Vec::with_capacity(o.alumni);
    for id in 1..=o.alumni {
        // Recent cohorts are larger: graduation year skewed towards 2025.
        let age = (r.random::<f64>().powf(1.6) * 50.0) as i32;
        let graduation_year = 2025 - age;
        let faculty = weighted(&mut r, &faculty_weights);
        let recency = 1.0 - f64::from(age) / 80.0;
        let propensity = (0.9 * normal(&mut r) + FACULTIES[faculty].2).exp() * recency;
        let email = r.random::<f64>() < 0.92 - f64::from(age) * 0.008;
        let phone = r.random::<f64>() < 0.45;
        let address = r.random::<f64>() < 0.6 - f64::from(age) * 0.004;
        let member = r.random::<f64>() < (0.12 * propensity).min(0.85);
        let leader = r.random::<f64>() < (0.05 * propensity).min(0.6);
        let deceased = r.random::<f64>() < f64::from(age) * 0.0006;
        let (country, city) = if r.random::<f64>() < 0.72 {
            ("FR", FRENCH_CITIES[weighted(&mut r, &FRENCH_CITY_WEIGHTS)])
        } else {
            let (c, cities) = ABROAD[r.random_range(0..ABROAD.len())];
            (c, cities[r.random_range(0..cities.len())])
        };
        let join = if member {
            let from = NaiveDate::from_ymd_opt(graduation_year, 9, 1).unwrap_or_else(first_day);
            let span = (NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default() - from)
                .num_days()
                .max(1);
            (from + chrono::Duration::days(r.random_range(0..span))).to_string()
        } else {
            String::new()
        };
        let n_interests = 1 + poisson(&mut r, 0.8 * propensity.min(2.0));
        let interests = pick(&mut r, INTERESTS, n_interests.min(4)).join(";");
        let n_skills = 1 + r.random_range(0..3);
        let skills = pick(&mut r, SKILLS, n_skills).join(";");
        let reasons = if member || r.random::<f64>() < 0.2 {
            let families: Vec<f64> = FACULTIES[faculty].3.to_vec();
            let mut chosen = Vec::new();
            for _ in 0..1 + r.random_range(0..3) {
                let family = weighted(&mut r, &families);
                let options = REASONS[family].1;
                let reason = options[r.random_range(0..options.len())];
                if !chosen.contains(&reason) {
                    chosen.push(reason);
                }
            }
            chosen.join(";")
        } else {
            String::new()
        };
        let contactable = (email || phone || address) && !deceased;
        let recorded = recorded(&mut rec, graduation_year);
        let line = &mut t.line;
        let _ = write!(
            line,
            "{id},{graduation_year},{},{},{country},{},{email},{phone},{address},{member},{join},{},{interests},{skills},{reasons},{deceased},{recorded}",
            FACULTIES[faculty].0,
            DEGREES[weighted(&mut r, &[0.35, 0.45, 0.08, 0.12])],
            field(city),
            if leader { "leader" } else { "goodwill" },
        );
        t.row()?;
        people.push(Person {
            propensity,
            faculty,
            leader,
            member,
            contactable,
        });
    }
    t.finish(written)?;
    Ok(people)
}

/// The day an alumnus entered the records: most at graduation (the
/// degree is awarded between July and September), one in ten found later
/// by the office (any day from graduation to the end of the generated
/// years).
fn recorded(r: &mut ChaCha8Rng, graduation_year: i32) -> NaiveDate {
    let awarded = NaiveDate::from_ymd_opt(graduation_year, 7, 1).unwrap_or_else(first_day);
    let last = first_day() + chrono::Duration::days(DAYS - 1);
    if r.random::<f64>() < 0.1 {
        let span = (last - awarded).num_days().max(1);
        awarded + chrono::Duration::days(r.random_range(0..span))
    } else {
        awarded + chrono::Duration::days(r.random_range(0..92))
    }
}

/// An event: its date and how many it hoped to see.
struct Event {
    date: NaiveDate,
    target: usize,
}

fn events(dir: &Path, o: &GenerateOptions, written: &mut Written) -> std::io::Result<Vec<Event>> {
    let mut r = rng(o.seed, 2);
    let mut t = Table::create(
        dir,
        "events",
        "id,date,kind,objectives,scope,target_attendance,cost_university,cost_partners,staff_hours,volunteer_hours,partners,media_national,media_international",
    )?;
    // One programme a year, run in both years: about one event a year for
    // every 300 alumni (at least twelve), each of its kind and scope on
    // about the same day each year, its size and costs drawn afresh. The
    // two years are then comparable: a year-on-year change is noise
    // around the same programme, not a random split of events.
    let per_year = (o.alumni / 300).max(12);
    let kind_weights: Vec<f64> = EVENT_KINDS.iter().map(|k| k.1).collect();
    let programme: Vec<(usize, &str, NaiveDate)> = (0..per_year)
        .map(|_| {
            let kind = weighted(&mut r, &kind_weights);
            let scope = SCOPES[weighted(&mut r, &[0.6, 0.3, 0.1])];
            (kind, scope, academic_day_within(&mut r, YEAR))
        })
        .collect();
    let mut out = Vec::with_capacity(2 * per_year);
    let mut id = 0;
    for year in 0..2 {
        for &(kind, scope, first_date) in &programme {
            id += 1;
            let (name, _, size, cost, objectives) = EVENT_KINDS[kind];
            // The same day a year on (a few days either way for the weekday).
            let date = if year == 0 {
                first_date
            } else {
                let day = (first_date - first_day()).num_days() + YEAR + r.random_range(-3..=3);
                first_day() + chrono::Duration::days(day.clamp(YEAR, DAYS - 1))
            };
            let scale = match scope {
                "international" => 2.5,
                "national" => 1.5,
                _ => 1.0,
            };
            let target = ((size * scale) * (0.6 + r.random::<f64>() * 0.8))
                .round()
                .max(5.0) as usize;
            let cost_university = (cost * scale * (0.5 + r.random::<f64>())).round();
            let partners = poisson(&mut r, 0.8 * scale);
            let cost_partners =
                (cost_university * 0.4 * partners as f64 * r.random::<f64>()).round();
            let staff_hours = (4.0 + target as f64 * 0.15 * (0.5 + r.random::<f64>())).round();
            let volunteer_hours = (target as f64 * 0.1 * r.random::<f64>() * 2.0).round();
            let media_national = poisson(&mut r, if scope == "local" { 0.2 } else { 1.2 });
            let media_international =
                poisson(&mut r, if scope == "international" { 1.0 } else { 0.05 });
            let mut objs: Vec<usize> = objectives.to_vec();
            if r.random::<f64>() < 0.3 {
                let extra = r.random_range(0..OBJECTIVES.len());
                if !objs.contains(&extra) {
                    objs.push(extra);
                }
            }
            let names: Vec<&str> = objs.iter().map(|&i| OBJECTIVES[i]).collect();
            let _ = write!(
                t.line,
                "{id},{date},{name},{},{scope},{target},{cost_university},{cost_partners},{staff_hours},{volunteer_hours},{partners},{media_national},{media_international}",
                names.join(";")
            );
            t.row()?;
            out.push(Event { date, target });
        }
    }
    t.finish(written)?;
    Ok(out)
}

fn participations(
    dir: &Path,
    o: &GenerateOptions,
    people: &[Person],
    events: &[Event],
    written: &mut Written,
) -> std::io::Result<()> {
    let mut r = rng(o.seed, 3);
    let mut t = Table::create(
        dir,
        "participations",
        "id,alumni_id,event_id,date,invited,responded,positive,attended,satisfaction,role",
    )?;
    // Invitations go to contactable alumni, keen ones more often (offices
    // target those who came before); each event invites three times its
    // target.
    let contactable: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].contactable)
        .collect();
    if contactable.is_empty() {
        return t.finish(written);
    }
    let mut cumulative = Vec::with_capacity(contactable.len());
    let mut total = 0.0;
    for &i in &contactable {
        total += people[i].propensity.powf(0.7);
        cumulative.push(total);
    }
    let mut id = 0usize;
    for (e, event) in events.iter().enumerate() {
        let invitations = ((event.target * 3) as f64 * o.invitations.max(0.0)) as usize;
        let invitations = invitations.min(contactable.len());
        let mut seen = std::collections::HashSet::with_capacity(invitations);
        for _ in 0..invitations {
            let x = r.random::<f64>() * total;
            let p = contactable[cumulative
                .partition_point(|&c| c < x)
                .min(contactable.len() - 1)];
            if !seen.insert(p) {
                continue;
            }
            let person = &people[p];
            let keen = person.propensity * if person.member { 1.6 } else { 1.0 };
            let responded = r.random::<f64>() < (0.15 + 0.2 * keen).min(0.95);
            let positive = responded && r.random::<f64>() < (0.45 + 0.15 * keen).min(0.95);
            let attended =
                positive && r.random::<f64>() < 0.82 || !positive && r.random::<f64>() < 0.01;
            let satisfaction = if attended {
                (1 + weighted(&mut r, &[0.04, 0.08, 0.2, 0.4, 0.28])).to_string()
            } else {
                String::new()
            };
            let role = if attended && person.leader && r.random::<f64>() < 0.35 {
                if r.random::<f64>() < 0.5 {
                    "speaker"
                } else {
                    "organiser"
                }
            } else {
                "participant"
            };
            id += 1;
            let _ = write!(
                t.line,
                "{id},{},{},{},true,{responded},{positive},{attended},{satisfaction},{role}",
                p + 1,
                e + 1,
                event.date
            );
            t.row()?;
        }
    }
    t.finish(written)
}

fn contributions(
    dir: &Path,
    o: &GenerateOptions,
    people: &[Person],
    written: &mut Written,
) -> std::io::Result<()> {
    let mut r = rng(o.seed, 4);
    let mut t = Table::create(dir, "contributions", "id,alumni_id,date,kind,amount,hours")?;
    let mut id = 0usize;
    for (p, person) in people.iter().enumerate() {
        let n = poisson(
            &mut r,
            0.12 * person.propensity * if person.member { 2.0 } else { 1.0 },
        );
        for _ in 0..n {
            id += 1;
            let kind = CONTRIBUTION_KINDS[weighted(&mut r, &[0.4, 0.3, 0.18, 0.12])];
            let (amount, hours) = match kind {
                "money" => (
                    format!("{:.0}", (normal(&mut r) * 1.1 + 4.3).exp().round().max(5.0)),
                    String::new(),
                ),
                _ => (String::new(), format!("{}", 1 + poisson(&mut r, 6.0))),
            };
            let _ = write!(
                t.line,
                "{id},{},{},{kind},{amount},{hours}",
                p + 1,
                academic_day(&mut r)
            );
            t.row()?;
        }
    }
    t.finish(written)
}

fn learning(
    dir: &Path,
    o: &GenerateOptions,
    people: &[Person],
    written: &mut Written,
) -> std::io::Result<()> {
    let mut r = rng(o.seed, 5);
    let mut t = Table::create(
        dir,
        "learning",
        "id,alumni_id,programme,skill,date,completed,completion_date,progress",
    )?;
    let mut id = 0usize;
    for (p, person) in people.iter().enumerate() {
        if r.random::<f64>() >= (0.04 + 0.03 * person.propensity).min(0.4) {
            continue;
        }
        id += 1;
        let programme = PROGRAMMES[weighted(&mut r, &[0.45, 0.15, 0.25, 0.15])];
        let start = academic_day(&mut r);
        let completed = r.random::<f64>() < 0.7;
        let done = if completed {
            (start + chrono::Duration::days(r.random_range(30..300))).to_string()
        } else {
            String::new()
        };
        let progress = 1 + weighted(&mut r, &[0.05, 0.1, 0.3, 0.35, 0.2]);
        let _ = write!(
            t.line,
            "{id},{},{programme},{},{start},{completed},{done},{progress}",
            p + 1,
            SKILLS[r.random_range(0..SKILLS.len())]
        );
        t.row()?;
    }
    t.finish(written)
}

fn mentoring(
    dir: &Path,
    o: &GenerateOptions,
    people: &[Person],
    written: &mut Written,
) -> std::io::Result<()> {
    let mut r = rng(o.seed, 6);
    let mut t = Table::create(
        dir,
        "mentoring",
        "id,mentor_id,mentee_kind,mentee_id,date,hours",
    )?;
    let mut id = 0usize;
    for (p, person) in people.iter().enumerate() {
        let rate = if person.leader {
            0.6
        } else {
            0.03 * person.propensity
        };
        for _ in 0..poisson(&mut r, rate.min(2.0)) {
            id += 1;
            let student = r.random::<f64>() < 0.6;
            let mentee = if student {
                String::new()
            } else {
                (r.random_range(0..people.len()) + 1).to_string()
            };
            let _ = write!(
                t.line,
                "{id},{},{},{mentee},{},{}",
                p + 1,
                if student { "student" } else { "alumni" },
                academic_day(&mut r),
                1 + poisson(&mut r, 8.0)
            );
            t.row()?;
        }
    }
    t.finish(written)
}

fn connections(
    dir: &Path,
    o: &GenerateOptions,
    people: &[Person],
    written: &mut Written,
) -> std::io::Result<()> {
    let mut r = rng(o.seed, 7);
    let mut t = Table::create(
        dir,
        "connections",
        "id,alumni_id,other_id,kind,date,active_12m",
    )?;
    let mut by_faculty: Vec<Vec<usize>> = vec![Vec::new(); FACULTIES.len()];
    for (p, person) in people.iter().enumerate() {
        by_faculty[person.faculty].push(p);
    }
    let mut id = 0usize;
    for (p, person) in people.iter().enumerate() {
        for _ in 0..poisson(&mut r, (0.15 * person.propensity).min(4.0)) {
            id += 1;
            // Half the links are drawn within the faculty, half among all
            // alumni; never with oneself.
            let same = &by_faculty[person.faculty];
            let within = r.random::<f64>() < 0.5;
            let mut other = p;
            for _ in 0..8 {
                if other != p {
                    break;
                }
                other = if within {
                    same[r.random_range(0..same.len())]
                } else {
                    r.random_range(0..people.len())
                };
            }
            if other == p {
                // A faculty of one, unlucky draws: the next alumnus.
                other = (p + 1) % people.len();
            }
            let kind = CONNECTION_KINDS[weighted(&mut r, &[0.45, 0.2, 0.15, 0.2])];
            let lasting = r.random::<f64>() < (0.35 + 0.1 * person.propensity).min(0.9);
            let _ = write!(
                t.line,
                "{id},{},{},{kind},{},{lasting}",
                p + 1,
                other + 1,
                academic_day(&mut r)
            );
            t.row()?;
        }
    }
    t.finish(written)
}

fn survey(
    dir: &Path,
    o: &GenerateOptions,
    people: &[Person],
    written: &mut Written,
) -> std::io::Result<()> {
    let mut r = rng(o.seed, 8);
    let mut t = Table::create(
        dir,
        "survey",
        "id,alumni_id,date,question,kind,answer,text,language",
    )?;
    let mut id = 0usize;
    for (p, person) in people.iter().enumerate() {
        if !person.contactable || r.random::<f64>() >= (0.06 + 0.05 * person.propensity).min(0.6) {
            continue;
        }
        let date = academic_day(&mut r);
        // Those who answer surveys lean positive.
        let mood = (0.3 + person.propensity.ln() * 0.5 + normal(&mut r) * 0.7).tanh();
        for (question, kind) in QUESTIONS {
            id += 1;
            let (answer, text, language) = match *kind {
                "binary" => (
                    u8::from(r.random::<f64>() < 0.4 + 0.2 * mood).to_string(),
                    String::new(),
                    "",
                ),
                "quantitative" => (
                    poisson(&mut r, (2.0 + 3.0 * person.propensity).min(25.0)).to_string(),
                    String::new(),
                    "",
                ),
                "qualitative" => (
                    (3.0 + 1.5 * mood + normal(&mut r) * 0.6)
                        .round()
                        .clamp(1.0, 5.0)
                        .to_string(),
                    String::new(),
                    "",
                ),
                _ => {
                    let french = r.random::<f64>() < 0.7;
                    (
                        String::new(),
                        vocabulary::comment(&mut r, mood, french),
                        if french { "fr" } else { "en" },
                    )
                }
            };
            let _ = write!(
                t.line,
                "{id},{},{date},{question},{kind},{answer},{},{language}",
                p + 1,
                field(&text)
            );
            t.row()?;
        }
    }
    t.finish(written)
}

/// Alumni-relations FTE per fiscal year (July to June, named by the year
/// it ends), dated on the year's first day so that a period holding that
/// day counts it.
fn staff(dir: &Path, o: &GenerateOptions, written: &mut Written) -> std::io::Result<()> {
    let mut t = Table::create(dir, "staff", "id,year,date,fte")?;
    let base = (o.alumni as f64 / 8000.0).max(0.5);
    for (i, (year, growth)) in [(2025, 1.0), (2026, 1.1)].into_iter().enumerate() {
        let _ = write!(
            t.line,
            "{},{year},{}-07-01,{:.1}",
            i + 1,
            year - 1,
            base * growth
        );
        t.row()?;
    }
    t.finish(written)
}

/// Peer institutions' figures for the indicators the pack benchmarks.
fn peers(dir: &Path, o: &GenerateOptions) -> std::io::Result<()> {
    let mut r = rng(o.seed, 9);
    let mut out = String::from("institution,indicator,value\n");
    for peer in PEERS {
        for (indicator, mean, spread) in PEER_FIGURES {
            let v = (mean + spread * normal(&mut r)).max(0.0);
            let _ = writeln!(out, "{},{indicator},{:.4}", field(peer), v);
        }
    }
    std::fs::write(dir.join("peers.csv"), out)
}

const MANIFEST: &str = "\
# Written by `kpi generate`: keys, dates, types and references.
tables:
  alumni:
    since: recorded            # a stock: an alumnus counts from this day on
    columns:
      graduation_year: number
      email_valid: bool
      phone_valid: bool
      address_valid: bool
      member: bool
      join_date: date
      interests: list
      skills: list
      reasons: list
      deceased: bool
      recorded: date
  events:
    columns: { objectives: list, target_attendance: number, cost_university: number, cost_partners: number }
  participations:
    columns: { invited: bool, responded: bool, positive: bool, attended: bool, satisfaction: number }
    refs: { alumni_id: alumni, event_id: events }
  contributions:
    columns: { amount: number, hours: number }
  learning:
    columns: { completed: bool, completion_date: date, progress: number }
  mentoring:
    refs: { mentor_id: alumni, mentee_id: alumni }
    columns: { mentee_id: number, hours: number }
  connections:
    refs: { alumni_id: alumni, other_id: alumni }
    columns: { active_12m: bool }
  survey:
    columns: { answer: number, text: string, language: string }
  staff:
    columns: { year: number, fte: number }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let a = tempfile::tempdir().expect("temp dir");
        let b = tempfile::tempdir().expect("temp dir");
        let options = GenerateOptions::new(300, 7);
        generate(a.path(), &options).expect("generates");
        generate(b.path(), &options).expect("generates");
        for table in [
            "alumni",
            "events",
            "participations",
            "contributions",
            "survey",
            "peers",
        ] {
            let x = std::fs::read(a.path().join(format!("{table}.csv"))).expect("read");
            let y = std::fs::read(b.path().join(format!("{table}.csv"))).expect("read");
            assert_eq!(x, y, "{table}");
        }
        let c = tempfile::tempdir().expect("temp dir");
        generate(c.path(), &GenerateOptions::new(300, 8)).expect("generates");
        let x = std::fs::read(a.path().join("alumni.csv")).expect("read");
        let z = std::fs::read(c.path().join("alumni.csv")).expect("read");
        assert_ne!(x, z, "another seed, another dataset");
    }
}

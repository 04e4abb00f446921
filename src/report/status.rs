//! Why a figure is absent: every indicator carries a status, and unless it
//! is `ok`, a reason in plain words (in the report's language).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::labels::Lang;

/// What became of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Value, target and score computed (a segment's status, left out
    /// of a report when `ok`, reads back as this).
    #[default]
    Ok,
    /// The value (or the target) is null: nothing to compute it from.
    NoData,
    /// A `prior(..)` it needs has no row in the previous period.
    NoBaseline,
    /// Fewer peer figures than `benchmark_min_peers`.
    NoPeers,
    /// A script failed or returned the wrong type, or a construct could
    /// not be evaluated.
    Failed,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoData => "no_data",
            Status::NoBaseline => "no_baseline",
            Status::NoPeers => "no_peers",
            Status::Failed => "failed",
        }
    }

    /// The status in words, for reports.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Ok, Lang::En) => "ok",
            (Status::Ok, Lang::Fr) => "ok",
            (Status::NoData, Lang::En) => "no data",
            (Status::NoData, Lang::Fr) => "pas de données",
            (Status::NoBaseline, Lang::En) => "no baseline",
            (Status::NoBaseline, Lang::Fr) => "pas de référence",
            (Status::NoPeers, Lang::En) => "too few peers",
            (Status::NoPeers, Lang::Fr) => "trop peu de pairs",
            (Status::Failed, Lang::En) => "failed",
            (Status::Failed, Lang::Fr) => "échec",
        }
    }
}

/// What a figure needed and did not have.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The tables the value reads have no row in the period.
    NoRows { tables: Vec<String> },
    /// Rows were read, but the value is null (an average over no rows, a
    /// division by zero).
    NullValue,
    /// The target (or score) is null while the value is not.
    NullTarget,
    /// `prior(..)` in the value (`in_value`) or the target has no row in
    /// the previous period.
    NoBaseline {
        in_value: bool,
        from: String,
        to: String,
        tables: Vec<String>,
    },
    /// `prior(..)` without a period to compare with.
    NoPeriod,
    /// `peers(..)` with `n` peer figures where `min` are needed.
    FewPeers { n: usize, min: usize },
    /// A plugin function or inline block failed (its name, if a plugin).
    ScriptFailed { function: Option<String> },
    /// A plugin function returned a value of the wrong type.
    WrongType {
        function: String,
        expected: String,
        got: String,
    },
    /// Something that cannot be evaluated, in the evaluator's words.
    Unsupported(String),
    /// A reason read back from a report.
    Text(String),
}

fn list(tables: &[String], lang: Lang) -> String {
    let and = match lang {
        Lang::En => " and ",
        Lang::Fr => " et ",
    };
    match tables {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(", ")),
    }
}

impl Reason {
    /// The reason in plain words.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Reason::NoRows { tables }, Lang::En) => format!(
                "no row of the {} table{} in the period",
                list(tables, lang),
                if tables.len() > 1 { "s" } else { "" }
            ),
            (Reason::NoRows { tables }, Lang::Fr) => {
                format!("aucune ligne de {} sur la période", list(tables, lang))
            }
            (Reason::NullValue, Lang::En) => "nothing to compute it from in the period (an average, a minimum or a share over no rows, a division by zero, or a number too large to hold)".into(),
            (Reason::NullValue, Lang::Fr) => "rien pour le calculer sur la période (une moyenne, un minimum ou une part sur aucune ligne, une division par zéro, ou un nombre trop grand)".into(),
            (Reason::NullTarget, Lang::En) => "its target has no data".into(),
            (Reason::NullTarget, Lang::Fr) => "sa cible n'a pas de données".into(),
            (Reason::NoBaseline { in_value, from, to, tables }, Lang::En) => format!(
                "its {} compares with the previous period ({from} to {to}), which has no row of {}",
                if *in_value { "value" } else { "target" },
                list(tables, lang)
            ),
            (Reason::NoBaseline { in_value, from, to, tables }, Lang::Fr) => format!(
                "sa {} se compare à la période précédente (du {from} au {to}), qui n'a aucune ligne de {}",
                if *in_value { "valeur" } else { "cible" },
                list(tables, lang)
            ),
            (Reason::NoPeriod, Lang::En) => "it compares with the previous period, but the scorecard has no period".into(),
            (Reason::NoPeriod, Lang::Fr) => "il se compare à la période précédente, mais le tableau de bord n'a pas de période".into(),
            (Reason::FewPeers { n: 0, .. }, Lang::En) => "the benchmark has no peer figure for it".into(),
            (Reason::FewPeers { n: 0, .. }, Lang::Fr) => "le fichier de comparaison n'a aucun chiffre de pair pour lui".into(),
            (Reason::FewPeers { n, min }, Lang::En) => format!(
                "only {n} peer figure{} for it, and {min} are needed (benchmark_min_peers)",
                if *n > 1 { "s" } else { "" }
            ),
            (Reason::FewPeers { n, min }, Lang::Fr) => format!(
                "seulement {n} chiffre{} de pairs, il en faut {min} (benchmark_min_peers)",
                if *n > 1 { "s" } else { "" }
            ),
            (Reason::ScriptFailed { function: Some(f) }, Lang::En) => format!("the script function {f} failed (see the notes)"),
            (Reason::ScriptFailed { function: Some(f) }, Lang::Fr) => format!("la fonction de script {f} a échoué (voir les remarques)"),
            (Reason::ScriptFailed { function: None }, Lang::En) => "its inline script failed (see the notes)".into(),
            (Reason::ScriptFailed { function: None }, Lang::Fr) => "son script a échoué (voir les remarques)".into(),
            (Reason::WrongType { function, expected, got }, Lang::En) => format!("the script function {function} returned {got} where {expected} is needed"),
            (Reason::WrongType { function, expected, got }, Lang::Fr) => format!("la fonction de script {function} a rendu {got} au lieu de {expected}"),
            (Reason::Unsupported(m), _) | (Reason::Text(m), _) => m.clone(),
        }
    }
}

/// Why an indicator has no figures per segment: it reads tables with no
/// relation to the population.
#[derive(Debug, Clone, PartialEq)]
pub struct NotSegmented {
    pub tables: Vec<String>,
    pub population: String,
}

impl NotSegmented {
    pub fn text(&self, lang: Lang) -> String {
        let tables: Vec<String> = self.tables.iter().map(|t| format!("`{t}`")).collect();
        let pop = &self.population;
        match lang {
            Lang::En => format!(
                "not segmented: it reads {}, which has no relation to `{pop}`",
                tables.join(", ")
            ),
            Lang::Fr => format!(
                "pas de détail par segment : il lit {}, sans lien avec `{pop}`",
                list(&tables, lang)
            ),
        }
    }
}

impl Serialize for NotSegmented {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text(Lang::En))
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text(Lang::En))
    }
}

/// A reason read back from a report is its text (in English).
impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        String::deserialize(d).map(Reason::Text)
    }
}

/// Read back from the English text `text` writes.
impl<'de> Deserialize<'de> for NotSegmented {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NotSegmented, D::Error> {
        let text = String::deserialize(d)?;
        NotSegmented::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not \"not segmented: it reads `TABLE`, which has no relation to `POPULATION`\""
            ))
        })
    }
}

impl NotSegmented {
    fn parse(text: &str) -> Option<NotSegmented> {
        let rest = text.strip_prefix("not segmented: it reads ")?;
        let (tables, population) = rest.rsplit_once(", which has no relation to ")?;
        let unquote = |s: &str| {
            s.strip_prefix('`')
                .and_then(|s| s.strip_suffix('`'))
                .map(str::to_string)
        };
        Some(NotSegmented {
            tables: tables.split(", ").map(unquote).collect::<Option<_>>()?,
            population: unquote(population)?,
        })
    }
}

//! The words and weights of the synthetic dataset.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Faculty, share of alumni, propensity shift (log scale), and the weights
/// of the six families of reasons to join (bond, learn, career, network,
/// support, serve).
pub const FACULTIES: &[(&str, f64, f64, [f64; 6])] = &[
    ("Law", 0.14, 0.15, [2.0, 1.0, 2.0, 2.5, 1.0, 1.0]),
    ("Business", 0.16, 0.35, [1.0, 1.0, 3.0, 3.0, 1.0, 0.5]),
    ("Science", 0.17, -0.10, [1.5, 2.5, 1.0, 1.0, 1.0, 1.0]),
    ("Engineering", 0.13, 0.05, [1.0, 2.0, 2.5, 2.0, 1.0, 0.5]),
    ("Medicine", 0.10, -0.25, [1.5, 2.0, 1.0, 1.0, 1.5, 2.5]),
    ("Humanities", 0.14, -0.20, [2.5, 2.0, 0.5, 1.0, 1.5, 2.0]),
    ("Social sciences", 0.10, 0.0, [2.0, 1.5, 1.0, 1.5, 1.0, 2.5]),
    ("Education", 0.06, -0.05, [2.0, 2.0, 0.5, 1.0, 2.0, 3.0]),
];

/// The fifteen reasons alumni join a network (LERU webinar), by family.
pub const REASONS: &[(&str, &[&str])] = &[
    (
        "bond",
        &["bond_community", "bond_university", "bond_students"],
    ),
    (
        "learn",
        &["learn_university", "learn_personal", "learn_skills"],
    ),
    ("career", &["career_startup", "career_training"]),
    ("network", &["network_alumni"]),
    (
        "support",
        &["support_university", "support_gifts", "support_reputation"],
    ),
    (
        "serve",
        &[
            "serve_community",
            "serve_university_community",
            "serve_world",
        ],
    ),
];

pub const FRENCH_CITIES: &[&str] = &[
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Lille",
    "Bordeaux",
    "Nantes",
    "Strasbourg",
    "Rennes",
    "Grenoble",
    "Montpellier",
    "Nice",
];
pub const FRENCH_CITY_WEIGHTS: [f64; 12] = [
    0.3, 0.12, 0.08, 0.08, 0.07, 0.07, 0.06, 0.07, 0.05, 0.04, 0.03, 0.03,
];

pub const ABROAD: &[(&str, &[&str])] = &[
    ("DE", &["Berlin", "Munich", "Hamburg"]),
    ("BE", &["Brussels", "Liège"]),
    ("CH", &["Geneva", "Zurich", "Lausanne"]),
    ("GB", &["London", "Manchester"]),
    ("ES", &["Madrid", "Barcelona"]),
    ("IT", &["Milan", "Rome"]),
    ("US", &["New York", "Boston", "San Francisco"]),
    ("CA", &["Montreal", "Toronto"]),
    ("MA", &["Casablanca", "Rabat"]),
    ("SN", &["Dakar"]),
    ("CN", &["Shanghai", "Beijing"]),
    ("NL", &["Amsterdam", "Rotterdam"]),
];

pub const DEGREES: &[&str] = &["Licence", "Master", "Doctorat", "DU"];

pub const INTERESTS: &[&str] = &[
    "mentoring",
    "entrepreneurship",
    "research",
    "arts",
    "sport",
    "international",
    "careers",
    "volunteering",
    "fundraising",
    "sustainability",
];

pub const SKILLS: &[&str] = &[
    "finance",
    "law",
    "data",
    "management",
    "health",
    "engineering",
    "teaching",
    "communication",
    "marketing",
    "languages",
];

/// The five impact objectives of the framework.
pub const OBJECTIVES: &[&str] = &[
    "learning",
    "giving",
    "leadership",
    "networking",
    "promotion",
];

/// Kind, share of events, typical attendance, typical university cost, and
/// the objectives it serves (indexes into [`OBJECTIVES`]).
pub const EVENT_KINDS: &[(&str, f64, f64, f64, &[usize])] = &[
    ("conference", 0.18, 80.0, 2500.0, &[0, 4]),
    ("networking", 0.22, 40.0, 900.0, &[3]),
    ("mentoring", 0.12, 20.0, 300.0, &[0, 1]),
    ("gala", 0.05, 150.0, 9000.0, &[1, 4]),
    ("webinar", 0.2, 60.0, 150.0, &[0]),
    ("workshop", 0.13, 25.0, 600.0, &[0, 2]),
    ("career_fair", 0.1, 120.0, 4000.0, &[2, 3]),
];

pub const SCOPES: &[&str] = &["local", "national", "international"];
pub const CONTRIBUTION_KINDS: &[&str] = &["time", "money", "skills", "network"];
pub const PROGRAMMES: &[&str] = &["FC", "VAE", "FTLV", "MOOC"];
pub const CONNECTION_KINDS: &[&str] = &["professional", "personal", "business", "mentoring"];

/// The four kinds of survey question, one question each.
pub const QUESTIONS: &[(&str, &str)] = &[
    ("q_new_contacts", "binary"),
    ("q_people_aware", "quantitative"),
    ("q_connection_value", "qualitative"),
    ("q_what_you_value", "sentiment"),
];

/// Share of days kept per month (January first): the academic year.
pub const SEASON: [f64; 12] = [0.6, 0.7, 1.0, 0.9, 0.9, 0.8, 0.3, 0.05, 0.6, 1.0, 1.0, 0.4];

pub const PEERS: &[&str] = &[
    "Université du Nord",
    "Université Atlantique",
    "Université Rhône-Alpes",
    "Université de l'Est",
    "Université Méditerranée",
    "Université Centre",
    "Université Occitanie",
    "Université Capitale",
];

/// Indicator, mean and spread of the peers' figures.
pub const PEER_FIGURES: &[(&str, f64, f64)] = &[
    ("contactable", 0.72, 0.08),
    ("response_rate", 0.42, 0.08),
    ("positive_response_rate", 0.5, 0.1),
    ("attendance_rate", 0.78, 0.06),
    ("satisfaction", 3.9, 0.2),
    ("cost_per_engaged", 80.0, 20.0),
    ("time_given_per_engaged", 4.5, 1.5),
    ("lasting_connections", 0.45, 0.08),
    ("engaged_rate", 0.18, 0.05),
];

const POSITIVE_FR: &[&str] = &[
    "Très bien organisé, vraiment utile.",
    "Des rencontres enrichissantes, je recommande.",
    "Un réseau génial et des intervenants intéressants.",
    "Je suis satisfait des échanges avec les étudiants.",
    "Excellente ambiance, super soirée.",
];
const NEGATIVE_FR: &[&str] = &[
    "Soirée décevante, le programme était ennuyeux.",
    "Ce n'était pas intéressant pour ma carrière.",
    "Trop cher et mal organisé.",
    "Je suis déçu, aucun échange utile.",
];
const NEUTRAL_FR: &[&str] = &[
    "Je cherche surtout des contacts dans ma région.",
    "Nous étions nombreux.",
];
const POSITIVE_EN: &[&str] = &[
    "Great event, really useful contacts.",
    "I enjoyed the talks, very inspiring.",
    "Friendly people and a valuable network.",
];
const NEGATIVE_EN: &[&str] = &[
    "Boring talks, a waste of time.",
    "The venue was poor and the food was bad.",
    "Not useful for my career.",
];
const NEUTRAL_EN: &[&str] = &["I would like more events abroad.", "We were about forty."];

/// A free-text answer whose tone follows `mood` (-1 to 1).
pub fn comment(r: &mut ChaCha8Rng, mood: f64, french: bool) -> String {
    let x: f64 = r.random::<f64>() * 2.0 - 1.0 + mood;
    let pool = match (x > 0.35, x < -0.35, french) {
        (true, _, true) => POSITIVE_FR,
        (_, true, true) => NEGATIVE_FR,
        (_, _, true) => NEUTRAL_FR,
        (true, _, false) => POSITIVE_EN,
        (_, true, false) => NEGATIVE_EN,
        _ => NEUTRAL_EN,
    };
    pool[r.random_range(0..pool.len())].to_string()
}

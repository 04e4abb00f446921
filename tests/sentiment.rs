//! The shipped sentiment plugin on French and English sentences.

mod common;

use alumni_kpi::eval::script::Scripts;
use alumni_kpi::source::FileId;

fn sentiment(text: Option<&str>) -> Option<f64> {
    let mut scripts = Scripts::default();
    let plugin = std::fs::read_to_string(common::root().join("rules/plugins/sentiment.rhai"))
        .expect("plugin");
    scripts.add_plugin(FileId(0), &plugin).expect("compiles");
    let arg = text.map_or(rhai::Dynamic::UNIT, |t| rhai::Dynamic::from(t.to_string()));
    let out = scripts.call(0, "sentiment", vec![arg]).expect("runs");
    if out.is_unit() {
        None
    } else {
        out.as_float().ok()
    }
}

#[test]
fn english_sentences() {
    assert_eq!(sentiment(Some("A great and useful evening.")), Some(1.0));
    assert_eq!(sentiment(Some("Boring talks, a waste of time")), Some(-1.0));
    // "not" flips the next words: not good is negative.
    assert_eq!(sentiment(Some("The speakers were not good")), Some(-1.0));
    assert_eq!(sentiment(Some("It wasn't bad at all")), Some(1.0));
    // One positive, one negative: 0; "very" doubles "useful": (2 − 1) / 3.
    assert_eq!(sentiment(Some("Good venue, bad food")), Some(0.0));
    let mixed = sentiment(Some("Very useful, but late")).expect("a score");
    assert!((mixed - 1.0 / 3.0).abs() < 1e-12, "{mixed}");
}

#[test]
fn french_sentences() {
    assert_eq!(
        sentiment(Some("Très bien organisé, vraiment utile !")),
        Some(1.0)
    );
    assert_eq!(sentiment(Some("Soirée décevante et ennuyeuse")), Some(-1.0));
    // « ne … pas » : pas intéressant est négatif.
    assert_eq!(sentiment(Some("Ce n'était pas intéressant")), Some(-1.0));
    assert_eq!(sentiment(Some("Jamais déçu par le réseau")), Some(1.0));
    assert_eq!(sentiment(Some("Sans intérêt particulier")), Some(-1.0));
}

#[test]
fn no_text_is_no_data_and_no_opinion_is_neutral() {
    assert_eq!(sentiment(None), None);
    assert_eq!(sentiment(Some("")), None);
    assert_eq!(sentiment(Some("Nous étions douze.")), Some(0.0));
}

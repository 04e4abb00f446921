//! `kpi lsp`: keystroke-to-diagnostics latency on the shipped LERU pack
//! (8 rule files, the sample's schema), through the real server over
//! stdio: the time from a `didChange` sent to the `publishDiagnostics` of
//! that file received. Each edit alternates a misspelt column and its fix,
//! so each answer differs from the one before. Measured with no debounce
//! (the analysis itself) and with the default debounce (what the user
//! waits, when he stops typing).
//!
//! `cargo bench --bench lsp`

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

fn latency(debounce_ms: Option<u64>, edits: usize) -> Vec<Duration> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let rules = tmp.path().join("rules");
    common::copy_dir(&root.join("rules"), &rules);
    let mut options = json!({"data": root.join("data/sample")});
    if let Some(ms) = debounce_ms {
        options["debounceMs"] = ms.into();
    }
    let mut c = common::lsp::Client::start(&rules, options);
    let file = rules.join("engagement.kpi");
    let uri = common::lsp::uri(&file);
    let text = std::fs::read_to_string(&file).expect("read");
    let typo = text.replacen("where responded)", "where respnded)", 1);
    c.open(&file, &text);
    c.diagnostics_for(&uri, |_| true);
    let mut out = Vec::new();
    for i in 0..edits {
        let broken = i % 2 == 0;
        let sent = Instant::now();
        c.change(&file, i as i64 + 2, if broken { &typo } else { &text });
        c.diagnostics_for(&uri, |d| {
            d.as_array().is_some_and(|a| a.is_empty() != broken)
        });
        out.push(sent.elapsed());
    }
    c.stop();
    out
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
    println!(
        "{name}: median {:.1} ms, p90 {:.1} ms, max {:.1} ms ({} edits)",
        at(0.5),
        at(0.9),
        ms(*times.last().expect("times")),
        times.len()
    );
}

fn main() {
    report(
        "keystroke to diagnostics, no debounce (the analysis)",
        latency(Some(0), 60),
    );
    report(
        &format!(
            "keystroke to diagnostics, default debounce ({} ms)",
            alumni_kpi::lsp::DEFAULT_DEBOUNCE.as_millis()
        ),
        latency(None, 20),
    );
}

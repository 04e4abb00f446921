//! `kpi serve` under load: `GET /api/report` and what-ifs (`POST
//! /api/score`) from client threads for 10 s while a rule file is saved
//! every second, on the sample (2,000 alumni) and on 100,000 generated
//! alumni. Prints requests per second, median and p99 latency, the
//! errors (any answer but 200: must be 0), and the reloads seen. Each
//! request opens a connection of its own (`Connection: close`).
//!
//! `cargo bench --bench serve`

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::serve::{Server, request};

struct Tally {
    times: Mutex<Vec<Duration>>,
    errors: std::sync::atomic::AtomicUsize,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            times: Mutex::new(Vec::new()),
            errors: Default::default(),
        }
    }

    fn print(&self, name: &str, secs: f64) {
        let mut t = self.times.lock().expect("lock").clone();
        t.sort();
        let at = |q: f64| {
            t.get(((t.len().max(1) - 1) as f64 * q) as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        println!(
            "  {name}: {:.0} req/s, median {:.1} ms, p99 {:.1} ms, {} requests, {} errors",
            t.len() as f64 / secs,
            at(0.5),
            at(0.99),
            t.len(),
            self.errors.load(Ordering::Relaxed)
        );
    }
}

fn load(label: &str, data: &str) {
    let server = Server::start("rules", data, &[]);
    let file = server.rules().join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    let (reports, whatifs) = (Tally::new(), Tally::new());
    let stop = AtomicBool::new(false);
    let saves = std::sync::atomic::AtomicUsize::new(0);
    let secs = 10.0;
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let r = request(&server.addr, "GET", "/api/report", &[], None);
                    reports.times.lock().expect("lock").push(t.elapsed());
                    if r.status != 200 || !r.body.ends_with("}\n") {
                        reports.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        s.spawn(|| {
            let mut k = 0;
            while !stop.load(Ordering::Relaxed) {
                k += 1;
                let body = format!(
                    r#"{{"weights": {{"cost": {}}}, "set": {{"staff_hour_cost": {}}}}}"#,
                    k % 30,
                    40 + k % 20
                );
                let t = Instant::now();
                let r = server.post("/api/score", &body);
                whatifs.times.lock().expect("lock").push(t.elapsed());
                if r.status != 200 {
                    whatifs.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        s.spawn(|| {
            let mut k = 0;
            while start.elapsed().as_secs_f64() < secs {
                std::thread::sleep(Duration::from_secs(1));
                k += 1;
                let weight = format!("weight = {}", 25 + k % 2);
                std::fs::write(&file, text.replacen("weight = 25", &weight, 1)).expect("save");
                saves.fetch_add(1, Ordering::Relaxed);
            }
            stop.store(true, Ordering::Relaxed);
        });
    });
    let secs = start.elapsed().as_secs_f64();
    let last = server.get("/api/diagnostics", &[]).json();
    println!(
        "{label} ({} saves in {secs:.1} s, last reload ok: {}):",
        saves.load(Ordering::Relaxed),
        last["ok"]
    );
    reports.print("GET /api/report", secs);
    whatifs.print("POST /api/score (a weight and a param)", secs);
}

fn main() {
    load("sample, 2,000 alumni", "data/sample");
    let big = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args([
            "generate", "--alumni", "100000", "--seed", "7", "--force", "--out",
        ])
        .arg(big.path())
        .output()
        .expect("generate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    load(
        "100,000 generated alumni",
        big.path().to_str().expect("utf-8"),
    );
}

//! `kpi serve`: the governance workspace — the live report in a browser
//! (with what-ifs) and an HTTP API for other tools.
//!
//! The stages: [`Live`] reloads and re-scores on every save, keeping the
//! last good snapshot; a bridge thread turns each reload into a [`Served`]
//! state (the report, its JSON and ETag, the engine for what-ifs built on
//! first use), swapped atomically so that no request sees a mix, and into
//! server-sent events; [`api`] answers the API and [`dashboard`] serves the
//! page. Requests are checked for the bearer token (when there is one),
//! their bodies capped, and what-ifs given a time budget.

pub mod api;
pub mod dashboard;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::data::Dataset;
use crate::diagnostic::{Diagnostic, ErrorFormat, render};
use crate::engine::{Engine, ScoreOptions};
use crate::live::{Event, Live, LiveOptions, StartError};
use crate::report::{Report, ReportFormat};
use crate::rules::RuleSet;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub rules: PathBuf,
    pub data: PathBuf,
    pub addr: SocketAddr,
    /// Every request must carry `Authorization: Bearer TOKEN`.
    pub token: Option<String>,
    /// The options of every report (period, params, periods); `explain`
    /// is always on, for the dashboard's drill-down.
    pub score: ScoreOptions,
    /// Leave bad rows out instead of failing.
    pub skip_bad_rows: bool,
    /// The longest a what-if may take.
    pub budget: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
}

/// Why the server did not start.
#[derive(Debug)]
pub enum ServeError {
    /// The rules or the dataset do not load: their diagnostics.
    Start(StartError),
    /// A non-loopback address without a token, or an address in use.
    Address(String),
}

/// What a request sees: one reload's state, whole.
pub struct Served {
    /// 0 for the first, then one more per successful reload.
    pub generation: u64,
    pub report: Arc<Report>,
    /// The report as `kpi score --format json` writes it.
    pub json: String,
    /// A strong ETag of `json`.
    pub etag: String,
    rules: Arc<RuleSet>,
    data: Arc<Dataset>,
    html: OnceLock<String>,
    engine: OnceLock<Result<Engine, String>>,
}

impl Served {
    /// What a snapshot of the live engine serves.
    fn of(snapshot: &crate::live::Snapshot) -> Served {
        Served::new(
            snapshot.generation,
            snapshot.report.clone(),
            snapshot.rules.clone(),
            snapshot.data.clone(),
        )
    }

    fn new(
        generation: u64,
        report: Arc<Report>,
        rules: Arc<RuleSet>,
        data: Arc<Dataset>,
    ) -> Served {
        let json = report.render(ReportFormat::Json);
        let etag = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            json.hash(&mut h);
            // The revision names the rules and params; the hash, the figures
            // (a change of data changes the report, not the revision).
            format!("\"{}-{:016x}\"", report.revision, h.finish())
        };
        Served {
            generation,
            report,
            json,
            etag,
            rules,
            data,
            html: OnceLock::new(),
            engine: OnceLock::new(),
        }
    }

    /// The report as the HTML format renders it.
    pub fn html(&self) -> &str {
        self.html
            .get_or_init(|| self.report.render(ReportFormat::Html))
    }

    /// The engine for what-ifs, compiled on first use.
    fn engine(&self, options: &ScoreOptions) -> Result<&Engine, String> {
        self.engine
            .get_or_init(|| {
                Engine::new((*self.rules).clone(), (*self.data).clone(), options)
                    .map_err(|e| e.render(ErrorFormat::Short))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The last reload: whether it succeeded, and its diagnostics in the
/// `--error-format json` shape.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LastReload {
    pub ok: bool,
    pub diagnostics: serde_json::Value,
}

/// An event for the dashboard and other listeners.
#[derive(Debug, Clone)]
pub struct Notice {
    /// `report` or `diagnostics`.
    pub kind: &'static str,
    /// Its JSON.
    pub data: String,
}

/// What is refused now, by the side it came from: a refused change of the
/// rules is still refused after a good change of the data, and the other
/// way round (the report then mixes the new side with the last good one).
#[derive(Default)]
struct Refusals {
    rules: Option<serde_json::Value>,
    data: Option<serde_json::Value>,
}

impl Refusals {
    fn last(&self) -> LastReload {
        let mut all = Vec::new();
        for side in [&self.rules, &self.data].into_iter().flatten() {
            if let serde_json::Value::Array(items) = side {
                all.extend(items.iter().cloned());
            }
        }
        LastReload {
            ok: self.rules.is_none() && self.data.is_none(),
            diagnostics: serde_json::Value::Array(all),
        }
    }
}

/// The server's shared state.
pub struct App {
    served: ArcSwap<Served>,
    last: ArcSwap<LastReload>,
    refusals: std::sync::Mutex<Refusals>,
    /// The dataset directory, to tell a change of data from one of rules.
    data_dir: PathBuf,
    events: tokio::sync::broadcast::Sender<Notice>,
    token: Option<String>,
    budget: Duration,
    body_limit: usize,
    options: ScoreOptions,
    /// What-ifs running now (a bench and a test read it).
    running: std::sync::atomic::AtomicUsize,
    // The watcher stops with it.
    _live: Arc<Live>,
}

impl App {
    /// The current state; never blocks.
    pub fn served(&self) -> Arc<Served> {
        self.served.load_full()
    }
}

fn diagnostics_json(diags: &[Diagnostic], sources: &crate::source::SourceMap) -> serde_json::Value {
    serde_json::from_str(&render(diags, sources, ErrorFormat::Json, false))
        .unwrap_or(serde_json::Value::Array(Vec::new()))
}

/// Loads and scores, starts watching, and returns the state to serve.
pub fn start(options: &ServeOptions) -> Result<Arc<App>, ServeError> {
    if !options.addr.ip().is_loopback() && options.token.is_none() {
        return Err(ServeError::Address(format!(
            "`{}` is reachable from other machines: serving alumni data there needs --token",
            options.addr
        )));
    }
    let mut score = options.score.clone();
    score.explain = true;
    let live = Live::start(LiveOptions {
        score: score.clone(),
        skip_bad_rows: options.skip_bad_rows,
        ..LiveOptions::new(&options.rules, &options.data)
    })
    .map_err(ServeError::Start)?;
    let live = Arc::new(live);
    let served = Served::of(&live.current());
    let (events, _) = tokio::sync::broadcast::channel(64);
    let app = Arc::new(App {
        served: ArcSwap::from_pointee(served),
        last: ArcSwap::from_pointee(LastReload {
            ok: true,
            diagnostics: serde_json::Value::Array(Vec::new()),
        }),
        events,
        refusals: std::sync::Mutex::new(Refusals::default()),
        data_dir: std::fs::canonicalize(&options.data).unwrap_or_else(|_| options.data.clone()),
        token: options.token.clone(),
        budget: options.budget,
        body_limit: options.body_limit,
        options: score,
        running: std::sync::atomic::AtomicUsize::new(0),
        _live: live.clone(),
    });
    let reloads = live.subscribe();
    let bridge = app.clone();
    std::thread::Builder::new()
        .name("kpi-serve-bridge".into())
        .spawn(move || {
            for event in reloads {
                bridge.reloaded(event, &live);
            }
        })
        .map_err(|e| ServeError::Address(format!("cannot start: {e}")))?;
    Ok(app)
}

impl App {
    /// Whether the changed files include data files, rule files.
    fn sides(&self, changed: &[PathBuf]) -> (bool, bool) {
        let is_data = |p: &PathBuf| {
            std::fs::canonicalize(p)
                .ok()
                .or_else(|| p.parent().and_then(|d| std::fs::canonicalize(d).ok()))
                .is_some_and(|p| p.starts_with(&self.data_dir))
        };
        let data = changed.iter().any(is_data);
        let rules = changed.iter().any(|p| !is_data(p)) || changed.is_empty();
        (data, rules)
    }

    fn refused(&self, update: impl FnOnce(&mut Refusals)) -> LastReload {
        let mut r = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
        update(&mut r);
        let last = r.last();
        self.last.store(Arc::new(last.clone()));
        last
    }

    fn reloaded(&self, event: Event, live: &Live) {
        match event {
            Event::Scored { changed, .. } => {
                let (data, rules) = self.sides(&changed);
                let last = self.refused(|r| {
                    if data {
                        r.data = None;
                    }
                    if rules {
                        r.rules = None;
                    }
                });
                let served = Served::of(&live.current());
                let data = serde_json::json!({
                    "generation": served.generation,
                    "revision": served.report.revision,
                    "etag": served.etag,
                    "score": served.report.score,
                })
                .to_string();
                self.served.store(Arc::new(served));
                let _ = self.events.send(Notice {
                    kind: "report",
                    data,
                });
                // A refusal of the other side still stands: said again.
                if !last.ok {
                    let data = serde_json::to_string(&last).unwrap_or_default();
                    let _ = self.events.send(Notice {
                        kind: "diagnostics",
                        data,
                    });
                }
            }
            Event::Failed {
                diagnostics,
                sources,
                changed,
            } => {
                let (data, rules) = self.sides(&changed);
                let said = diagnostics_json(&diagnostics.0, &sources);
                let last = self.refused(|r| {
                    if data {
                        r.data = Some(said.clone());
                    }
                    if rules || !data {
                        r.rules = Some(said.clone());
                    }
                });
                let data = serde_json::to_string(&last).unwrap_or_default();
                let _ = self.events.send(Notice {
                    kind: "diagnostics",
                    data,
                });
            }
        }
    }
}

/// Serves until Ctrl-C: binds, then answers.
pub fn run(options: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let app = start(options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Address(format!("cannot start: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|e| {
                ServeError::Address(format!("cannot listen on `{}`: {e}", options.addr))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::Address(e.to_string()))?;
        ready(addr);
        let router = api::router(app, options.body_limit);
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| ServeError::Address(e.to_string()))
    })
}

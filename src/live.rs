//! Hot reload: a live engine that re-scores on every save.
//!
//! [`Live`] holds the current rule set, dataset and report in one snapshot,
//! swapped atomically (arc-swap): readers never block and never see half a
//! reload. A background thread watches the rules directory (rule files and
//! plugins) and the dataset directory with notify, waits for a burst of
//! events to settle (editors save by write-then-rename), reloads what
//! changed — only the tables whose files changed — and re-scores. A reload
//! that fails keeps the last good snapshot; subscribers get either the new
//! report or the diagnostics.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use notify::{RecursiveMode, Watcher};

use crate::data::{Dataset, LoadOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::engine::{ScoreOptions, Scoring};
use crate::report::Report;
use crate::rules::RuleSet;
use crate::source::SourceMap;

/// What to watch and how to score.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The rules directory.
    pub rules: PathBuf,
    /// The dataset directory.
    pub data: PathBuf,
    /// Period, params and explain, for every report.
    pub score: ScoreOptions,
    /// Leave bad rows out instead of failing (`--skip-bad-rows`).
    pub skip_bad_rows: bool,
    /// Also reload the dataset when its files change.
    pub watch_data: bool,
    /// How long events must pause before a reload starts.
    pub debounce: Duration,
    /// Files never read nor watched (the report being written, when it
    /// lies in the rules or dataset directory).
    pub ignore: Vec<PathBuf>,
}

impl LiveOptions {
    /// Watches these two directories with default options.
    pub fn new(rules: impl Into<PathBuf>, data: impl Into<PathBuf>) -> LiveOptions {
        LiveOptions {
            rules: rules.into(),
            data: data.into(),
            score: ScoreOptions::default(),
            skip_bad_rows: false,
            watch_data: true,
            debounce: Duration::from_millis(50),
            ignore: Vec::new(),
        }
    }
}

/// The current state: what was scored and the report.
#[derive(Debug)]
pub struct Snapshot {
    /// The rules scored.
    pub rules: Arc<RuleSet>,
    /// The dataset scored.
    pub data: Arc<Dataset>,
    /// Their report.
    pub report: Arc<Report>,
    /// 0 for the first snapshot, then one more per successful reload.
    pub generation: u64,
}

/// What a reload gave.
#[derive(Debug, Clone)]
pub enum Event {
    /// A new report (already in [`Live::current`]).
    Scored {
        /// The new report.
        report: Arc<Report>,
        /// The overall score before the change.
        previous_score: Option<f64>,
        /// The files whose change triggered the reload.
        changed: Vec<PathBuf>,
        /// The tables read again (none when only rules changed).
        reloaded_tables: Vec<String>,
        /// From the first change seen to the new report, debounce included.
        latency: Duration,
    },
    /// The change did not check or load: the last good snapshot stays.
    Failed {
        /// Why: every problem; the last good snapshot stays.
        diagnostics: Diagnostics,
        /// To render the diagnostics.
        sources: Arc<SourceMap>,
        /// The files whose change was refused.
        changed: Vec<PathBuf>,
    },
}

/// Why the first load failed.
#[derive(Debug)]
pub struct StartError {
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The rule files they point into.
    pub sources: SourceMap,
}

/// A live engine: see the module documentation.
pub struct Live {
    current: Arc<ArcSwap<Snapshot>>,
    subscribers: Arc<Mutex<Vec<Sender<Event>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    // Dropping the watcher stops the notifications.
    _watcher: Arc<Mutex<notify::RecommendedWatcher>>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("generation", &self.current().generation)
            .finish()
    }
}

fn load_options(options: &LiveOptions, rules: &RuleSet) -> LoadOptions {
    let mut load = LoadOptions {
        skip_bad_rows: options.skip_bad_rows,
        ..LoadOptions::for_rules(rules)
    };
    for path in &options.ignore {
        if path.parent().is_some_and(|p| same_dir(p, &options.data))
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            load.exclude.push(name.to_string());
        }
    }
    load
}

fn load_rules(options: &LiveOptions) -> (RuleSet, Diagnostics) {
    RuleSet::load_dir_except(&options.rules, &options.ignore)
}

/// Scores `rules` against `data`, or says why not.
fn score(rules: &RuleSet, data: &Dataset, options: &ScoreOptions) -> Result<Report, Diagnostics> {
    Scoring::new(rules, data, options).map(|s| s.report())
}

impl Live {
    /// Loads, scores, and starts watching.
    pub fn start(options: LiveOptions) -> Result<Live, StartError> {
        let fail = |diagnostics: Diagnostics, sources: SourceMap| StartError {
            diagnostics,
            sources,
        };
        let (rules, diags) = load_rules(&options);
        if diags.has_errors() {
            return Err(fail(diags, rules.sources));
        }
        let data = Dataset::load(&options.data, &load_options(&options, &rules))
            .map_err(|d| fail(d, rules.sources.clone()))?;
        let report =
            score(&rules, &data, &options.score).map_err(|d| fail(d, rules.sources.clone()))?;
        let current = Arc::new(ArcSwap::from_pointee(Snapshot {
            rules: Arc::new(rules),
            data: Arc::new(data),
            report: Arc::new(report),
            generation: 0,
        }));

        let (tx, rx) = channel::<notify::Result<notify::Event>>();
        let mut watcher = notify::recommended_watcher(move |res| {
            let _ = tx.send(res);
        })
        .map_err(|e| fail(watch_error(&options.rules, &e), SourceMap::new()))?;
        for (dir, mode) in watched_dirs(&options) {
            watcher
                .watch(&dir, mode)
                .map_err(|e| fail(watch_error(&dir, &e), SourceMap::new()))?;
            // The directory itself may be removed and made again, or
            // replaced (`mv new rules`): its parent says so.
            if let Some(parent) = parent_of(&dir) {
                let _ = watcher.watch(&parent, RecursiveMode::NonRecursive);
            }
        }

        let subscribers: Arc<Mutex<Vec<Sender<Event>>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = Arc::new(Mutex::new(watcher));
        let worker = Worker {
            options,
            current: current.clone(),
            subscribers: subscribers.clone(),
            generation: AtomicU64::new(0),
            watcher: watcher.clone(),
        };
        let stop_flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kpi-live".into())
            .spawn(move || worker.run(&rx, &stop_flag))
            .map_err(|e| {
                fail(
                    Diagnostics(vec![Diagnostic::error(
                        "live::thread",
                        format!("cannot start the watcher: {e}"),
                    )]),
                    SourceMap::new(),
                )
            })?;
        Ok(Live {
            current,
            subscribers,
            stop,
            thread: Some(thread),
            _watcher: watcher,
        })
    }

    /// The current snapshot; never blocks.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Every reload from now on, as it happens.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = channel();
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.push(tx);
        }
        rx
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn watch_error(path: &Path, e: &notify::Error) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(
        "live::watch",
        format!("cannot watch `{}`: {e}", path.display()),
    )])
}

/// The directories to watch, and how.
fn watched_dirs(options: &LiveOptions) -> Vec<(PathBuf, RecursiveMode)> {
    let mut dirs = vec![(options.rules.clone(), RecursiveMode::Recursive)];
    if options.watch_data {
        dirs.push((options.data.clone(), RecursiveMode::NonRecursive));
    }
    dirs
}

/// The directory holding `dir` (`.` for a relative name without one).
fn parent_of(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).ok()?;
    absolute.parent().map(Path::to_path_buf)
}

/// What a batch of file events touched.
#[derive(Default)]
struct Changes {
    rules: Vec<PathBuf>,
    data: Vec<PathBuf>,
    /// A watched directory itself was made, removed or replaced: the
    /// rules directory, the dataset directory.
    moved: (bool, bool),
}

struct Worker {
    options: LiveOptions,
    current: Arc<ArcSwap<Snapshot>>,
    subscribers: Arc<Mutex<Vec<Sender<Event>>>>,
    generation: AtomicU64,
    watcher: Arc<Mutex<notify::RecommendedWatcher>>,
}

impl Worker {
    fn run(&self, rx: &Receiver<notify::Result<notify::Event>>, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let first = match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let started = Instant::now();
            let mut changes = Changes::default();
            self.classify(first, &mut changes);
            // Debounce: wait until events pause.
            loop {
                match rx.recv_timeout(self.options.debounce) {
                    Ok(ev) => self.classify(ev, &mut changes),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if changes.moved != (false, false) {
                self.rewatch(&mut changes);
            }
            if changes.rules.is_empty() && changes.data.is_empty() {
                continue;
            }
            let event = self.reload(changes, started);
            if let Ok(mut subs) = self.subscribers.lock() {
                subs.retain(|s| s.send(event.clone()).is_ok());
            }
        }
    }

    /// Watches the directories again after one was made anew or replaced
    /// (the old watch followed the old directory), and reloads everything
    /// from them.
    fn rewatch(&self, changes: &mut Changes) {
        if let Ok(mut watcher) = self.watcher.lock() {
            for (dir, mode) in watched_dirs(&self.options) {
                let _ = watcher.unwatch(&dir);
                let _ = watcher.watch(&dir, mode);
            }
        }
        let (rules, data) = changes.moved;
        if rules && self.options.rules.is_dir() {
            changes.rules.push(self.options.rules.clone());
        }
        // A changed manifest reloads every table.
        if data && self.options.data.is_dir() {
            changes.data.push(self.options.data.join("dataset.yaml"));
        }
    }

    /// Keeps the paths that matter: rule files and plugins under the rules
    /// directory, table files and the manifest in the dataset directory
    /// (never an ignored file), and the directories themselves.
    fn classify(&self, event: notify::Result<notify::Event>, changes: &mut Changes) {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let is_dir =
                |dir: &Path| std::path::absolute(dir).ok() == std::path::absolute(&path).ok();
            if is_dir(&self.options.rules) {
                changes.moved.0 = true;
                continue;
            }
            if self.options.watch_data && is_dir(&self.options.data) {
                changes.moved.1 = true;
                continue;
            }
            if self.options.ignore.iter().any(|i| same_file(i, &path)) {
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') {
                continue;
            }
            let in_dir = |dir: &Path| path.parent().is_some_and(|p| same_dir(p, dir));
            let under = |dir: &Path| path.ancestors().any(|a| same_dir(a, dir));
            let list = if (in_dir(&self.options.rules) && matches!(ext, "kpi" | "yaml" | "yml"))
                || (under(&self.options.rules) && ext == "rhai")
            {
                &mut changes.rules
            } else if in_dir(&self.options.data)
                && (matches!(ext, "csv" | "jsonl") || name == "dataset.yaml")
            {
                &mut changes.data
            } else {
                continue;
            };
            if !list.contains(&path) {
                list.push(path);
            }
        }
    }

    fn reload(&self, changes: Changes, started: Instant) -> Event {
        let old = self.current.load_full();
        let mut changed = changes.rules.clone();
        changed.extend(changes.data.iter().cloned());
        let failed = |diagnostics: Diagnostics, sources: &SourceMap| Event::Failed {
            diagnostics,
            sources: Arc::new(sources.clone()),
            changed: changed.clone(),
        };
        let rules = if changes.rules.is_empty() {
            old.rules.clone()
        } else {
            let (rules, diags) = load_rules(&self.options);
            if diags.has_errors() {
                return failed(diags, &rules.sources);
            }
            Arc::new(rules)
        };
        let (data, reloaded_tables) = if changes.data.is_empty() {
            (old.data.clone(), Vec::new())
        } else {
            match old
                .data
                .reload(&changes.data, &load_options(&self.options, &rules))
            {
                Ok((data, reloaded)) => (Arc::new(data), reloaded),
                Err(diags) => return failed(diags, &rules.sources),
            }
        };
        let report = match score(&rules, &data, &self.options.score) {
            Ok(r) => Arc::new(r),
            Err(diags) => return failed(diags, &rules.sources),
        };
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.current.store(Arc::new(Snapshot {
            rules,
            data,
            report: report.clone(),
            generation,
        }));
        Event::Scored {
            report,
            previous_score: old.report.score,
            changed,
            reloaded_tables,
            latency: started.elapsed(),
        }
    }
}

/// Two paths name the same file (one may be relative, or not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::path::absolute(a), std::path::absolute(b)) {
        (Ok(x), Ok(y)) if x == y => true,
        _ => {
            a.file_name() == b.file_name()
                && a.parent()
                    .zip(b.parent())
                    .is_some_and(|(x, y)| same_dir(x, y))
        }
    }
}

/// Two paths name the same directory (one may be relative).
fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

//! The figures shown on hover, computed in the background: each rules
//! directory whose rules check is scored on its dataset by a worker
//! thread, the newest version of the rules only (versions typed while it
//! worked are skipped), the dataset loaded once and again only when a
//! file of it changes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use crate::data::{Dataset, LoadOptions};
use crate::engine::{ScoreOptions, Scoring};
use crate::report::Report;
use crate::rules::RuleSet;

/// The figures of one version of a rules directory.
#[derive(Debug, Clone)]
pub struct Values {
    /// The rules they were computed from ([`super::analysis::Analysis::fingerprint`]).
    pub fingerprint: u64,
    /// The report, or why there is none (the dataset does not load…).
    pub report: Result<Arc<Report>, String>,
    /// How long loading (when needed) and scoring took.
    pub millis: f64,
}

struct Job {
    fingerprint: u64,
    rules: RuleSet,
    data: PathBuf,
}

/// What identifies a dataset's files as they are: their names, sizes and
/// times of change.
type Stamp = Vec<(PathBuf, u64, Option<SystemTime>)>;

#[derive(Default)]
struct State {
    pending: HashMap<PathBuf, Job>,
    running: HashSet<PathBuf>,
    values: HashMap<PathBuf, Values>,
    datasets: HashMap<(PathBuf, Vec<String>), (Stamp, Arc<Dataset>)>,
}

/// The background scorer, shared by the server and its workers.
#[derive(Clone, Default)]
pub struct Scorer {
    state: Arc<Mutex<State>>,
}

impl Scorer {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked leaves data that are still whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Scores `rules` (of `dir`, with this fingerprint) on `data`, in the
    /// background; a job still waiting for `dir` is replaced.
    pub fn submit(&self, dir: &Path, fingerprint: u64, rules: RuleSet, data: PathBuf) {
        let mut state = self.lock();
        state.pending.insert(
            dir.to_path_buf(),
            Job {
                fingerprint,
                rules,
                data,
            },
        );
        if state.running.insert(dir.to_path_buf()) {
            let me = self.clone();
            let owned = dir.to_path_buf();
            let spawned = std::thread::Builder::new()
                .name("kpi-lsp-score".into())
                .spawn(move || me.work(&owned));
            if spawned.is_err() {
                state.running.remove(dir);
            }
        }
    }

    fn work(&self, dir: &Path) {
        loop {
            let job = {
                let mut state = self.lock();
                match state.pending.remove(dir) {
                    Some(job) => job,
                    None => {
                        state.running.remove(dir);
                        return;
                    }
                }
            };
            let start = Instant::now();
            // A bug in scoring must not leave the directory marked as
            // being scored for ever: it is said in the hover instead.
            let report =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.score(&job)))
                    .unwrap_or_else(|_| Err("scoring failed (a bug: please report it)".into()))
                    .map(Arc::new);
            let values = Values {
                fingerprint: job.fingerprint,
                report,
                millis: start.elapsed().as_secs_f64() * 1e3,
            };
            self.lock().values.insert(dir.to_path_buf(), values);
        }
    }

    fn score(&self, job: &Job) -> Result<Report, String> {
        let options = LoadOptions::for_rules(&job.rules);
        let key = (job.data.clone(), options.exclude.clone());
        let stamp = stamp(&job.data);
        let cached = self
            .lock()
            .datasets
            .get(&key)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, d)| d.clone());
        let data = match cached {
            Some(d) => d,
            None => {
                let loaded = Dataset::load(&job.data, &options).map_err(|errors| {
                    format!(
                        "the dataset `{}` does not load ({} error(s); `kpi check` lists them)",
                        job.data.display(),
                        errors.error_count()
                    )
                })?;
                let loaded = Arc::new(loaded);
                self.lock().datasets.insert(key, (stamp, loaded.clone()));
                loaded
            }
        };
        let scoring = Scoring::new(&job.rules, &data, &ScoreOptions::default()).map_err(|e| {
            e.iter()
                .find(|d| d.is_error())
                .map_or("the rules do not score".to_string(), |d| d.message.clone())
        })?;
        Ok(scoring.report())
    }

    /// The newest figures of `dir`, if any were computed.
    pub fn values(&self, dir: &Path) -> Option<Values> {
        self.lock().values.get(dir).cloned()
    }

    /// Whether a job of `dir` is waiting or running.
    pub fn busy(&self, dir: &Path) -> bool {
        self.lock().running.contains(dir)
    }

    /// The dataset's schema with its types, once it has been loaded and
    /// if its files have not changed since.
    pub fn loaded_schema(&self, data: &Path) -> Option<crate::data::Schema> {
        let now = stamp(data);
        self.lock()
            .datasets
            .iter()
            .find(|((d, _), (s, _))| d == data && *s == now)
            .map(|(_, (_, d))| d.schema())
    }
}

/// A hash of what [`stamp`] says of a dataset directory (its path too):
/// equal hashes, the same files as they were.
pub fn stamp_hash(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut h);
    stamp(dir).hash(&mut h);
    h.finish()
}

fn stamp(dir: &Path) -> Stamp {
    let mut out: Stamp = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let meta = e.metadata().ok()?;
            Some((e.path(), meta.len(), meta.modified().ok()))
        })
        .collect();
    out.sort();
    out
}

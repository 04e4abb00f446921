//! Caches shared by the threads of one evaluation: each entry is computed
//! once, and a thread asking for an entry being computed waits for it.
//!
//! A computation may ask for other entries (a profile column reads
//! another), never for itself: declarations form no cycle (the checker
//! rejects them), so no thread waits on its own work.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// A map whose values are computed once per key.
pub struct OnceMap<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceLock<V>>>>,
}

impl<K, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        OnceMap {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V: Clone> OnceMap<K, V> {
    /// The value of `key`, computed by `init` if no thread has yet.
    pub fn get_or_init(&self, key: K, init: impl FnOnce() -> V) -> V {
        // The map's lock is released before computing: `init` may ask
        // for other keys.
        let cell = lock(&self.cells).entry(key).or_default().clone();
        cell.get_or_init(init).clone()
    }

    /// The value of `key` if it is computed.
    pub fn get(&self, key: &K) -> Option<V> {
        lock(&self.cells).get(key).and_then(|c| c.get().cloned())
    }
}

/// Locks a mutex; a panic in another thread does not poison the caches
/// (their entries are complete values or absent).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Key k's value is k, computed from key k - 1's.
    fn value(map: &OnceMap<u32, u32>, calls: &AtomicUsize, k: u32) -> u32 {
        map.get_or_init(k, || {
            calls.fetch_add(1, Ordering::SeqCst);
            if k == 0 {
                0
            } else {
                value(map, calls, k - 1) + 1
            }
        })
    }

    #[test]
    fn each_key_is_computed_once_across_threads() {
        let map: OnceMap<u32, u32> = OnceMap::default();
        let calls = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let (map, calls) = (&map, &calls);
                s.spawn(move || {
                    for k in 0..50u32 {
                        let k = (k * 7 + t * 13) % 50;
                        assert_eq!(value(map, calls, k), k);
                    }
                });
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 50);
        assert_eq!(map.get(&49), Some(49));
        assert_eq!(map.get(&50), None);
    }
}

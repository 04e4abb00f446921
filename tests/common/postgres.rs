//! A PostgreSQL server for the tests (a local socket: `.ci/run` installs
//! and starts Debian's `postgresql`; `KPI_TEST_POSTGRES` names another),
//! a schema per test, and the sample copied in.

use std::sync::atomic::{AtomicUsize, Ordering};

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::rules::RuleSet;
use alumni_kpi::sql::postgres::Database;

use super::root;

/// The test database's URL (a superuser's, to create schemas).
pub fn pg_url() -> String {
    std::env::var("KPI_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgresql:///postgres?host=/var/run/postgresql".to_string())
}

/// A schema of its own for one test, dropped at the end.
pub struct Schema {
    pub db: Database,
    pub name: String,
}

impl Schema {
    pub fn new() -> Schema {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "kpi_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut db = Database::connect(&pg_url()).unwrap_or_else(|e| {
            panic!(
                "{}: these tests need a PostgreSQL server (Debian's `postgresql`, started by .ci/run)",
                e.message
            )
        });
        db.execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}; SET search_path TO {name}"
        ))
        .expect("a schema");
        Schema { db, name }
    }

    /// The URL that reads this schema's tables.
    pub fn url(&self) -> String {
        let url = pg_url();
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{}", self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self
            .db
            .execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

/// A rules directory of the project, and the sample loaded for it.
pub fn sample(rules_dir: &str) -> (RuleSet, Dataset) {
    let (rules, errors) = RuleSet::load_dir(&root().join(rules_dir));
    assert!(!errors.has_errors(), "{errors:?}");
    let data = Dataset::load(&root().join("data/sample"), &LoadOptions::for_rules(&rules))
        .expect("the sample loads");
    (rules, data)
}

/// The same, with the sample copied into a schema of its own.
pub fn sample_in_postgres(rules_dir: &str) -> (Schema, RuleSet, Dataset) {
    let (rules, data) = sample(rules_dir);
    let mut schema = Schema::new();
    schema.db.copy_in(&data).expect("copied in");
    (schema, rules, data)
}

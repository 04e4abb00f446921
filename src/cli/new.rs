//! `kpi new DIR`: a commented starter rules directory — a scorecard, one
//! objective per impact goal, a profile, a test and a `kpi.toml` — that
//! checks, scores on the sample and passes its test.

use std::path::{Component, Path, PathBuf};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory to create (new, or empty).
    dir: PathBuf,
    /// The dataset that `kpi.toml` names for editors (`kpi lsp`).
    #[arg(long, default_value_os_t = super::default_data())]
    data: PathBuf,
}

const FILES: &[(&str, &str)] = &[
    ("scorecard.kpi", include_str!("starter/scorecard.kpi")),
    ("impact.kpi", include_str!("starter/impact.kpi")),
    (
        "tests/starter.test.yaml",
        include_str!("starter/starter.test.yaml"),
    ),
];

pub fn run(args: Args, out: &Output) -> Exit {
    let dir = &args.dir;
    let not_empty = std::fs::read_dir(dir).is_ok_and(|mut e| e.next().is_some());
    if not_empty || dir.is_file() {
        eprintln!(
            "error: `{}` already exists and is not empty: `kpi new` writes a new rules directory",
            dir.display()
        );
        eprintln!("help: name a directory that does not exist yet");
        return Exit::Usage;
    }
    if let Err(e) = std::fs::create_dir_all(dir.join("tests")) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        return Exit::Errors;
    }
    let toml = kpi_toml(&relative(&args.data, dir).display().to_string());
    let mut files: Vec<(&str, String)> = FILES.iter().map(|(n, t)| (*n, t.to_string())).collect();
    files.push(("kpi.toml", toml));
    for (name, text) in &files {
        if let Err(d) = super::fmt::write_file(&dir.join(name), text) {
            out.diagnostics(&[*d], &Default::default());
            return Exit::Errors;
        }
    }
    let d = dir.display();
    out.note(&format!(
        "wrote {d}/: scorecard.kpi, impact.kpi, tests/starter.test.yaml, kpi.toml\n\
         next:\n  kpi check --rules {d} --data {data}\n  kpi test --rules {d}\n  kpi score --rules {d} --data {data}",
        data = args.data.display()
    ));
    Exit::Ok
}

/// The `kpi.toml` naming the dataset (quoted as TOML: any path reads back).
fn kpi_toml(data: &str) -> String {
    format!(
        "# Where editors (`kpi lsp`) find the dataset of these rules, relative\n\
         # to this file: its tables and columns are checked and completed as you\n\
         # type, and hovering an indicator shows its figures on it.\n\
         data = {}\n",
        toml::Value::String(data.to_string())
    )
}

/// `target` as a path relative to `from` (both taken from the current
/// directory); `target` itself when that cannot be said (another drive).
fn relative(target: &Path, from: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|c| c.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    let (target_abs, from_abs) = (absolute(target), absolute(from));
    let t: Vec<Component> = target_abs.components().collect();
    let f: Vec<Component> = from_abs.components().collect();
    if t.first() != f.first() {
        return target.to_path_buf();
    }
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{kpi_toml, relative};
    use std::path::Path;

    /// Found in review: the path was quoted as Rust writes strings
    /// (`\u{301}`), which no TOML reader takes; the editor then ran
    /// without the dataset.
    #[test]
    fn kpi_toml_reads_back_any_path() {
        for path in ["../data/sample", "../Donne\u{301}es \"x\"\\y", "C:\\data"] {
            let table: toml::Table = toml::from_str(&kpi_toml(path)).expect("TOML");
            assert_eq!(table["data"].as_str(), Some(path));
        }
    }

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(
            relative(Path::new("/a/data/sample"), Path::new("/a/rules")),
            Path::new("../data/sample")
        );
        assert_eq!(
            relative(Path::new("/a/rules/data"), Path::new("/a/rules")),
            Path::new("data")
        );
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), Path::new("."));
    }
}

//! `kpi fmt`: canonical layout in place (or `--check`).

use std::path::{Path, PathBuf};

use alumni_kpi::diagnostic::Diagnostic;
use alumni_kpi::rules::RuleSet;
use alumni_kpi::syntax::{self, Format};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rule files (.kpi, .yaml), or directories of them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1.
    #[arg(long)]
    check: bool,
}

/// The rule files named directly or found in named directories.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && Format::of_path(f).is_some())
                .collect();
            found.sort();
            out.extend(found);
        } else if Format::of_path(p).is_some() {
            out.push(p.clone());
        } else {
            return Err(format!(
                "`{}` is not a .kpi or .yaml rule file{}",
                p.display(),
                test_hint(p)
            ));
        }
    }
    Ok(out)
}

/// What to say of a rule test named where a rule file was expected.
pub fn test_hint(path: &Path) -> &'static str {
    if alumni_kpi::syntax::is_test_file(path) {
        " (a .test.yaml file is a rule test: `kpi test` runs it)"
    } else {
        ""
    }
}

pub fn run(args: Args, out: &Output) -> Exit {
    let files = match expand(&args.files) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let mut status = Exit::Ok;
    let (mut changed, mut unchanged) = (0, 0);
    for path in files {
        match format_file(&path, args.check, out) {
            Ok(true) if args.check => {
                super::stdout(&format!("{}\n", path.display()));
                changed += 1;
                status = Exit::Errors;
            }
            Ok(true) => changed += 1,
            Ok(false) => unchanged += 1,
            Err(()) => status = Exit::Errors,
        }
    }
    out.note(&if args.check {
        format!("{changed} file(s) to format, {unchanged} already formatted")
    } else {
        format!("{changed} file(s) formatted, {unchanged} already formatted")
    });
    status
}

/// Formats one file; `Ok(true)` when its text changes (or would change).
fn format_file(path: &Path, check_only: bool, out: &Output) -> Result<bool, ()> {
    let Some(format) = Format::of_path(path) else {
        return Err(());
    };
    let text = alumni_kpi::rules::read_rule_file(path)
        .map_err(|d| out.diagnostics(&[*d], &Default::default()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.display().to_string();
    let (rules, diags) = RuleSet::from_texts(dir, &[(name.as_str(), text.as_str())]);
    let Some(file) = rules.files.first().filter(|_| !diags.has_errors()) else {
        out.diagnostics(&diags.0, &rules.sources);
        return Err(());
    };
    let formatted = syntax::print_checked(&file.tree, format, &name)
        .map_err(|d| out.diagnostics(&[*d], &rules.sources))?;
    if formatted == text {
        return Ok(false);
    }
    if !check_only {
        write_file(path, &formatted).map_err(|d| out.diagnostics(&[*d], &rules.sources))?;
    }
    Ok(true)
}

/// Writes a file atomically; a failure is a diagnostic naming the file.
pub fn write_file(path: &Path, contents: &str) -> Result<(), Box<Diagnostic>> {
    alumni_kpi::atomic::write_atomic(path, contents.as_bytes()).map_err(|e| {
        Box::new(Diagnostic::error(
            "io::write",
            format!(
                "cannot write `{}`: {}",
                path.display(),
                alumni_kpi::files::io_words(&e)
            ),
        ))
    })
}

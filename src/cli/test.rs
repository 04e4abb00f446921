//! `kpi test`: the rule tests of a rules directory, with coverage.

use std::path::PathBuf;

use alumni_kpi::diagnostic::ErrorFormat;
use alumni_kpi::ruletest::{self, TestFormat};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory under test.
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// Test files to run (default: every `*.test.yaml` in the rules
    /// directory and, at any depth, in its `tests/`).
    files: Vec<PathBuf>,
    /// How results are printed: `text`, `json` (alumni-kpi/test@1) or
    /// `junit` (XML for CI dashboards), on standard output.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
    /// Name the indicators and profile columns no test asserts, and the
    /// share that are.
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when less than PCT % of the indicators and profile
    /// columns are asserted. Implies --coverage.
    #[arg(long, value_name = "PCT", value_parser = percent)]
    threshold: Option<f64>,
}

fn percent(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a percentage (write 90)"))?;
    if (0.0..=100.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("`{s}` is not between 0 and 100"))
    }
}

pub fn run(args: Args, out: &Output) -> Exit {
    let (rules, parse_errors) = alumni_kpi::rules::RuleSet::load_dir(&args.rules);
    let files = if args.files.is_empty() {
        ruletest::find_files(&args.rules)
    } else {
        args.files.clone()
    };
    if files.is_empty() {
        eprintln!(
            "error: no test files in `{}` or its `tests/` (a test file is named `*.test.yaml`)",
            args.rules.display()
        );
        eprintln!("help: `kpi new DIR` writes a rules directory with a test file to start from");
        return Exit::Errors;
    }
    if parse_errors.has_errors() {
        out.failed(&parse_errors.0, &rules.sources);
        return Exit::Errors;
    }
    let mut suite = ruletest::run_suite(&rules, &files);
    if args.files.is_empty() {
        suite
            .diagnostics
            .extend(ruletest::spec::strays(&args.rules));
    }
    match args.format {
        // The JSON document holds the diagnostics: nothing else goes out.
        TestFormat::Json => {}
        TestFormat::Text => out.diagnostics(&suite.diagnostics.0, &suite.sources),
        // The XML is on standard output: the diagnostics go to the error
        // stream, whatever --error-format says.
        TestFormat::Junit => eprint!(
            "{}",
            alumni_kpi::diagnostic::render(
                &suite.diagnostics.0,
                &suite.sources,
                ErrorFormat::Human,
                out.color
            )
        ),
    }
    let coverage = args.coverage || args.threshold.is_some();
    let color = out.color && out.format == ErrorFormat::Human;
    super::stdout(&match args.format {
        TestFormat::Text => ruletest::text(&suite, coverage, out.format, color),
        TestFormat::Json => ruletest::json(&suite),
        TestFormat::Junit => ruletest::junit(&suite, args.threshold),
    });
    let mut exit = if suite.ok() { Exit::Ok } else { Exit::Errors };
    if suite.results.is_empty() && !suite.diagnostics.has_errors() {
        out.note("no test ran: the test files hold no test");
    }
    if suite.diagnostics.has_errors() {
        out.note(&format!(
            "{} error(s) in the rules or test files: the tests they concern did not run",
            suite.diagnostics.error_count()
        ));
    }
    if let Some(min) = args.threshold {
        let got = suite.coverage.percent();
        if got + 1e-9 < min {
            out.note(&format!(
                "coverage {got:.1}% is below the threshold of {min}%"
            ));
            exit = Exit::Errors;
        }
    }
    exit
}

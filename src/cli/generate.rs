//! `kpi generate`: a realistic synthetic dataset.

use std::path::PathBuf;

use alumni_kpi::generate::{GenerateOptions, generate};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many alumni.
    #[arg(long)]
    alumni: usize,
    /// The random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The directory to write (created if needed; it must be empty).
    #[arg(long)]
    out: PathBuf,
    /// Invitations per event, as a multiple of the usual (1: about 1.6
    /// participation rows per alumnus; 12.5: about 20): a larger
    /// communication log for warehouse-scale tests.
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    invitations: f64,
    /// Write into a directory that already holds files (those of the same
    /// names are replaced).
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, out: &Output) -> Exit {
    if !args.force
        && let Ok(mut entries) = std::fs::read_dir(&args.out)
        && entries.next().is_some()
    {
        eprintln!(
            "error: `{}` is not empty: its files would be replaced (pass --force to write there anyway)",
            args.out.display()
        );
        return Exit::Usage;
    }
    let started = std::time::Instant::now();
    if !(args.invitations.is_finite() && args.invitations >= 0.0) {
        eprintln!(
            "error: --invitations must be a number from 0 up, not {}",
            args.invitations
        );
        return Exit::Usage;
    }
    let options = GenerateOptions {
        invitations: args.invitations,
        ..GenerateOptions::new(args.alumni, args.seed)
    };
    match generate(&args.out, &options) {
        Ok(written) => {
            let tables: Vec<String> = written.iter().map(|(t, n)| format!("{t} {n}")).collect();
            out.note(&format!(
                "{}: {} in {:.1} s",
                args.out.display(),
                tables.join(", "),
                started.elapsed().as_secs_f64()
            ));
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", args.out.display());
            Exit::Errors
        }
    }
}

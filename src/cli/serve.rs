//! `kpi serve`: the live dashboard and the HTTP API.

use std::net::SocketAddr;
use std::time::Duration;

use alumni_kpi::serve::{ServeError, ServeOptions};

use super::{Exit, Output, Scope};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    scope: Scope,
    /// Where to listen. Another address than loopback (127.0.0.1, ::1)
    /// needs --token: alumni data are personal data.
    #[arg(long, default_value = "127.0.0.1:8337", value_parser = address)]
    addr: SocketAddr,
    /// Every request must carry `Authorization: Bearer TOKEN` (a browser:
    /// open /?token=TOKEN once). Also read from KPI_TOKEN.
    #[arg(long, env = "KPI_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The longest a what-if may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    budget_ms: u64,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024)]
    body_limit: usize,
}

/// `HOST:PORT`, the host a number or a name (`localhost:8337`).
fn address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .map_err(|e| format!("`{text}`: {e} (write HOST:PORT, e.g. 127.0.0.1:8337)"))?
        .next()
        .ok_or_else(|| format!("`{text}` names no address"))
}

/// Why a token is too weak to guard personal data, if it is.
fn weak(token: &str) -> Option<&'static str> {
    let distinct: std::collections::HashSet<char> = token.chars().collect();
    if token.chars().count() < 16 {
        Some("use at least 16 characters")
    } else if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("no spaces or control characters")
    } else if distinct.len() < 8 {
        Some("too few different characters")
    } else {
        None
    }
}

pub fn run(args: Args, out: &Output) -> Exit {
    if let Err(exit) = args.scope.files_only("serve") {
        return exit;
    }
    let score = match args.scope.score_options() {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    if let Some(why) = args.token.as_deref().and_then(weak) {
        eprintln!("error: --token: {why} (make one with `openssl rand -hex 16`)");
        return Exit::Usage;
    }
    let options = ServeOptions {
        rules: args.scope.rules.clone(),
        data: args.scope.data.clone(),
        addr: args.addr,
        token: args.token,
        score,
        skip_bad_rows: args.scope.skip_bad_rows,
        budget: Duration::from_millis(args.budget_ms),
        body_limit: args.body_limit,
    };
    let result = alumni_kpi::serve::run(&options, |addr| {
        out.note(&format!(
            "kpi serve: http://{addr}/ (the API: http://{addr}/api/openapi.json); Ctrl-C stops"
        ));
    });
    match result {
        Ok(()) => Exit::Ok,
        Err(ServeError::Start(e)) => {
            out.failed(&e.diagnostics.0, &e.sources);
            Exit::Errors
        }
        Err(ServeError::Address(message)) => {
            eprintln!("error: {message}");
            Exit::Usage
        }
    }
}

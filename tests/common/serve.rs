//! `kpi serve` on a copy of the LERU pack and the sample, and a small
//! HTTP/1.1 client over std (requests, and server-sent events read line
//! by line).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub addr: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Copies `rules` and `data` (from the project) and serves them with
    /// these extra arguments.
    pub fn start(rules: &str, data: &str, args: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        super::copy_dir(&super::root().join(rules), &dir.path().join("rules"));
        super::copy_dir(&super::root().join(data), &dir.path().join("data"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .arg("serve")
            .arg("--rules")
            .arg(dir.path().join("rules"))
            .arg("--data")
            .arg(dir.path().join("data"))
            .args(if args.contains(&"--addr") {
                &[][..]
            } else {
                &["--addr", "127.0.0.1:0"][..]
            })
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kpi serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let first = lines
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("kpi serve said nothing: {:?}", child.try_wait()));
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        // The rest of its standard error is drained, not to block it.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr, dir }
    }

    pub fn rules(&self) -> PathBuf {
        self.dir.path().join("rules")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        request(&self.addr, "GET", path, headers, None)
    }

    pub fn post(&self, path: &str, body: &str) -> Response {
        request(
            &self.addr,
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Some(body.as_bytes()),
        )
    }

    /// Waits until `want` holds of the report, or panics.
    pub fn report_until(&self, want: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.get("/api/report", &[]).json();
            if want(&r) {
                return r;
            }
            assert!(Instant::now() < deadline, "the report never changed so");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }
}

/// One request on a connection of its own (`Connection: close`).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head += &format!("{k}: {v}\r\n");
    }
    if let Some(b) = body {
        head += &format!("Content-Length: {}\r\n", b.len());
    }
    head += "\r\n";
    // The server may answer (413) before reading a large body and close.
    let _ = s.write_all(head.as_bytes());
    if let Some(b) = body {
        let _ = s.write_all(b);
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out += &rest[..n];
        body = rest[n..].strip_prefix("\r\n").unwrap_or(&rest[n..]);
    }
    out
}

/// Server-sent events: `(event, data)` pairs as they come.
pub struct Events {
    lines: std::io::Lines<BufReader<TcpStream>>,
}

impl Events {
    pub fn open(addr: &str) -> Events {
        let mut s = TcpStream::connect(addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        // HTTP/1.0: the stream is not chunked, it ends when the connection does.
        write!(
            s,
            "GET /api/events HTTP/1.0\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("write");
        let mut lines = BufReader::new(s).lines();
        // The head, up to its blank line.
        for line in lines.by_ref() {
            if line.expect("a line").is_empty() {
                break;
            }
        }
        Events { lines }
    }

    /// The next event (chunk sizes and keep-alive comments skipped), or a
    /// panic after 20 s: keep-alive comments every 15 s would otherwise
    /// keep a test waiting for an event that never comes.
    pub fn next(&mut self) -> (String, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let (mut event, mut data) = (String::new(), String::new());
        for line in self.lines.by_ref() {
            assert!(Instant::now() < deadline, "no event within 20 s");
            let line = line.expect("an event within 20 s");
            if let Some(e) = line.strip_prefix("event: ").or(line.strip_prefix("event:")) {
                event = e.trim().to_string();
            } else if let Some(d) = line.strip_prefix("data: ").or(line.strip_prefix("data:")) {
                data += d.trim_start();
            } else if line.is_empty() && !event.is_empty() {
                return (event, data);
            }
        }
        panic!("the event stream ended");
    }
}

pub fn copy_to(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy");
}

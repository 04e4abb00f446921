//! `kpi lsp`: a language server over stdio for .kpi and rules YAML files.
//!
//! The stages: [`analysis`] parses and checks the rules directory of an
//! open file (the editor's texts in place of the saved ones) against the
//! dataset's schema; [`complete`] and [`hover`] answer from its names;
//! [`values`] scores the rules on the dataset in the background for the
//! figures shown on hover; [`text`] converts LSP positions (UTF-16) to
//! byte offsets. This module runs the protocol: one thread reads and
//! answers, re-analysing a directory once typing pauses (debounced).
//!
//! A request that fails (a bug) is answered with an error; the server goes
//! on. Unknown methods get `MethodNotFound`; positions out of range are
//! clamped; a document larger than a rule file may be is not analysed.

pub mod analysis;
pub mod complete;
pub mod hover;
pub mod text;
pub mod values;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CompletionOptions, CompletionParams, CompletionResponse, DocumentFormattingParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextEdit, Url,
};

use analysis::{Analysis, Symbol};
use values::Scorer;

/// How long typing must pause before a directory is analysed again.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(100);

/// Runs the server on standard input and output until the client exits.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    // Served to the end: a client that closed its pipes abruptly after
    // `shutdown` is no failure of ours.
    let _ = io.join();
    Ok(())
}

/// Runs the server on a connection: the initialize handshake, then
/// messages until `shutdown` and `exit` (or the client goes away).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..Default::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let init = connection
        .initialize(capabilities)
        .map_err(|e| format!("the initialize handshake failed: {e}"))?;
    let init: InitializeParams = serde_json::from_value(init).unwrap_or_default();
    let mut server = Server::new(connection, &init);
    server.run()
}

/// Settings the client may give in `initializationOptions`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitOptions {
    /// The dataset directory (relative: to the workspace root).
    data: Option<PathBuf>,
    /// The debounce, in milliseconds.
    debounce_ms: Option<u64>,
}

struct Doc {
    text: String,
}

/// What the server knows of one rules directory.
#[derive(Default)]
struct Dir {
    /// When it is to be analysed again (typing pauses).
    due: Option<Instant>,
    analysis: Option<Analysis>,
    /// The names of each file at its last version that parsed: completion
    /// still knows them while the file is being typed.
    symbols: HashMap<PathBuf, Vec<Symbol>>,
    data: Option<PathBuf>,
    /// [`values::stamp_hash`] of the dataset at the last analysis.
    data_stamp: Option<u64>,
    published: HashSet<Url>,
    /// The last message about its `kpi.toml`, said once.
    config_error: Option<String>,
}

struct Server<'c> {
    connection: &'c Connection,
    docs: HashMap<PathBuf, Doc>,
    dirs: HashMap<PathBuf, Dir>,
    init_data: Option<PathBuf>,
    debounce: Duration,
    scorer: Scorer,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, init: &InitializeParams) -> Server<'c> {
        let options: InitOptions = init
            .initialization_options
            .clone()
            .and_then(|o| serde_json::from_value(o).ok())
            .unwrap_or_default();
        #[allow(deprecated)] // root_uri: what clients without folders send
        let root = init
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or_else(|| init.root_uri.clone())
            .and_then(|u| u.to_file_path().ok());
        let init_data = options.data.map(|d| match &root {
            Some(root) if d.is_relative() => root.join(d),
            _ => d,
        });
        Server {
            connection,
            docs: HashMap::new(),
            dirs: HashMap::new(),
            init_data,
            debounce: options
                .debounce_ms
                .map_or(DEFAULT_DEBOUNCE, Duration::from_millis),
            scorer: Scorer::default(),
        }
    }

    fn run(&mut self) -> Result<(), String> {
        loop {
            let now = Instant::now();
            let next = self.dirs.values().filter_map(|d| d.due).min();
            let wait = next.map_or(Duration::from_secs(3600), |due| {
                due.saturating_duration_since(now)
            });
            match self.connection.receiver.recv_timeout(wait) {
                Ok(Message::Request(req)) => {
                    // After `shutdown` the server ends, whether `exit`
                    // follows, another `shutdown` or nothing (the client
                    // closed its pipes).
                    if req.method == "shutdown" {
                        let _ = self.connection.handle_shutdown(&req);
                        return Ok(());
                    }
                    self.request(req);
                }
                Ok(Message::Notification(n)) => self.notification(n),
                Ok(Message::Response(_)) => {}
                Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => {}
                Err(_) => return Ok(()),
            }
            let now = Instant::now();
            let due: Vec<PathBuf> = self
                .dirs
                .iter()
                .filter(|(_, d)| d.due.is_some_and(|t| t <= now))
                .map(|(p, _)| p.clone())
                .collect();
            for dir in due {
                self.analyse(&dir);
            }
        }
    }

    fn send(&self, message: Message) {
        // The client has gone: the read loop ends by itself.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::{
            DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
        };
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    self.opened(&p.text_document.uri, p.text_document.text, true);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) && let Some(change) = p.content_changes.into_iter().last()
                {
                    // Full sync: each change is the whole text.
                    self.opened(&p.text_document.uri, change.text, false);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                    && let Some(dir) = rules_dir_of(&p.text_document.uri)
                {
                    self.schedule(&dir, Duration::ZERO);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                    && let Ok(path) = p.text_document.uri.to_file_path()
                {
                    self.docs.remove(&path);
                    // The saved text counts again.
                    if let Some(dir) = rules_dir_of(&p.text_document.uri) {
                        self.schedule(&dir, Duration::ZERO);
                    }
                }
            }
            _ => {}
        }
    }

    fn opened(&mut self, uri: &Url, text: String, now: bool) {
        let Ok(path) = uri.to_file_path() else {
            return;
        };
        self.docs.insert(path, Doc { text });
        if let Some(dir) = rules_dir_of(uri).or_else(|| tests_dir_of(uri)) {
            let delay = if now { Duration::ZERO } else { self.debounce };
            self.schedule(&dir, delay);
        }
    }

    fn schedule(&mut self, dir: &Path, delay: Duration) {
        let d = self.dirs.entry(dir.to_path_buf()).or_default();
        let due = Instant::now() + delay;
        d.due = Some(
            d.due
                .map_or(due, |t| if delay.is_zero() { due } else { t.max(due) }),
        );
    }

    /// Analyses `dir` now if it waits to be.
    fn fresh(&mut self, dir: &Path) {
        if self
            .dirs
            .get(dir)
            .is_none_or(|d| d.due.is_some() || d.analysis.is_none())
        {
            self.analyse(dir);
        }
    }

    fn analyse(&mut self, dir: &Path) {
        let open: Vec<(PathBuf, String)> = self
            .docs
            .iter()
            .filter(|(p, _)| p.parent() == Some(dir))
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .collect();
        let entry = self.dirs.entry(dir.to_path_buf()).or_default();
        entry.due = None;
        if let Some((big, _)) = open
            .iter()
            .find(|(_, t)| t.len() as u64 > crate::rules::RULE_FILE_CAP)
        {
            if let Ok(uri) = Url::from_file_path(big) {
                let d = lsp_types::Diagnostic {
                    severity: Some(lsp_types::DiagnosticSeverity::ERROR),
                    code: Some(lsp_types::NumberOrString::String("rules::io".into())),
                    source: Some("kpi".into()),
                    message: format!(
                        "this file is larger than a rule file may be ({} MiB): not analysed",
                        crate::rules::RULE_FILE_CAP >> 20
                    ),
                    ..Default::default()
                };
                self.notify::<lsp_types::notification::PublishDiagnostics>(
                    PublishDiagnosticsParams {
                        uri,
                        diagnostics: vec![d],
                        version: None,
                    },
                );
            }
            return;
        }
        let data = match analysis::data_dir(dir, self.init_data.as_deref()) {
            Ok(d) => {
                entry.config_error = None;
                d
            }
            Err(message) => {
                if entry.config_error.as_deref() != Some(message.as_str()) {
                    entry.config_error = Some(message.clone());
                    self.notify::<lsp_types::notification::ShowMessage>(
                        lsp_types::ShowMessageParams {
                            typ: lsp_types::MessageType::WARNING,
                            message: format!("kpi: {message}; no dataset is used"),
                        },
                    );
                }
                None
            }
        };
        let scorer = self.scorer.clone();
        let schema_of = |rules: &crate::rules::RuleSet| {
            let data = data.as_deref()?;
            scorer
                .loaded_schema(data)
                .or_else(|| analysis::read_schema(data, rules))
        };
        let mut a = analysis::analyse(dir, &open, &schema_of);
        // Figures are of the rules and of the dataset's files as they were.
        let data_stamp = data.as_deref().map(values::stamp_hash);
        a.fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (a.fingerprint, data_stamp).hash(&mut h);
            h.finish()
        };
        let entry = self.dirs.entry(dir.to_path_buf()).or_default();
        entry.data = data.clone();
        entry.data_stamp = data_stamp;
        for (path, symbols) in &a.symbols {
            entry.symbols.insert(path.clone(), symbols.clone());
        }
        // A file opened with an error has no version that parsed yet: its
        // saved text stands in, if that parses.
        for (path, _) in &open {
            if !entry.symbols.contains_key(path)
                && let Some(symbols) = analysis::saved_symbols(path)
            {
                entry.symbols.insert(path.clone(), symbols);
            }
        }
        // A file gone from the directory takes its names along.
        entry.symbols.retain(|p, _| {
            a.symbols.contains_key(p) || open.iter().any(|(o, _)| o == p) || p.is_file()
        });
        let gone: Vec<Url> = entry
            .published
            .iter()
            .filter(|u| !a.diagnostics.contains_key(*u))
            .cloned()
            .collect();
        entry.published = a.diagnostics.keys().cloned().collect();
        // Rules scored already (typed back as they were) are not scored again.
        if !a.has_errors
            && let Some(data) = data
            && self
                .scorer
                .values(dir)
                .is_none_or(|v| v.fingerprint != a.fingerprint)
        {
            self.scorer
                .submit(dir, a.fingerprint, a.rules.clone(), data);
        }
        for uri in gone {
            self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
                uri,
                diagnostics: Vec::new(),
                version: None,
            });
        }
        for (uri, diagnostics) in &a.diagnostics {
            self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics: diagnostics.clone(),
                version: None,
            });
        }
        self.check_tests(dir, &a);
        if let Some(d) = self.dirs.get_mut(dir) {
            d.analysis = Some(a);
        }
    }

    /// The open test files of `dir`, read and checked against its rules
    /// (not run: `kpi test` runs them). While the rules have errors, a
    /// test file gets none of its own.
    fn check_tests(&self, dir: &Path, a: &Analysis) {
        let tests = self.docs.iter().filter(|(p, _)| {
            crate::syntax::is_test_file(p)
                && crate::ruletest::rules_dir_of(p).as_deref() == Some(dir)
        });
        for (path, doc) in tests {
            let Ok(uri) = Url::from_file_path(path) else {
                continue;
            };
            let diagnostics = if a.has_errors {
                Vec::new()
            } else {
                let (sources, diags) =
                    crate::ruletest::check_text(&a.rules, path, doc.text.clone());
                diags
                    .iter()
                    .filter_map(|d| analysis::convert(d, &sources))
                    .filter(|(u, _)| *u == uri)
                    .map(|(_, d)| d)
                    .collect()
            };
            self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
                uri,
                diagnostics,
                version: None,
            });
        }
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(req)));
        let response = match answer {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("kpi lsp failed on `{method}` (a bug: please report it with the file)"),
            ),
        };
        self.send(Message::Response(response));
    }

    fn answer(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        use lsp_types::request::{Completion, Formatting, GotoDefinition, HoverRequest};
        fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, (ErrorCode, String)> {
            serde_json::from_value(req.params)
                .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
        }
        let json = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            Completion::METHOD => {
                let p: CompletionParams = params(req)?;
                let at = p.text_document_position;
                json(serde_json::to_value(
                    self.completion(&at.text_document.uri, at.position),
                ))
            }
            HoverRequest::METHOD => {
                let p: HoverParams = params(req)?;
                let at = p.text_document_position_params;
                json(serde_json::to_value(
                    self.hover(&at.text_document.uri, at.position),
                ))
            }
            GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = params(req)?;
                let at = p.text_document_position_params;
                json(serde_json::to_value(
                    self.definition(&at.text_document.uri, at.position),
                ))
            }
            Formatting::METHOD => {
                let p: DocumentFormattingParams = params(req)?;
                let edits = self.format(&p.text_document.uri)?;
                json(serde_json::to_value(edits))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("kpi lsp does not handle `{other}`"),
            )),
        }
    }

    /// The text of a document as the editor has it (else as saved).
    fn text_of(&self, path: &Path) -> Option<String> {
        match self.docs.get(path) {
            Some(d) => Some(d.text.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// The rules directory of `uri` analysed, its text and the byte
    /// offset of `pos`.
    fn at(&mut self, uri: &Url, pos: lsp_types::Position) -> Option<(PathBuf, String, usize)> {
        let dir = rules_dir_of(uri)?;
        let text = self.text_of(&uri.to_file_path().ok()?)?;
        self.fresh(&dir);
        // A file of the dataset changed since (no editor event says so):
        // its schema and figures are read again.
        if let Some(d) = self.dirs.get(&dir)
            && let Some(data) = &d.data
            && d.data_stamp != Some(values::stamp_hash(data))
        {
            self.analyse(&dir);
        }
        let offset = text::offset(&text, pos);
        Some((dir, text, offset))
    }

    fn symbols(&self, dir: &Path) -> Vec<Symbol> {
        self.dirs
            .get(dir)
            .map(|d| d.symbols.values().flatten().cloned().collect())
            .unwrap_or_default()
    }

    fn completion(&mut self, uri: &Url, pos: lsp_types::Position) -> Option<CompletionResponse> {
        let (dir, text, offset) = self.at(uri, pos)?;
        let symbols = self.symbols(&dir);
        let a = self.dirs.get(&dir)?.analysis.as_ref()?;
        let (start, prefix) = match text::word_at(&text, offset) {
            Some((start, word)) if start < offset => (start, &word[..offset - start]),
            _ => (offset, ""),
        };
        let ctx = complete::Context {
            symbols: &symbols,
            schema: a.schema.as_ref(),
            columns_read: &a.columns_read,
        };
        let items = complete::items(
            &ctx,
            text::qualifier(&text, start),
            text::where_table(&text, start),
            prefix,
        );
        Some(CompletionResponse::Array(items))
    }

    fn hover(&mut self, uri: &Url, pos: lsp_types::Position) -> Option<Hover> {
        let (dir, text, offset) = self.at(uri, pos)?;
        let (start, word) = text::word_at(&text, offset)?;
        let symbols = self.symbols(&dir);
        let d = self.dirs.get(&dir)?;
        let a = d.analysis.as_ref()?;
        let values = self.scorer.values(&dir);
        let figures = match (&d.data, &values) {
            (None, _) => hover::Figures::NoData,
            (Some(_), Some(v)) => {
                let freshness = if a.has_errors {
                    hover::Freshness::RulesBroken
                } else if v.fingerprint != a.fingerprint {
                    hover::Freshness::Recomputing
                } else {
                    hover::Freshness::Current
                };
                hover::Figures::Ready(v, freshness)
            }
            (Some(_), None) if a.has_errors => hover::Figures::RulesBroken,
            (Some(_), None) => hover::Figures::Computing,
        };
        let call = text[start + word.len()..].trim_start().starts_with('(');
        let value = hover::hover(
            word,
            text::qualifier(&text, start),
            call,
            &symbols,
            a.schema.as_ref(),
            figures,
        )?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(text::range(&text, start, start + word.len())),
        })
    }

    fn definition(
        &mut self,
        uri: &Url,
        pos: lsp_types::Position,
    ) -> Option<GotoDefinitionResponse> {
        let (dir, text, offset) = self.at(uri, pos)?;
        let (start, word) = text::word_at(&text, offset)?;
        let symbols = self.symbols(&dir);
        let s = hover::definition(word, text::qualifier(&text, start), &symbols)?;
        let target = self.text_of(&s.path)?;
        Some(GotoDefinitionResponse::Scalar(Location {
            uri: Url::from_file_path(&s.path).ok()?,
            range: text::range(&target, s.start, s.end),
        }))
    }

    fn format(&self, uri: &Url) -> Result<Option<Vec<TextEdit>>, (ErrorCode, String)> {
        let Some(path) = uri
            .to_file_path()
            .ok()
            .filter(|p| rules_dir_of(uri).is_some() && p.parent().is_some())
        else {
            return Ok(None);
        };
        let Some(format) = crate::syntax::Format::of_path(&path) else {
            return Ok(None);
        };
        let Some(text) = self.text_of(&path) else {
            return Ok(None);
        };
        let name = path.display().to_string();
        let dir = path.parent().unwrap_or(Path::new("."));
        let (rules, diags) =
            crate::rules::RuleSet::from_texts(dir, &[(name.as_str(), text.as_str())]);
        let Some(file) = rules.files.first().filter(|_| !diags.has_errors()) else {
            return Err((
                ErrorCode::RequestFailed,
                "the file has errors: fix them, then format".into(),
            ));
        };
        let formatted = crate::syntax::print_checked(&file.tree, format, &name)
            .map_err(|d| (ErrorCode::InternalError, d.message))?;
        if formatted == text {
            return Ok(Some(Vec::new()));
        }
        Ok(Some(vec![TextEdit {
            range: text::range(&text, 0, text.len()),
            new_text: formatted,
        }]))
    }
}

/// The rules directory a test file (`*.test.yaml`) belongs to.
fn tests_dir_of(uri: &Url) -> Option<PathBuf> {
    let path = uri.to_file_path().ok()?;
    crate::syntax::is_test_file(&path)
        .then(|| crate::ruletest::rules_dir_of(&path))
        .flatten()
}

/// The rules directory of a document: its folder, for a rule file (a
/// test file or a dataset manifest is none).
fn rules_dir_of(uri: &Url) -> Option<PathBuf> {
    let path = uri.to_file_path().ok()?;
    crate::syntax::Format::of_path(&path)?;
    if path
        .file_name()
        .is_some_and(|n| n == crate::data::schema::MANIFEST)
    {
        return None;
    }
    path.parent().map(Path::to_path_buf)
}

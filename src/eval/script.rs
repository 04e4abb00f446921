//! rhai, sandboxed: plugins (`use "plugins/x.rhai"`) and inline
//! `rhai { .. }` blocks.
//!
//! Scripts compute, never reach out: the engine has no module resolver (no
//! `import`), no `eval`, no printing, and rhai itself has no file, network,
//! process or environment access. Every call is bounded in operations, call
//! depth, expression depth, string, array and map sizes, and wall-clock time.
//! Scripts are compiled once, when the plan is built; a call never re-parses.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use rhai::{CallFnOptions, Dynamic, Engine, Scope};

use super::value::{Strings, Value};
use crate::data::column::date_of;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};

/// The bounds every script call runs within.
pub mod limits {
    /// Operations per call.
    pub const OPERATIONS: u64 = 5_000_000;
    /// Nested function calls.
    pub const CALL_LEVELS: usize = 48;
    /// Nesting of expressions (global, in functions).
    pub const EXPR_DEPTH: (usize, usize) = (64, 32);
    /// Characters in a string.
    pub const STRING_SIZE: usize = 1 << 20;
    /// Items in an array.
    pub const ARRAY_SIZE: usize = 100_000;
    /// Entries in a map.
    pub const MAP_SIZE: usize = 10_000;
    /// Wall-clock time per call.
    pub const TIME: std::time::Duration = std::time::Duration::from_millis(500);
    /// Time of all the calls of one scoring, together.
    pub const TOTAL_TIME: std::time::Duration = std::time::Duration::from_secs(10);
    /// Bytes of text all the calls of one scoring may return, together.
    pub const TOTAL_BYTES: usize = 64 << 20;
}

/// What the script calls of one scoring have spent, against the totals of
/// [`limits`]: per-call bounds alone let a million calls run for hours.
#[derive(Debug, Default)]
pub struct Budget {
    nanos: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicUsize,
}

impl Budget {
    /// Why no more script may run, if the budget is spent.
    pub fn exhausted(&self) -> Option<ScriptError> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.nanos.load(Relaxed) > limits::TOTAL_TIME.as_nanos() as u64 {
            return Some(ScriptError::plain(format!(
                "the scripts of this scoring ran out of time ({} s in all)",
                limits::TOTAL_TIME.as_secs()
            )));
        }
        if self.bytes.load(Relaxed) > limits::TOTAL_BYTES {
            return Some(ScriptError::plain(format!(
                "the scripts of this scoring returned more than {} MiB of text in all",
                limits::TOTAL_BYTES >> 20
            )));
        }
        None
    }

    /// Counts one call: how long it ran and what it returned.
    pub fn spend(&self, took: std::time::Duration, result: &Value, strings: &Strings) {
        use std::sync::atomic::Ordering::Relaxed;
        self.nanos.fetch_add(took.as_nanos() as u64, Relaxed);
        let bytes = match result {
            Value::Str(s) => strings.text(*s).len(),
            Value::List(items) => items.iter().map(|s| strings.text(*s).len()).sum(),
            _ => 0,
        };
        self.bytes.fetch_add(bytes, Relaxed);
    }
}

/// Whether a script's result fits the type its place in the rules needs;
/// if not, (needed, returned) in words.
pub fn fits(v: &Value, expect: Option<crate::check::Ty>) -> Result<(), (String, String)> {
    use crate::check::Ty;
    let Some(want) = expect else { return Ok(()) };
    let got = match v {
        Value::Null => return Ok(()),
        Value::Num(_) => Ty::Number,
        Value::Bool(_) => Ty::Bool,
        Value::Str(_) => Ty::Text,
        Value::Date(_) => Ty::Date,
        Value::List(_) => Ty::List,
    };
    if got.fits(want) {
        Ok(())
    } else {
        Err((want.to_string(), got.to_string()))
    }
}

thread_local! {
    /// When the call running on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The sandboxed engine (also used by the checker to compile).
pub fn engine() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(rhai::packages::Package::as_shared_module(
        &rhai::packages::StandardPackage::new(),
    ));
    engine.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    engine.disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.set_max_operations(limits::OPERATIONS);
    engine.set_max_call_levels(limits::CALL_LEVELS);
    engine.set_max_expr_depths(limits::EXPR_DEPTH.0, limits::EXPR_DEPTH.1);
    engine.set_max_string_size(limits::STRING_SIZE);
    engine.set_max_array_size(limits::ARRAY_SIZE);
    engine.set_max_map_size(limits::MAP_SIZE);
    engine.on_progress(|ops| {
        // Reading the clock costs more than an operation: every 1024.
        if ops % 1024 != 0 {
            return None;
        }
        let late = DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() > t));
        late.then(|| Dynamic::from("time budget exceeded"))
    });
    engine
}

/// A compiled plugin.
pub struct Plugin {
    pub file: FileId,
    pub ast: rhai::AST,
}

/// A compiled inline block and the declarations it reads.
pub struct Inline {
    pub ast: rhai::AST,
    /// The block's span in the rule file.
    pub span: Span,
    /// Where the script's text starts in that file.
    pub body_start: usize,
    /// Names of params, lets and indicators the script mentions.
    pub names: Vec<String>,
}

/// All scripts of a rule set, compiled.
pub struct Scripts {
    engine: Engine,
    pub plugins: Vec<Plugin>,
    /// Function name → (plugin, argument counts).
    pub functions: HashMap<String, (usize, Vec<usize>)>,
    pub inline: Vec<Inline>,
}

impl Default for Scripts {
    fn default() -> Self {
        Scripts {
            engine: engine(),
            plugins: Vec::new(),
            functions: HashMap::new(),
            inline: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripts")
            .field("plugins", &self.plugins.len())
            .field("inline", &self.inline.len())
            .finish()
    }
}

/// A script failure, with where it happened in the script.
#[derive(Debug, Clone)]
pub struct ScriptError {
    pub message: String,
    /// 1-based line and column in the script, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl ScriptError {
    /// An error without a position in the script.
    pub fn plain(message: String) -> ScriptError {
        ScriptError {
            message,
            line: None,
            column: None,
        }
    }
}

impl Scripts {
    pub fn add_plugin(&mut self, file: FileId, text: &str) -> Result<(), rhai::ParseError> {
        let ast = self.engine.compile(text)?;
        let index = self.plugins.len();
        for f in ast.iter_functions() {
            let entry = self
                .functions
                .entry(f.name.to_string())
                .or_insert((index, Vec::new()));
            entry.1.push(f.params.len());
        }
        self.plugins.push(Plugin { file, ast });
        Ok(())
    }

    /// Compiles an inline block; `known` tells the declarations it may read.
    pub fn add_inline(
        &mut self,
        body: &str,
        span: Span,
        sources: &SourceMap,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<usize, rhai::ParseError> {
        let ast = self.engine.compile(body)?;
        let names = free_names(body).into_iter().filter(|n| known(n)).collect();
        self.inline.push(Inline {
            ast,
            span,
            body_start: body_start(sources, span),
            names,
        });
        Ok(self.inline.len() - 1)
    }

    fn bounded<T>(
        &self,
        run: impl FnOnce() -> Result<T, Box<rhai::EvalAltResult>>,
    ) -> Result<T, ScriptError> {
        DEADLINE.with(|d| d.set(Some(Instant::now() + limits::TIME)));
        let result = run();
        DEADLINE.with(|d| d.set(None));
        result.map_err(|e| {
            // Errors inside a called function carry their place inside it.
            let pos = e.unwrap_inner().position();
            let message = match e.unwrap_inner() {
                rhai::EvalAltResult::ErrorTerminated(..) => {
                    format!(
                        "the script ran out of time ({} ms)",
                        limits::TIME.as_millis()
                    )
                }
                rhai::EvalAltResult::ErrorTooManyOperations(..) => {
                    format!("the script ran more than {} operations", limits::OPERATIONS)
                }
                rhai::EvalAltResult::ErrorStackOverflow(..) => {
                    format!(
                        "the script nested calls deeper than {}",
                        limits::CALL_LEVELS
                    )
                }
                rhai::EvalAltResult::ErrorDataTooLarge(what, ..) => {
                    let what = what.to_lowercase();
                    let thing = ["string", "array", "map"]
                        .into_iter()
                        .find(|t| what.contains(t))
                        .unwrap_or("value");
                    format!("the script built too large a {thing}")
                }
                other => {
                    // rhai appends " (line L, position P)": the position is
                    // shown by the diagnostic itself.
                    let text = other.to_string();
                    match text.rfind(" (line ") {
                        Some(i) => text[..i].to_string(),
                        None => text,
                    }
                }
            };
            ScriptError {
                message,
                line: pos.line(),
                column: pos.position(),
            }
        })
    }

    /// Calls a plugin function.
    pub fn call(
        &self,
        plugin: usize,
        name: &str,
        args: Vec<Dynamic>,
    ) -> Result<Dynamic, ScriptError> {
        let Some(p) = self.plugins.get(plugin) else {
            return Err(ScriptError {
                message: format!("no plugin defines `{name}`"),
                line: None,
                column: None,
            });
        };
        self.bounded(|| {
            let mut scope = Scope::new();
            self.engine.call_fn_with_options::<Dynamic>(
                CallFnOptions::new().eval_ast(false),
                &mut scope,
                &p.ast,
                name,
                args,
            )
        })
    }

    /// Runs an inline block with the named values in scope.
    pub fn run_inline(
        &self,
        index: usize,
        values: Vec<(String, Dynamic)>,
    ) -> Result<Dynamic, ScriptError> {
        let Some(script) = self.inline.get(index) else {
            return Err(ScriptError {
                message: "unknown script".into(),
                line: None,
                column: None,
            });
        };
        self.bounded(|| {
            let mut scope = Scope::new();
            for (name, v) in values {
                scope.push(name, v);
            }
            self.engine
                .eval_ast_with_scope::<Dynamic>(&mut scope, &script.ast)
        })
    }

    /// A script failure as a diagnostic: at its line in the plugin or rule
    /// file, with the call site in the rules.
    /// `function` names the plugin function called: limit errors carry no
    /// position, so they point at its definition.
    pub fn diagnostic(
        &self,
        error: &ScriptError,
        sources: &SourceMap,
        plugin: Option<(usize, &str)>,
        call: Span,
    ) -> Diagnostic {
        let function = plugin.map(|(_, name)| name);
        let plugin = plugin.map(|(p, _)| p);
        let (file, base) = match plugin.and_then(|p| self.plugins.get(p)) {
            Some(p) => (p.file, 0),
            None => {
                let base = self
                    .inline
                    .iter()
                    .find(|s| s.span == call)
                    .map_or(call.start, |s| s.body_start);
                (call.file, base)
            }
        };
        let who = match function {
            Some(name) => (
                format!("the script function `{name}` failed"),
                format!("la fonction de script `{name}` a échoué"),
            ),
            None => (
                "the script failed".to_string(),
                "le script a échoué".to_string(),
            ),
        };
        let d = Diagnostic::error("eval::script", format!("{}: {}", who.0, error.message))
            .fr(format!("{} : {}", who.1, error.message));
        let at = sources
            .get(file)
            .and_then(|src| match (error.line, function) {
                (Some(line), _) => offset_in(&src.text, base, line, error.column),
                (None, Some(name)) => src.text.find(&format!("fn {name}(")),
                _ => None,
            });
        match at {
            Some(offset) if file != call.file || offset != call.start => d
                .at(Span::new(file, offset, offset + 1), "here")
                .also(call, "called here"),
            _ => d.at(call, "in this script"),
        }
    }
}

/// Where an inline block's script starts: after the `{` that opens it.
pub fn body_start(sources: &SourceMap, block: Span) -> usize {
    sources
        .get(block.file)
        .and_then(|f| f.text.get(block.start..block.end))
        .and_then(|t| t.find('{'))
        .map_or(block.start, |i| block.start + i + 1)
}

/// The byte offset of 1-based `line` and `column` of a script whose text
/// starts at `base` in `text` (lines of YAML block scalars map one to one).
pub fn offset_in(text: &str, base: usize, line: usize, column: Option<usize>) -> Option<usize> {
    let script = text.get(base..)?;
    let line_start: usize = script
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = script.get(line_start..)?;
    let col: usize = rest
        .chars()
        .take(column.unwrap_or(1).saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(base + line_start + col)
}

/// The identifiers a script mentions (outside strings and comments), each
/// once, in order of first appearance.
pub fn identifiers(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (word, _) in words(body) {
        if !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

/// The names a script reads from outside: identifiers used before the
/// script binds them itself (`let x`, `const x`, `for x in`, `|x|`, a
/// function's parameters). A loop variable named like an indicator is the
/// script's own, not a read of the indicator.
pub fn free_names(body: &str) -> Vec<String> {
    let words = words(body);
    let mut bound: HashMap<&str, usize> = HashMap::new();
    let mut bindings: Vec<(&str, usize)> = Vec::new();
    for (k, &(word, at)) in words.iter().enumerate() {
        let next = |n: usize| words.get(k + n).map(|(w, _)| *w);
        match word {
            "let" | "const" => bindings.extend(next(1).map(|w| (w, at))),
            "for" => {
                // `for x in`, `for (x, i) in`: every word up to `in`.
                for (w, _) in words[k + 1..].iter().take_while(|(w, _)| *w != "in") {
                    bindings.push((w, at));
                }
            }
            "fn" => {
                // `fn name(a, b)`: the parameters, up to the body.
                let close = body[at..].find(')').map_or(body.len(), |i| at + i);
                for (w, p) in &words[k + 1..] {
                    if *p > close {
                        break;
                    }
                    bindings.push((w, at));
                }
            }
            _ => {}
        }
    }
    // Closure parameters: `|a, b|`.
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(open) = body[i..].find('|').map(|p| i + p) {
        let Some(close) = body[open + 1..].find('|').map(|p| open + 1 + p) else {
            break;
        };
        let inside = &body[open + 1..close];
        if inside
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',' || c == ' ')
            && bytes.get(close + 1) != Some(&b'|')
        {
            for name in inside.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if let Some((w, _)) = words.iter().find(|(w, p)| *w == name && *p > open) {
                    bindings.push((w, open));
                }
            }
        }
        i = close + 1;
    }
    for (w, at) in bindings {
        let first = bound.entry(w).or_insert(at);
        *first = (*first).min(at);
    }
    const KEYWORDS: [&str; 24] = [
        "let", "const", "for", "in", "fn", "if", "else", "while", "loop", "do", "until", "return",
        "break", "continue", "throw", "try", "catch", "switch", "true", "false", "private",
        "global", "this", "is",
    ];
    let mut out: Vec<String> = Vec::new();
    for (word, at) in words {
        let local = KEYWORDS.contains(&word) || bound.get(word).is_some_and(|&b| at >= b);
        if !local && !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

/// Every identifier of a script outside strings and comments, with its
/// byte offset.
fn words(body: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' || c == '`' || c == '\'' {
            while let Some((_, d)) = chars.next() {
                if d == '\\' {
                    chars.next();
                } else if d == c {
                    break;
                }
            }
        } else if c == '/' && chars.peek().is_some_and(|(_, d)| *d == '/') {
            for (_, d) in chars.by_ref() {
                if d == '\n' {
                    break;
                }
            }
        } else if c == '/' && chars.peek().is_some_and(|(_, d)| *d == '*') {
            let mut last = ' ';
            for (_, d) in chars.by_ref() {
                if last == '*' && d == '/' {
                    break;
                }
                last = d;
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((&body[i..end], i));
        } else if c.is_ascii_digit() {
            // A number's digits and exponent are not names (`1e5`).
            while chars
                .peek()
                .is_some_and(|(_, d)| d.is_ascii_alphanumeric() || *d == '_')
            {
                chars.next();
            }
        }
    }
    out
}

/// A value handed to a script: numbers as floats, dates as `YYYY-MM-DD`,
/// lists as arrays of strings, null as `()`.
pub fn to_dynamic(v: &Value, strings: &Strings) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Num(n) => Dynamic::from_float(*n),
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Str(s) => Dynamic::from(strings.text(*s).to_string()),
        Value::Date(d) => Dynamic::from(date_of(*d).map(|d| d.to_string()).unwrap_or_default()),
        Value::List(items) => Dynamic::from_array(
            items
                .iter()
                .map(|s| Dynamic::from(strings.text(*s).to_string()))
                .collect(),
        ),
    }
}

/// A script's result as a value; a map or other object is an error.
pub fn from_dynamic(d: Dynamic, strings: &Strings) -> Result<Value, String> {
    if d.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(n) = d.as_int() {
        return Ok(Value::num(n as f64));
    }
    if let Ok(n) = d.as_float() {
        return Ok(Value::num(n));
    }
    if let Ok(b) = d.as_bool() {
        return Ok(Value::Bool(b));
    }
    if d.is_string() {
        let s = d.into_string().unwrap_or_default();
        return Ok(Value::Str(strings.intern(&s)));
    }
    if d.is_array() {
        let items = d.into_array().unwrap_or_default();
        let ids: Vec<u32> = items
            .into_iter()
            .map(|i| strings.intern(&i.to_string()))
            .collect();
        return Ok(Value::List(Arc::from(ids)));
    }
    Err(format!(
        "the script returned a {}, not a number, text, yes/no value or list",
        d.type_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_script_binds_are_not_read_from_outside() {
        let free = free_names(
            "let total = rate * 2;\nfor rate in rates { total += rate }\nfn f(cost) { cost }\nlet g = |share| share + level; total",
        );
        assert_eq!(free, ["rate", "rates", "level"]);
        assert_eq!(free_names("for (x, i) in items { x }"), ["items"]);
    }

    #[test]
    fn identifiers_skip_strings_and_comments() {
        let ids = identifiers("let x = rate * 2; // total\n\"cost\" + y_2");
        assert_eq!(ids, ["let", "x", "rate", "y_2"]);
    }
}

//! The one module that names serde_yaml.
//!
//! serde_yaml is marked deprecated upstream; keeping it behind this module
//! lets a maintained fork replace it by editing one file.

use serde::de::DeserializeOwned;

/// A YAML value (for fields whose shape varies).
pub type Value = serde_yaml::Value;

/// A YAML error with its 1-based position, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What the parser was reading when it failed, and where that began
    /// (`while scanning a quoted scalar`, line, column).
    pub context: Option<(String, usize, usize)>,
}

/// Splits `"... at line L column C"` into the text and the position.
fn split_position(text: &str) -> (String, Option<(usize, usize)>) {
    let Some(i) = text.rfind(" at line ") else {
        return (text.to_string(), None);
    };
    let mut nums = text[i + " at line ".len()..]
        .split(" column ")
        .map(|n| n.trim().parse::<usize>().ok());
    match (nums.next().flatten(), nums.next().flatten()) {
        (Some(l), Some(c)) => (text[..i].to_string(), Some((l, c))),
        _ => (text.to_string(), None),
    }
}

/// How deep a YAML file may nest lists and mappings. Rule files and
/// manifests need a handful of levels; the parsers take quadratic time on
/// deep nesting, so it is measured before they run.
pub const MAX_NESTING: usize = 64;

/// Where a YAML text first nests deeper than [`MAX_NESTING`]: the byte
/// offset. Counted on flow brackets (`[`, `{`) outside quotes and
/// comments, and on the `- ` entries that open a line.
pub fn too_deep(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    let b = text.as_bytes();
    let mut line_start = true;
    let mut dashes = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == b'\\' && q == b'"' {
                i += 1;
            }
        } else {
            match c {
                b'"' | b'\'' if i == 0 || !b[i - 1].is_ascii_alphanumeric() => quote = Some(c),
                b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'[' | b'{' => flow += 1,
                b']' | b'}' => flow = flow.saturating_sub(1),
                b'-' if line_start && b.get(i + 1).is_some_and(|n| *n == b' ') => dashes += 1,
                b'\n' => {
                    line_start = true;
                    dashes = 0;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            if !matches!(c, b'-') {
                line_start = false;
            }
            if flow + dashes > MAX_NESTING {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Deserialises a whole document.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        // serde_yaml writes "MESSAGE at line L column C[, while CONTEXT at
        // line L column C]"; positions are kept apart from the words.
        let full = e.to_string();
        let (main, context) = match full.split_once(", while ") {
            Some((main, ctx)) => {
                let (words, at) = split_position(ctx);
                (
                    main.to_string(),
                    at.map(|(l, c)| (format!("while {words}"), l, c)),
                )
            }
            None => (full, None),
        };
        let (message, _) = split_position(&main);
        YamlError {
            message,
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
            context,
        }
    })
}

/// Serialises a value as a YAML document.
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}

/// A string written as a YAML scalar (quoted only when it must be).
pub fn scalar(s: &str) -> String {
    serde_yaml::to_string(s)
        .map(|t| t.trim_end_matches('\n').to_string())
        .unwrap_or_else(|_| format!("{s:?}"))
}

/// The text of a scalar value (numbers and booleans as written).
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

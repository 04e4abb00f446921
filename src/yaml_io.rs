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
}

/// Deserialises a whole document.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        let mut message = e.to_string();
        // serde_yaml appends " at line L column C"; the position is kept apart.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        YamlError {
            message,
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
        }
    })
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

//! JSONL text (one JSON object per line) → rows of cells.
//!
//! The columns are the keys of all the objects, in order of first
//! appearance (an object may leave out a key: its cell is null). Blank
//! lines are skipped; a line that is not an object is a bad row.

use std::borrow::Cow;

use super::table::Cell;

/// The keys of every object of the file, in order of first appearance.
pub(super) fn keys(text: &str) -> Vec<String> {
    let mut keys: indexmap::IndexSet<String> = indexmap::IndexSet::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line)
        {
            for k in map.keys() {
                if !keys.contains(k.as_str()) {
                    keys.insert(k.clone());
                }
            }
        }
    }
    keys.into_iter().collect()
}

/// Rows of a file, each a line number and its cells.
pub(super) type Rows = Vec<(u32, Vec<Cell<'static>>)>;

/// Decodes every line: the rows, and the lines that are not objects (with
/// the parser's words).
pub(super) fn rows(text: &str, columns: &[String]) -> (Rows, Vec<(u32, String)>) {
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = n as u32 + 1;
        let object = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(other) => {
                bad.push((
                    line_no,
                    format!("this line is {}, not a JSON object", what(&other)),
                ));
                continue;
            }
            Err(e) => {
                bad.push((line_no, format!("this line is not JSON: {e}")));
                continue;
            }
        };
        let cells = columns
            .iter()
            .map(|c| match object.get(c) {
                None | Some(serde_json::Value::Null) => Cell::Null,
                Some(serde_json::Value::String(s)) => Cell::Text(Cow::Owned(s.clone())),
                Some(serde_json::Value::Number(n)) => match n.as_f64().filter(|x| x.is_finite()) {
                    Some(x) => Cell::Number(x),
                    None => Cell::Text(Cow::Owned(n.to_string())),
                },
                Some(serde_json::Value::Bool(b)) => Cell::Bool(*b),
                Some(serde_json::Value::Array(items)) => Cell::List(
                    items
                        .iter()
                        .map(|i| match i {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                ),
                Some(other) => Cell::Text(Cow::Owned(other.to_string())),
            })
            .collect();
        rows.push((line_no, cells));
    }
    (rows, bad)
}

fn what(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "true or false",
        _ => "null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_every_line_and_blank_lines_are_skipped() {
        let text = "\n{\"id\": 1}\n{\"id\": 2, \"score\": 3.5}\n[1]\n";
        let names = keys(text);
        assert_eq!(names, vec!["id".to_string(), "score".to_string()]);
        let (rows, bad) = rows(text, &names);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2, "the line in the file");
        assert!(matches!(rows[0].1[1], Cell::Null));
        assert!(matches!(rows[1].1[1], Cell::Number(x) if x == 3.5));
        assert_eq!(
            bad,
            vec![(4, "this line is a list, not a JSON object".to_string())]
        );
    }
}

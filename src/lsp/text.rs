//! Positions as LSP counts them (0-based lines, UTF-16 columns) and byte
//! offsets as the rules' spans do, and the words around a position.

use lsp_types::{Position, Range};

/// The byte offset of an LSP position in `text`. A line past the end is
/// the end of the text; a column past the end of its line is the line's
/// end; a column inside a surrogate pair is the character's start.
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        let next = units + c.len_utf16() as u32;
        if next > pos.character {
            return line_start + i;
        }
        units = next;
    }
    line_end
}

/// The LSP position of a byte offset (clamped to the text, and to a
/// character boundary).
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..]
        .chars()
        .map(|c| c.len_utf16() as u32)
        .sum();
    Position { line, character }
}

pub fn range(text: &str, start: usize, end: usize) -> Range {
    Range {
        start: position(text, start),
        end: position(text, end),
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The word (a name) that holds `offset`, and where it starts.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, &str)> {
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| (start, &text[start..end]))
}

/// The name written just before `start` and a dot (`alumni.` before
/// `tier`): the table of a column.
pub fn qualifier(text: &str, start: usize) -> Option<&str> {
    let before = text[..start].strip_suffix('.')?;
    let from = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map(|(i, _)| i)?;
    Some(&before[from..])
}

/// The table whose rows a `where` reads at `offset`: `T` of the innermost
/// unclosed `AGG(T where` on the text before it, if any.
pub fn where_table(text: &str, offset: usize) -> Option<&str> {
    let before = &text[..offset.min(text.len())];
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let inside = before[i + 1..].trim_start();
                let table: String = inside.chars().take_while(|c| is_word(*c)).collect();
                let rest = inside[table.len()..].trim_start();
                return (!table.is_empty() && rest.starts_with("where"))
                    .then(|| &inside[..table.len()]);
            }
            '\n' if before[..i].trim_end().ends_with('}') => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        // `é` is one UTF-16 unit (two bytes), `𝔸` two units (four bytes).
        let text = "é𝔸x\nab";
        assert_eq!(offset(text, pos(0, 1)), 2);
        assert_eq!(offset(text, pos(0, 3)), 6);
        assert_eq!(offset(text, pos(0, 2)), 2, "inside the pair: its start");
        assert_eq!(offset(text, pos(1, 1)), 9);
        assert_eq!(position(text, 6), pos(0, 3));
        assert_eq!(position(text, 9), pos(1, 1));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\ncd";
        assert_eq!(offset(text, pos(0, 99)), 2);
        assert_eq!(offset(text, pos(9, 0)), text.len());
        assert_eq!(position(text, 99), pos(1, 2));
    }

    #[test]
    fn words_qualifiers_and_where_tables() {
        let text = "value = count(alumni where tier == 1) + alumni.fac";
        let at = text.find("tier").unwrap() + 2;
        assert_eq!(word_at(text, at), Some((at - 2, "tier")));
        assert_eq!(where_table(text, at), Some("alumni"));
        let end = text.len();
        assert_eq!(word_at(text, end), Some((end - 3, "fac")));
        assert_eq!(qualifier(text, end - 3), Some("alumni"));
        assert_eq!(where_table(text, end), None, "the call is closed");
    }
}

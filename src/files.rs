//! Reading the files users point the engine at: rule files, plugins,
//! dataset manifests, tables, benchmarks.
//!
//! Every read goes through here so that the same rules hold everywhere:
//! only regular files are read (not a device or a directory), paths that
//! must stay inside a directory are checked after following symlinks, a
//! size cap applies where a file has no reason to be large, text is
//! decoded (UTF-8 with or without a BOM, or a declared Latin-1 /
//! Windows-1252), and a failure is a message that says what to do.

use std::io::Read;
use std::path::{Path, PathBuf};

/// How a text file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[default]
    Utf8,
    /// ISO-8859-1: each byte is the character of that code.
    Latin1,
    /// Windows-1252 (what Excel on Windows calls "ANSI"): Latin-1 with
    /// printable characters (€, œ, curly quotes) in 0x80–0x9F.
    Windows1252,
}

impl Encoding {
    /// The encoding a manifest names (`utf-8`, `latin1`, `windows-1252`
    /// and their usual spellings).
    pub fn parse(name: &str) -> Option<Encoding> {
        let n = name
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "");
        match n.as_str() {
            "utf8" => Some(Encoding::Utf8),
            "latin1" | "iso88591" | "l1" => Some(Encoding::Latin1),
            "windows1252" | "cp1252" | "ansi" => Some(Encoding::Windows1252),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Latin1 => "latin1",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// Why a file could not be read, in words for the person who named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    /// 1-based line and column of the problem, when it has one.
    pub line: Option<(usize, usize)>,
    pub help: Option<String>,
}

impl ReadError {
    fn plain(message: String) -> ReadError {
        ReadError {
            message,
            line: None,
            help: None,
        }
    }
}

/// Opens a file after checking that it is a regular one; its size.
pub fn open_regular(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| ReadError::plain(format!("cannot read `{shown}`: {}", io_words(&e))))?;
    if meta.is_dir() {
        return Err(ReadError::plain(format!(
            "`{shown}` is a directory, not a file"
        )));
    }
    if !meta.is_file() {
        return Err(ReadError::plain(format!(
            "`{shown}` is not a regular file (a device, a pipe or a socket)"
        )));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| ReadError::plain(format!("cannot read `{shown}`: {}", io_words(&e))))?;
    Ok((file, meta.len()))
}

/// Reads a regular file as bytes, up to `cap` bytes when given.
pub fn read_bytes(path: &Path, cap: Option<u64>) -> Result<Vec<u8>, ReadError> {
    let shown = path.display();
    let (file, len) = open_regular(path)?;
    let too_large = |len: u64| ReadError {
        message: format!("`{shown}` is too large ({len} bytes)"),
        line: None,
        help: cap.map(|c| format!("files of this kind are at most {c} bytes")),
    };
    if cap.is_some_and(|c| len > c) {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // The cap holds even if the file grows while it is read.
    let limit = cap.map_or(u64::MAX, |c| c + 1);
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::plain(format!("cannot read `{shown}`: {}", io_words(&e))))?;
    if cap.is_some_and(|c| bytes.len() as u64 > c) {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The first line of a regular file (through its `\n`), decoded.
pub fn read_first_line(path: &Path, encoding: Encoding) -> Result<String, ReadError> {
    use std::io::BufRead;
    let (file, _) = open_regular(path)?;
    let mut line = Vec::new();
    std::io::BufReader::new(file)
        .read_until(b'\n', &mut line)
        .map_err(|e| {
            ReadError::plain(format!(
                "cannot read `{}`: {}",
                path.display(),
                io_words(&e)
            ))
        })?;
    decode(line, encoding).map_err(|e| ReadError {
        message: format!("`{}` {}", path.display(), e.message),
        ..e
    })
}

/// Reads a regular text file, decoded.
pub fn read_text(path: &Path, encoding: Encoding, cap: Option<u64>) -> Result<String, ReadError> {
    let bytes = read_bytes(path, cap)?;
    decode(bytes, encoding).map_err(|e| ReadError {
        message: format!("`{}` {}", path.display(), e.message),
        ..e
    })
}

/// Bytes to text: UTF-8 (a leading byte-order mark dropped), or a
/// single-byte encoding. Invalid UTF-8 is an error at its line and column.
pub fn decode(bytes: Vec<u8>, encoding: Encoding) -> Result<String, ReadError> {
    match encoding {
        Encoding::Utf8 => {
            let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => rest.to_vec(),
                None => bytes,
            };
            String::from_utf8(bytes).map_err(|e| {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
                let line_start = bytes[..valid]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                let column = String::from_utf8_lossy(&bytes[line_start..valid])
                    .chars()
                    .count()
                    + 1;
                ReadError {
                    message: format!(
                        "is not UTF-8 text: byte 0x{:02X} at line {line}, column {column}",
                        bytes[valid]
                    ),
                    line: Some((line, column)),
                    help: Some(
                        "save the file as UTF-8 (in Excel: \"CSV UTF-8\"; in a text editor: \
                         encoding UTF-8); a dataset file may instead declare its encoding in \
                         dataset.yaml (`encoding: latin1` or `encoding: windows-1252`)"
                            .into(),
                    ),
                }
            })
        }
        Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::Windows1252 => Ok(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// The Windows-1252 character of a byte. Five codes are unassigned; they
/// keep their Latin-1 (control) meaning, as Windows itself does.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// `rel` resolved inside `dir`: the path must be relative, and once every
/// symlink is followed it must still lie inside `dir`.
pub fn confined(dir: &Path, rel: &str) -> Result<PathBuf, ReadError> {
    let written = Path::new(rel);
    if written.is_absolute() || !crate::rules::stays_inside(rel) {
        return Err(ReadError::plain(format!(
            "`{rel}` is outside `{}`",
            dir.display()
        )));
    }
    let joined = dir.join(written);
    let real = std::fs::canonicalize(&joined).map_err(|e| {
        ReadError::plain(format!(
            "cannot read `{}`: {}",
            joined.display(),
            io_words(&e)
        ))
    })?;
    let base = std::fs::canonicalize(dir).map_err(|e| {
        ReadError::plain(format!("cannot read `{}`: {}", dir.display(), io_words(&e)))
    })?;
    if !real.starts_with(&base) {
        return Err(ReadError {
            message: format!(
                "`{rel}` leads outside `{}` (to `{}`)",
                dir.display(),
                real.display()
            ),
            line: None,
            help: Some("a link may not point outside the directory: copy the file in".into()),
        });
    }
    Ok(joined)
}

/// An I/O error in plain words, without the OS error number.
pub fn io_words(e: &std::io::Error) -> String {
    // An error made here carries its own words.
    if let Some(inner) = e.get_ref() {
        return inner.to_string();
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_name_line_and_column() {
        let err = decode(b"ok\nab\xE9c\n".to_vec(), Encoding::Utf8).expect_err("latin-1 byte");
        assert_eq!(err.line, Some((2, 3)));
        assert!(err.message.contains("0xE9"), "{}", err.message);
    }

    #[test]
    fn bom_is_dropped_and_single_byte_encodings_decode() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFid\n".to_vec(), Encoding::Utf8).as_deref(),
            Ok("id\n")
        );
        assert_eq!(
            decode(b"caf\xE9".to_vec(), Encoding::Latin1).as_deref(),
            Ok("café")
        );
        assert_eq!(
            decode(b"\x80 \x9Cuvre".to_vec(), Encoding::Windows1252).as_deref(),
            Ok("€ œuvre")
        );
        assert_eq!(Encoding::parse("ISO-8859-1"), Some(Encoding::Latin1));
        assert_eq!(Encoding::parse("CP1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("ebcdic"), None);
    }

    #[test]
    fn special_files_and_escapes_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(read_bytes(dir.path(), None).is_err(), "a directory");
        #[cfg(unix)]
        {
            let err = read_bytes(Path::new("/dev/zero"), Some(10)).expect_err("a device");
            assert!(
                err.message.contains("not a regular file"),
                "{}",
                err.message
            );
            std::os::unix::fs::symlink("/etc", dir.path().join("out")).expect("symlink");
            let err = confined(dir.path(), "out/passwd").expect_err("escapes");
            assert!(err.message.contains("leads outside"), "{}", err.message);
        }
        assert!(confined(dir.path(), "../x").is_err());
        assert!(confined(dir.path(), "/etc/passwd").is_err());
        std::fs::write(dir.path().join("big"), vec![b'x'; 100]).expect("write");
        assert!(read_bytes(&dir.path().join("big"), Some(99)).is_err());
        assert!(read_bytes(&dir.path().join("big"), Some(100)).is_ok());
    }
}

//! Writing files so that no reader ever sees half of one.
//!
//! The temporary file is named `.kpi-write-PID-…` beside the target: a
//! process killed while writing leaves one behind, and the next write into
//! that directory removes those whose process is gone.

use std::io::Write;
use std::path::Path;

/// The start of every temporary file's name.
const PREFIX: &str = ".kpi-write-";

/// Writes through a temporary file in the same directory, then renames it
/// over `path` (an atomic replace on the same file system). An error
/// names what the user can act on, never the temporary file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory `{}` does not exist", dir.display()),
        ));
    }
    remove_stale(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempfile_in(dir)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot write in `{}`: {}",
                    dir.display(),
                    crate::files::io_words(&e)
                ),
            )
        })?;
    // A temporary file is private (0600): give the result the permissions
    // of the file it replaces, or the usual ones for a new file.
    let permissions = match std::fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(p) = permissions {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes the temporary files that earlier writes left in `dir` when
/// their process was killed: those whose process no longer runs (on
/// Linux), or older than a day (elsewhere).
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let gone = match pid {
            Some(p) if p == std::process::id() => false,
            Some(p) if Path::new("/proc/self").exists() => {
                !Path::new("/proc").join(p.to_string()).exists()
            }
            _ => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600),
        };
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_writer_leaves_a_temporary_the_next_write_removes() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A pid no process has (pid_max is at most 2^22).
        let stale = dir.path().join(format!("{PREFIX}4294967-abc"));
        std::fs::write(&stale, "half a report").expect("write");
        let other = dir.path().join(".tmp-someone-else");
        std::fs::write(&other, "not ours").expect("write");
        write_atomic(&dir.path().join("r.json"), b"{}").expect("write");
        assert!(!stale.exists(), "removed");
        assert!(other.exists(), "only our own temporaries are touched");
        let err = write_atomic(&dir.path().join("nowhere/r.json"), b"{}").expect_err("no dir");
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!err.to_string().contains(PREFIX), "{err}");
    }

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old and longer content").expect("write");
        write_atomic(&path, b"new").expect("atomic write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o644,
                "a readable report, not a private temporary"
            );
        }
    }
}

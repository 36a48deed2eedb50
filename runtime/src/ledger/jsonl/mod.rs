//! Beads JSONL in and out: `issues.jsonl`, `gt import`, `gt export`, `gt flush`.
//!
//! **Nothing read is lost.** Every line of a ledger file is kept and written back: issue
//! records (templates, wisps that reached git and tombstones too) byte for byte while gt
//! does not change them; schema headers, memories and records of types this version does
//! not know, verbatim; and a line that is not a record is reported with its file and line
//! number, kept (the `quarantine` table) and written back verbatim at the end of
//! `issues.jsonl`, so it is never rewritten away. A last line without its newline is a
//! torn write and is reported as such.
//!
//! - [`line`]: what one line is;
//! - [`import`]: reading, streamed, in one transaction;
//! - [`write`]: writing, streamed (flush and export).

pub mod import;
pub mod line;
pub mod write;

pub use import::{BadLine, ImportSummary, Problem, Source, import};
pub use write::{Scope, Written, write_ledger};

use super::{JSONL, Ledger};
use crate::error::{Error, Result};
use std::path::Path;

/// The size and modification time of `path`, as the ledger records them; `None` when
/// the file does not exist.
fn stamp(path: &Path) -> Result<Option<String>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mtime = meta
        .modified()
        .map_err(|e| Error::io(path, e))?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok(Some(format!("{}:{mtime}", meta.len())))
}

/// Read `issues.jsonl` into the database when it changed since the ledger last read or
/// wrote it (a clone, a pull, a hand edit). Bad lines and problems go to stderr.
pub fn import_if_changed(ledger: &mut Ledger) -> Result<()> {
    let path = ledger.dir.join(JSONL);
    let Some(now) = stamp(&path)? else {
        return Ok(());
    };
    let known = ledger.read(|tx| tx.meta("jsonl_stamp"))?;
    if known.as_deref() == Some(now.as_str()) {
        return Ok(());
    }
    ledger.cache_mb(import::CACHE_MB)?;
    let summary = ledger.write(|tx| {
        if tx.meta("jsonl_stamp")?.as_deref() == Some(now.as_str()) {
            return Ok(None);
        }
        let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let input = std::io::BufReader::with_capacity(1 << 16, file);
        let summary = import(tx, input, Source::Ledger, Some(&path))?;
        tx.set_meta("jsonl_stamp", &now)?;
        Ok(Some(summary))
    })?;
    if let Some(s) = summary {
        report(&path, &s, "the line is skipped and kept as it is");
    }
    Ok(())
}

/// Print an import's bad lines and problems to stderr, located.
pub fn report(path: &Path, s: &ImportSummary, bad_note: &str) {
    for b in &s.bad {
        eprintln!(
            "warning: {}:{}: {}; {bad_note}",
            path.display(),
            b.line,
            b.error
        );
    }
    for p in &s.problems {
        match p.line {
            Some(l) => eprintln!("warning: {}:{l}: {}", path.display(), p.message),
            None => eprintln!("warning: {}: {}", path.display(), p.message),
        }
    }
}

/// Write the ledger's `scope` to the file `path`, atomically (see [`write_ledger`]).
pub fn write_file(tx: &super::Tx, path: &Path, scope: Scope) -> Result<Written> {
    gtc::source::write_atomic_with(path, |out| {
        write_ledger(tx, out, scope, path).map_err(Failed::Ledger)
    })
    .map_err(|f| match f {
        Failed::Io(e) => Error::io(path, e),
        Failed::Ledger(e) => e,
    })
}

/// Why writing the file failed: the file system, or reading the ledger.
enum Failed {
    Io(std::io::Error),
    Ledger(Error),
}

impl From<std::io::Error> for Failed {
    fn from(e: std::io::Error) -> Failed {
        Failed::Io(e)
    }
}

/// What a flush did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Flushed {
    /// Issues in the file.
    pub issues: usize,
    /// Whether the file was written (false: it already held the ledger).
    pub written: bool,
}

/// Write `issues.jsonl` from the ledger (see [`write`]): atomically, streamed, and only
/// when something changed since the file was last written or read.
pub fn flush(ledger: &mut Ledger) -> Result<Flushed> {
    let path = ledger.dir.join(JSONL);
    let current = stamp(&path)?;
    let (generation, last) = ledger.read(|tx| {
        Ok((
            tx.meta("generation")?.unwrap_or_default(),
            (
                tx.meta("flushed_generation")?,
                tx.meta("jsonl_stamp")?,
                tx.meta("jsonl_issues")?,
            ),
        ))
    })?;
    if let (Some(g), Some(s), Some(n)) = &last
        && *g == generation
        && current.as_deref() == Some(s.as_str())
        && let Ok(issues) = n.parse()
    {
        return Ok(Flushed {
            issues,
            written: false,
        });
    }
    // One snapshot for the whole file, and the generation it holds.
    let (written, generation) = ledger.read(|tx| {
        let generation = tx.meta("generation")?.unwrap_or_default();
        Ok((write_file(tx, &path, Scope::Git)?, generation))
    })?;
    let s = stamp(&path)?;
    ledger.write(|tx| {
        if let Some(s) = &s {
            tx.set_meta("jsonl_stamp", s)?;
        }
        tx.set_meta("flushed_generation", &generation)?;
        tx.set_meta("jsonl_issues", &written.issues.to_string())
    })?;
    Ok(Flushed {
        issues: written.issues,
        written: true,
    })
}

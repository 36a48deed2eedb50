//! Writing the ledger as beads JSONL, streamed row by row (memory is bounded by a
//! record, not the ledger): `gt flush` (`issues.jsonl`) and `gt export`.
//!
//! Order: schema headers, issues sorted by id, memories by key, records of unknown
//! types (in the order first read), then, in `issues.jsonl` only, the quarantined lines
//! that could not be read. A record gt has not changed since it was read is written as
//! the line it was read from, byte for byte (its export counts too); a changed one is
//! written anew with its counts recomputed.

use crate::error::{Error, Result};
use crate::ledger::record::export_line;
use crate::ledger::store::{Tx, decode};
use std::io::Write;
use std::path::Path;

/// Which issues to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// What belongs in git: every issue but the wisps made here (a wisp read from the
    /// file is written back), plus the quarantined lines.
    Git,
    /// Every issue (`gt export`): wisps and templates too.
    All,
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub issues: usize,
    /// Headers, memories and records of unknown types.
    pub kept_lines: usize,
    /// Quarantined lines written back verbatim.
    pub quarantined: usize,
}

/// Write the ledger to `out` (see the module docs). `name` names `out` in I/O errors.
pub fn write_ledger(tx: &Tx, out: &mut dyn Write, scope: Scope, name: &Path) -> Result<Written> {
    let mut w = Written::default();
    let io = |e: std::io::Error| Error::io(name, e);
    let mut line = |out: &mut dyn Write, text: &str| -> Result<()> {
        out.write_all(text.as_bytes()).map_err(io)?;
        out.write_all(b"\n").map_err(io)
    };
    w.kept_lines += copy(
        tx,
        out,
        "SELECT text FROM lines WHERE kind = 'header' ORDER BY seq",
        &mut line,
    )?;
    {
        let sql = match scope {
            Scope::Git => {
                "SELECT id, line, record FROM issues WHERE ephemeral = 0 OR in_git = 1 ORDER BY id"
            }
            Scope::All => "SELECT id, line, record FROM issues ORDER BY id",
        };
        let mut stmt = tx.conn().prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            match row.get::<_, Option<String>>(1)? {
                Some(kept) => line(out, &kept)?,
                None => {
                    let issue = decode(&id, &row.get::<_, String>(2)?)?;
                    let text =
                        export_line(&issue, tx.dependent_count(&id)?).map_err(Error::Encode)?;
                    line(out, &text)?;
                }
            }
            w.issues += 1;
        }
    }
    w.kept_lines += copy(
        tx,
        out,
        "SELECT text FROM lines WHERE kind = 'memory' ORDER BY key",
        &mut line,
    )?;
    w.kept_lines += copy(
        tx,
        out,
        "SELECT text FROM lines WHERE kind = 'other' ORDER BY seq",
        &mut line,
    )?;
    if scope == Scope::Git {
        w.quarantined += copy(
            tx,
            out,
            "SELECT text FROM quarantine WHERE file = 'issues.jsonl' ORDER BY line",
            &mut line,
        )?;
    }
    Ok(w)
}

/// Write the one-column rows of `sql` as lines; how many.
fn copy(
    tx: &Tx,
    out: &mut dyn Write,
    sql: &str,
    line: &mut impl FnMut(&mut dyn Write, &str) -> Result<()>,
) -> Result<usize> {
    let mut stmt = tx.conn().prepare_cached(sql)?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        line(out, &row.get::<_, String>(0)?)?;
        n += 1;
    }
    Ok(n)
}

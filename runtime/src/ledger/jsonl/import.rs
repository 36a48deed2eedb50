//! Reading beads JSONL into the ledger, one line at a time (memory is bounded by a line,
//! not the file), in one transaction: an import lands whole or not at all.
//!
//! Per issue id, the newer record wins (`updated_at`; the file wins a tie or an equal
//! time with different content), tombstones included: a tombstone newer than the live
//! record deletes it, a live record newer than a tombstone brings the issue back. A
//! record equal to the ledger's only refreshes the line kept for writing it back.

use super::line::{Line, classify};
use crate::error::{Error, Result};
use crate::ledger::blocked;
use crate::ledger::record::Issue;
use crate::ledger::store::{Origin, Tx};
use std::collections::{BTreeSet, HashMap};
use std::io::BufRead;
use std::path::Path;

/// A line that is not a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// The line as it is in the file.
    pub text: String,
    /// What is wrong with it.
    pub error: String,
}

/// Something wrong in records that were imported anyway (kept as they are).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The line of the first record involved, when known.
    pub line: Option<usize>,
    /// The issues involved.
    pub ids: Vec<String>,
    pub message: String,
}

/// How an import went.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines whose record is older than the ledger's copy (kept: the ledger's).
    pub older: usize,
    /// Live issues deleted by a newer tombstone.
    pub deleted: usize,
    /// Schema headers, memories and records of unknown types (kept verbatim).
    pub kept_lines: usize,
    pub problems: Vec<Problem>,
    #[serde(skip)]
    pub bad: Vec<BadLine>,
}

/// Where the lines come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The ledger's own `issues.jsonl`: bad lines are quarantined (written back verbatim
    /// by flush), and its headers replace the ledger's.
    Ledger,
    /// Another file (`gt import`): bad lines are reported and skipped.
    File,
}

/// The page cache an import asks for (megabytes): with SQLite's default (about 2), a
/// large import spills index pages to the log and writes them again and again.
pub const CACHE_MB: i64 = 32;

/// Past this many changed records, flags and cycles are recomputed in bulk.
const BULK: usize = 5_000;

/// Import the lines of `input` (see the module docs). `path` names the input in
/// problems, and is read again to locate records when a bulk import finds cycles.
pub fn import(
    tx: &Tx,
    mut input: impl BufRead,
    source: Source,
    path: Option<&Path>,
) -> Result<ImportSummary> {
    let mut s = ImportSummary::default();
    let was_dirty = tx.dirty.get();
    if source == Source::Ledger {
        tx.conn()
            .execute("DELETE FROM lines WHERE kind = 'header'", [])?;
        tx.conn().execute(
            "DELETE FROM quarantine WHERE file = ?1",
            [super::super::JSONL],
        )?;
    }
    // The records changed, while few enough to follow one by one (then flags are
    // refreshed for them alone), and the records with parents, with their lines (then
    // only they are checked for parent-child cycles).
    let mut changed: Vec<String> = Vec::new();
    let mut pending = blocked::Pending::default();
    let mut bulk = false;
    let mut lines_of: HashMap<String, usize> = HashMap::new();
    let mut cycles_bulk = false;
    let mut buf = Vec::new();
    let mut n = 0usize;
    let name = path.map(|p| p.display().to_string());
    loop {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(name.clone().unwrap_or_else(|| String::from("<input>")), e))?;
        if read == 0 {
            break;
        }
        n += 1;
        let torn = buf.last() != Some(&b'\n');
        let mut bytes = buf.as_slice();
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                bad(
                    tx,
                    &mut s,
                    source,
                    n,
                    &String::from_utf8_lossy(bytes),
                    format!("not UTF-8: {e}"),
                )?;
                continue;
            }
        };
        match classify(text) {
            Line::Blank => {}
            Line::Bad(e) if torn => bad(
                tx,
                &mut s,
                source,
                n,
                text,
                format!("torn write: the last line is incomplete ({e})"),
            )?,
            Line::Bad(e) => bad(tx, &mut s, source, n, text, e)?,
            Line::Header => {
                keep(tx, "header", text, text)?;
                s.kept_lines += 1;
            }
            Line::Memory(key) => {
                keep(tx, "memory", &key, text)?;
                s.kept_lines += 1;
            }
            Line::Other => {
                keep(tx, "other", text, text)?;
                s.kept_lines += 1;
            }
            Line::Issue(issue) => {
                self_edges(&issue, n, &mut s);
                if !cycles_bulk && issue.parent().is_some() {
                    if lines_of.len() >= BULK {
                        cycles_bulk = true;
                        lines_of = HashMap::new();
                    } else {
                        lines_of.insert(issue.id.clone(), n);
                    }
                }
                let note = (!bulk).then_some(&mut pending);
                if !apply(tx, &issue, text, &mut s, note)? {
                    continue;
                }
                if bulk {
                    continue;
                }
                if changed.len() >= BULK {
                    bulk = true;
                    changed = Vec::new();
                    pending = blocked::Pending::default();
                    continue;
                }
                changed.push(issue.id.clone());
            }
        }
    }
    // `apply` noted what each change affected before it; now settle the flags and find
    // the parent-child cycles the changes made.
    if bulk {
        blocked::recompute_all(tx)?;
    } else {
        blocked::after_write(tx, &changed, pending)?;
    }
    let cycles = if cycles_bulk {
        blocked::parent_cycles(tx)?
    } else {
        let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
        for id in lines_of.keys() {
            let mut cycle = blocked::cycle_through(tx, id)?;
            if !cycle.is_empty() {
                cycle.sort();
                found.insert(cycle);
            }
        }
        found.into_iter().collect()
    };
    if !cycles.is_empty() {
        if cycles_bulk && let Some(p) = path {
            let wanted: BTreeSet<&String> = cycles.iter().flatten().collect();
            lines_of = locate(p, &wanted)?;
        }
        for ids in cycles {
            let line = ids.iter().filter_map(|i| lines_of.get(i)).min().copied();
            s.problems.push(Problem {
                line,
                message: format!(
                    "parent-child cycle: {} are each other's ancestors; the records are kept, and these parent-child edges are ignored for readiness (remove one with `gt dep remove`)",
                    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                ),
                ids,
            });
        }
    }
    s.problems
        .sort_by(|a, b| (a.line, &a.ids).cmp(&(b.line, &b.ids)));
    if source == Source::Ledger {
        // Records read from the file are what the file says: the file is behind only if
        // the ledger kept a newer record than it holds.
        tx.dirty.set(was_dirty || s.older > 0);
    }
    Ok(s)
}

/// Apply one incoming record; whether it changed the ledger. `note` collects what the
/// change affects, before it is made (see [`blocked::Pending`]).
fn apply(
    tx: &Tx,
    incoming: &Issue,
    text: &str,
    s: &mut ImportSummary,
    note: Option<&mut blocked::Pending>,
) -> Result<bool> {
    let current = tx.get(&incoming.id)?;
    let Some(current) = current else {
        if let Some(p) = note {
            p.note(tx, &incoming.id)?;
        }
        tx.store(incoming, Origin::File(text))?;
        s.created += 1;
        return Ok(true);
    };
    if current == *incoming {
        if tx.line(&incoming.id)?.as_deref() != Some(text) {
            tx.set_line(&incoming.id, text)?;
        }
        s.unchanged += 1;
        return Ok(false);
    }
    let newer = match (
        crate::ledger::time::nanos(&incoming.updated_at),
        crate::ledger::time::nanos(&current.updated_at),
    ) {
        (Some(a), Some(b)) => a >= b,
        _ => incoming.updated_at >= current.updated_at,
    };
    if !newer {
        s.older += 1;
        return Ok(false);
    }
    if let Some(p) = note {
        p.note(tx, &incoming.id)?;
    }
    tx.store(incoming, Origin::File(text))?;
    if incoming.is_tombstone() && !current.is_tombstone() {
        s.deleted += 1;
    } else {
        s.updated += 1;
    }
    Ok(true)
}

/// Report an issue's edges to itself (kept, ignored for readiness).
fn self_edges(issue: &Issue, line: usize, s: &mut ImportSummary) {
    for d in issue
        .dependencies
        .iter()
        .filter(|d| d.depends_on_id == issue.id)
    {
        s.problems.push(Problem {
            line: Some(line),
            ids: vec![issue.id.clone()],
            message: format!(
                "`{}` depends on itself ({}); the record is kept and the edge ignored",
                issue.id, d.kind
            ),
        });
    }
}

fn bad(
    tx: &Tx,
    s: &mut ImportSummary,
    source: Source,
    line: usize,
    text: &str,
    error: String,
) -> Result<()> {
    if source == Source::Ledger {
        tx.conn().execute(
            "INSERT OR REPLACE INTO quarantine(file, line, text, error) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![super::super::JSONL, line as i64, text, error],
        )?;
    }
    s.bad.push(BadLine {
        line,
        text: text.to_owned(),
        error,
    });
    Ok(())
}

/// Keep a line that is not an issue (`kind`: header, memory, other), by `key`.
fn keep(tx: &Tx, kind: &str, key: &str, text: &str) -> Result<()> {
    tx.conn().execute(
        "INSERT INTO lines(kind, key, seq, text)
           VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM lines), ?3)
         ON CONFLICT(kind, key) DO UPDATE SET text = ?3",
        [kind, key, text],
    )?;
    Ok(())
}

/// The line numbers of the records `ids` in the file at `path` (read again).
fn locate(path: &Path, ids: &BTreeSet<&String>) -> Result<HashMap<String, usize>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut input = std::io::BufReader::new(file);
    let mut out = HashMap::new();
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        if input
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, e))?
            == 0
        {
            return Ok(out);
        }
        n += 1;
        // Lines that are not UTF-8 were reported as bad already.
        let Ok(line) = std::str::from_utf8(&buf) else {
            continue;
        };
        if !ids.iter().any(|id| line.contains(id.as_str())) {
            continue;
        }
        if let Line::Issue(issue) = classify(line.trim_end())
            && ids.contains(&issue.id)
        {
            out.entry(issue.id).or_insert(n);
        }
    }
}

//! Beads JSONL in and out: `issues.jsonl`, `gt import`, `gt export`.
//!
//! Reading never drops a line silently: a line that is not an issue record is reported
//! with its file and line number and skipped; for the ledger's own `issues.jsonl` it is
//! also kept (the `quarantine` table) and written back verbatim at the end of the file
//! on the next flush, so a corrupt line is never rewritten away. A last line without its
//! newline is a torn write and is reported as such.

use super::record::{ExportRecord, Issue, to_line};
use super::store::Tx;
use super::{JSONL, Ledger, write_atomic};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// A line that is not an issue record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// The line as it is in the file.
    pub text: String,
    /// What is wrong with it.
    pub error: String,
}

/// The records of a JSONL text, and its bad lines.
#[derive(Debug, Default)]
pub struct Parsed {
    pub issues: Vec<(usize, Issue)>,
    pub bad: Vec<BadLine>,
    /// Lines skipped on purpose (schema headers), by kind.
    pub skipped: Vec<(usize, String)>,
    /// Memory records (`"_type":"memory"`), by key, as written; kept and exported again.
    pub memories: Vec<(String, String)>,
}

/// Parse JSONL. Blank lines are ignored; header lines carrying `_schema` are skipped and
/// counted; memory lines (`"_type":"memory"`) are collected as they are.
pub fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let torn = !text.is_empty() && !text.ends_with('\n');
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len();
    for (i, raw) in lines.into_iter().enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                let error = if torn && n == last {
                    format!("torn write: the last line is incomplete ({e})")
                } else {
                    format!("not JSON: {e}")
                };
                out.bad.push(BadLine {
                    line: n,
                    text: line.to_owned(),
                    error,
                });
                continue;
            }
        };
        if value.get("_schema").is_some() {
            out.skipped.push((n, String::from("schema header")));
            continue;
        }
        if value.get("_type").and_then(|t| t.as_str()) == Some("memory") {
            let key = value
                .get("key")
                .and_then(|k| k.as_str())
                .unwrap_or_default();
            out.memories.push((key.to_owned(), line.to_owned()));
            continue;
        }
        match Issue::from_json(line) {
            Ok(issue) => out.issues.push((n, issue)),
            Err(e) => out.bad.push(BadLine {
                line: n,
                text: line.to_owned(),
                error: format!("not an issue record: {e}"),
            }),
        }
    }
    out
}

/// How an import went.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines whose record is older than the ledger's copy (kept: the ledger's).
    pub older: usize,
    pub skipped: usize,
    #[serde(skip)]
    pub bad: Vec<BadLine>,
}

/// Upsert records: a new id is added; an existing one is replaced when the incoming
/// `updated_at` is later (or the same time with different content: the file wins).
pub fn import_records(tx: &Tx, parsed: &Parsed) -> Result<ImportSummary> {
    let mut summary = ImportSummary {
        skipped: parsed.skipped.len(),
        bad: parsed.bad.clone(),
        ..ImportSummary::default()
    };
    let mut latest: HashMap<&str, &Issue> = HashMap::new();
    for (_, issue) in &parsed.issues {
        latest.insert(&issue.id, issue);
    }
    let mut ids: Vec<&str> = latest.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let incoming = latest[id];
        match tx.get(id)? {
            None => {
                tx.store(incoming)?;
                summary.created += 1;
            }
            Some(current) if current == *incoming => summary.unchanged += 1,
            Some(current) => {
                let newer = match (
                    super::time::nanos(&incoming.updated_at),
                    super::time::nanos(&current.updated_at),
                ) {
                    (Some(a), Some(b)) => a >= b,
                    _ => incoming.updated_at >= current.updated_at,
                };
                if newer {
                    tx.store(incoming)?;
                    summary.updated += 1;
                } else {
                    summary.older += 1;
                }
            }
        }
    }
    for (key, line) in &parsed.memories {
        tx.set_meta(&format!("memory:{key}"), line)?;
    }
    super::blocked::refresh_all(tx)?;
    Ok(summary)
}

/// The memory records kept from imports, by key.
pub fn memory_lines(tx: &Tx) -> Result<String> {
    let mut stmt = tx
        .conn()
        .prepare("SELECT value FROM meta WHERE key LIKE 'memory:%' ORDER BY key")?;
    let mut out = String::new();
    for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
        out.push_str(&line?);
        out.push('\n');
    }
    Ok(out)
}

/// Lines for `issues`, each an export record with its derived counts.
pub fn export_lines(tx: &Tx, issues: &[Issue]) -> Result<String> {
    let mut out = String::new();
    for issue in issues {
        let record = ExportRecord {
            kind: "issue",
            issue,
            dependency_count: issue.dependencies.len(),
            dependent_count: tx.dependent_count(&issue.id)?,
            comment_count: issue.comments.len(),
        };
        out.push_str(&to_line(&record));
        out.push('\n');
    }
    Ok(out)
}

fn stamp(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!("{}:{mtime}", meta.len()))
}

/// Read `issues.jsonl` into the database when it changed since the ledger last read or
/// wrote it (a clone, a pull, a hand edit). Bad lines are printed to stderr.
pub fn import_if_changed(ledger: &mut Ledger) -> Result<()> {
    let path = ledger.dir.join(JSONL);
    let Some(now) = stamp(&path) else {
        return Ok(());
    };
    let known = ledger.read(|tx| tx.meta("jsonl_stamp"))?;
    if known.as_deref() == Some(now.as_str()) {
        return Ok(());
    }
    let summary = ledger.write(|tx| {
        if tx.meta("jsonl_stamp")?.as_deref() == Some(now.as_str()) {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let parsed = parse(&text);
        let summary = import_records(tx, &parsed)?;
        tx.conn().execute("DELETE FROM quarantine WHERE file = ?1", [JSONL])?;
        for b in &parsed.bad {
            tx.conn().execute(
                "INSERT OR REPLACE INTO quarantine(file, line, text, error) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![JSONL, b.line as i64, b.text, b.error],
            )?;
        }
        tx.set_meta("jsonl_stamp", &now)?;
        Ok(Some(summary))
    })?;
    if let Some(s) = summary {
        for b in &s.bad {
            eprintln!(
                "warning: {}:{}: {}; the line is skipped and kept as it is",
                path.display(),
                b.line,
                b.error
            );
        }
    }
    Ok(())
}

/// Write `issues.jsonl`: every issue that belongs in git (not ephemeral, not a
/// template), sorted by id, then any quarantined bad lines verbatim. Returns the number
/// of records written.
pub fn flush(ledger: &mut Ledger) -> Result<usize> {
    let path = ledger.dir.join(JSONL);
    let (text, count) = ledger.read(|tx| {
        let issues: Vec<Issue> = tx
            .all()?
            .into_iter()
            .filter(|i| !i.is_ephemeral() && !i.is_template())
            .collect();
        let mut text = export_lines(tx, &issues)?;
        let mut stmt = tx
            .conn()
            .prepare("SELECT text FROM quarantine WHERE file = ?1 ORDER BY line")?;
        for line in stmt.query_map([JSONL], |r| r.get::<_, String>(0))? {
            text.push_str(&line?);
            text.push('\n');
        }
        Ok((text, issues.len()))
    })?;
    let current = std::fs::read(&path).ok();
    if current.as_deref() != Some(text.as_bytes()) {
        write_atomic(&path, text.as_bytes())?;
    }
    if let Some(s) = stamp(&path) {
        ledger.write(|tx| tx.set_meta("jsonl_stamp", &s))?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_located_and_torn_tail_named() {
        let text =
            "{\"id\":\"a\",\"title\":\"A\"}\nnot json\n{\"title\":\"no id\"}\n\n{\"id\":\"b\",\"ti";
        let p = parse(text);
        assert_eq!(p.issues.len(), 1);
        let lines: Vec<usize> = p.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert!(
            p.bad[2].error.starts_with("torn write"),
            "{}",
            p.bad[2].error
        );
        assert!(p.bad[0].error.starts_with("not JSON"));
    }

    #[test]
    fn headers_and_memories_are_skipped() {
        let p = parse("{\"_schema\":1}\n{\"_type\":\"memory\",\"key\":\"k\",\"value\":\"v\"}\n");
        assert!(p.issues.is_empty() && p.bad.is_empty());
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.memories[0].0, "k");
    }
}

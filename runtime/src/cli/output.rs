//! Printing: JSON (beads records) or one line per issue.

use crate::error::{Error, Result};
use crate::ledger::Issue;
use crate::ledger::record::json_record;
use serde::Serialize;
use std::io::Write;

/// Print `value` as JSON (pretty when it is small, so people can read it too).
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Invalid(format!("cannot encode output: {e}")))?;
    emit(&text)
}

/// Print issues as a JSON array of records.
pub fn issues_json(issues: &[Issue]) -> Result<()> {
    let mut out = RecordsJson::start()?;
    for issue in issues {
        out.push(&json_record(issue).map_err(Error::Encode)?)?;
    }
    out.finish()
}

/// Print one issue: its record with `--json`, else `message()`.
pub fn one(json: bool, issue: &Issue, message: impl FnOnce() -> String) -> Result<()> {
    if json {
        issues_json(std::slice::from_ref(issue))
    } else {
        emit(&message())
    }
}

/// A JSON array of records streamed to stdout (one record per line), so a long list is
/// never held in memory.
pub struct RecordsJson {
    out: Stream,
    n: usize,
}

impl RecordsJson {
    pub fn start() -> Result<RecordsJson> {
        let mut r = RecordsJson {
            out: Stream::new(),
            n: 0,
        };
        r.out.write(b"[")?;
        Ok(r)
    }

    /// Add one record (a JSON object's text).
    pub fn push(&mut self, record: &str) -> Result<()> {
        self.out.write(if self.n == 0 { b"\n" } else { b",\n" })?;
        self.out.write(record.as_bytes())?;
        self.n += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        self.out
            .write(if self.n == 0 { b"]\n" } else { b"\n]\n" })?;
        self.out.finish()
    }
}

/// Buffered stdout where a closed pipe (`gt list | head`) ends the output quietly.
struct Stream {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl Stream {
    fn new() -> Stream {
        Stream {
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
            closed: false,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.write_all(bytes) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Error::io("<stdout>", e)),
        }
    }

    fn finish(mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.flush() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("<stdout>", e)),
            _ => Ok(()),
        }
    }
}

/// One line for an issue: `id  P2  open         task     title`.
pub fn line(issue: &Issue) -> String {
    let who = issue
        .assignee
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(|a| format!("  @{a}"))
        .unwrap_or_default();
    format!(
        "{}  P{}  {:<11} {:<8} {}{who}",
        issue.id, issue.priority, issue.status, issue.issue_type, issue.title
    )
}

/// Issues printed one per line as they come (or `empty` when there are none), so a long
/// list is never held in memory.
pub struct IssueLines {
    out: Stream,
    empty: String,
    n: usize,
}

impl IssueLines {
    pub fn start(empty: &str) -> IssueLines {
        IssueLines {
            out: Stream::new(),
            empty: empty.to_owned(),
            n: 0,
        }
    }

    pub fn push(&mut self, issue: &Issue) -> Result<()> {
        self.n += 1;
        self.out.write(line(issue).as_bytes())?;
        self.out.write(b"\n")
    }

    pub fn finish(mut self) -> Result<()> {
        if self.n == 0 {
            let empty = format!("{}\n", self.empty);
            self.out.write(empty.as_bytes())?;
        }
        self.out.finish()
    }
}

/// Write `text` and a newline to stdout; a closed pipe is not an error.
pub fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let r = writeln!(out, "{text}").and_then(|_| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("<stdout>", e)),
        _ => Ok(()),
    }
}

//! `gt import`, `gt export`, `gt flush`.

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::ledger::jsonl::{
    Scope, Source, flush as flush_jsonl, import, report, write_file, write_ledger,
};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A beads JSONL file (`-` for standard input).
    file: PathBuf,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write here instead of standard output (atomically).
    file: Option<PathBuf>,
}

pub fn import_cmd(a: ImportArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    ledger.cache_mb(crate::ledger::jsonl::import::CACHE_MB)?;
    let stdin = a.file.as_os_str() == "-";
    let summary = ledger.write(|tx| {
        if stdin {
            import(tx, std::io::stdin().lock(), Source::File, None)
        } else {
            let file = std::fs::File::open(&a.file).map_err(|e| Error::io(&a.file, e))?;
            let input = std::io::BufReader::with_capacity(1 << 16, file);
            import(tx, input, Source::File, Some(&a.file))
        }
    })?;
    report(&a.file, &summary, "the line is skipped");
    if ctx.json {
        output::json(&summary)?;
    } else {
        output::emit(&format!(
            "imported {}: {} new, {} updated, {} deleted, {} unchanged, {} older than the ledger's (kept the ledger's), {} other line(s) kept, {} bad line(s) skipped",
            a.file.display(),
            summary.created,
            summary.updated,
            summary.deleted,
            summary.unchanged,
            summary.older,
            summary.kept_lines,
            summary.bad.len()
        ))?;
    }
    if summary.bad.is_empty() {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "{} line(s) of {} were not imported (see the warnings above)",
            summary.bad.len(),
            a.file.display()
        )))
    }
}

pub fn export(a: ExportArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    match a.file {
        Some(path) => {
            let written = ledger.read(|tx| write_file(tx, &path, Scope::All))?;
            eprintln!(
                "exported {} issue(s) and {} other line(s) to {}",
                written.issues,
                written.kept_lines,
                path.display()
            );
            Ok(())
        }
        None => ledger.read(|tx| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let name = std::path::Path::new("<stdout>");
            match write_ledger(tx, &mut out, Scope::All, name) {
                Err(Error::Io { err, .. }) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    return Ok(());
                }
                r => r?,
            };
            match out.flush() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io(name, e)),
                _ => Ok(()),
            }
        }),
    }
}

pub fn flush(ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let done = flush_jsonl(&mut ledger)?;
    let path = ledger.dir.join(crate::ledger::JSONL);
    if ctx.json {
        output::json(&serde_json::json!({
            "path": path.display().to_string(),
            "issues": done.issues,
            "written": done.written,
        }))
    } else if done.written {
        output::emit(&format!(
            "wrote {} issue(s) to {}",
            done.issues,
            path.display()
        ))
    } else {
        output::emit(&format!(
            "{} is up to date ({} issue(s))",
            path.display(),
            done.issues
        ))
    }
}

//! `gt import`, `gt export`, `gt flush`.

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::ledger::jsonl::{
    export_lines, flush as flush_jsonl, import_records, memory_lines, parse,
};
use clap::Args;
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

pub fn import(a: ImportArgs, ctx: &Ctx) -> Result<()> {
    let text = if a.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Error::io("<stdin>", e))?;
        s
    } else {
        std::fs::read_to_string(&a.file).map_err(|e| Error::io(&a.file, e))?
    };
    let parsed = parse(&text);
    for b in &parsed.bad {
        eprintln!(
            "warning: {}:{}: {}; the line is skipped",
            a.file.display(),
            b.line,
            b.error
        );
    }
    let mut ledger = ctx.ledger()?;
    let summary = ledger.write(|tx| import_records(tx, &parsed))?;
    if ctx.json {
        return output::json(&summary);
    }
    output::emit(&format!(
        "imported {}: {} new, {} updated, {} unchanged, {} older than the ledger's (kept the ledger's), {} bad line(s) skipped",
        a.file.display(),
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.older,
        summary.bad.len()
    ))?;
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
    let text = ledger.read(|tx| {
        let all = tx.all()?;
        let mut text = export_lines(tx, &all)?;
        text.push_str(&memory_lines(tx)?);
        Ok(text)
    })?;
    match a.file {
        Some(path) => {
            crate::ledger::write_atomic(&path, text.as_bytes())?;
            eprintln!(
                "exported {} line(s) to {}",
                text.lines().count(),
                path.display()
            );
            Ok(())
        }
        None => output::emit(text.trim_end_matches('\n')).map(|_| ()),
    }
}

pub fn flush(ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let n = flush_jsonl(&mut ledger)?;
    if ctx.json {
        output::json(
            &serde_json::json!({"path": ledger.dir.join(crate::ledger::JSONL).display().to_string(), "issues": n}),
        )
    } else {
        output::emit(&format!(
            "wrote {n} issue(s) to {}",
            ledger.dir.join(crate::ledger::JSONL).display()
        ))
    }
}

//! `gt sync`: write the ledger's JSONL, commit it, merge with the remote (three-way, by
//! issue id), push, and read the merged ledger back.

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::git::{Repo, sync};
use crate::ledger::JSONL;
use crate::ledger::jsonl::{flush, import_if_changed};
use clap::Args;

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The commit message.
    #[arg(short, long, default_value = "gt sync: ledger")]
    message: String,
}

pub fn run(a: SyncArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    flush(&mut ledger)?;
    let repo = Repo::init_or_open(ledger.root()).map_err(|e| Error::Refused(e.to_string()))?;
    let file = ledger.dir.join(JSONL);
    let rel = in_worktree(&repo, &file)?;
    let report =
        sync(repo.workdir(), &rel, &a.message).map_err(|e| Error::Refused(e.to_string()))?;
    // The merge may have rewritten the file: read it back, then write the canonical form.
    import_if_changed(&mut ledger)?;
    for c in &report.conflicts {
        eprintln!("conflict: {}", describe(c));
    }
    for c in report.corrupt.iter().filter(|c| c.kept) {
        eprintln!(
            "warning: {:?} side, line {}: {}; kept as it is",
            c.side, c.line, c.reason
        );
    }
    if ctx.json {
        return output::json(&serde_json::json!({
            "committed": report.committed,
            "remote": report.remote,
            "fetched": report.fetched,
            "merged": report.merged,
            "fast_forwarded": report.fast_forwarded,
            "pushed": report.pushed,
            "attempts": report.attempts,
            "head": report.head.map(|h| h.to_string()),
            "conflicts": report.conflicts.iter().map(|c| serde_json::json!({
                "id": c.id, "field": c.field, "ours": c.ours, "theirs": c.theirs,
                "chosen": format!("{:?}", c.chosen).to_lowercase(),
            })).collect::<Vec<_>>(),
        }));
    }
    let mut parts = Vec::new();
    parts.push(if report.committed {
        "committed the ledger"
    } else {
        "nothing new to commit"
    });
    if report.fetched {
        parts.push("fetched");
    }
    if report.merged {
        parts.push("merged");
    }
    if report.fast_forwarded {
        parts.push("fast-forwarded");
    }
    if report.pushed {
        parts.push("pushed");
    }
    if report.remote.is_none() {
        parts.push("no remote (add one with `git remote add origin URL`)");
    }
    output::emit(&format!("sync: {}", parts.join(", ")))
}

/// `path` relative to the repository's work tree.
pub(super) fn in_worktree(repo: &Repo, path: &std::path::Path) -> Result<std::path::PathBuf> {
    if let Ok(r) = path.strip_prefix(repo.workdir()) {
        return Ok(r.to_path_buf());
    }
    let canon = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let work = std::fs::canonicalize(repo.workdir()).map_err(|e| Error::io(repo.workdir(), e))?;
    canon
        .strip_prefix(&work)
        .map(std::path::Path::to_path_buf)
        .map_err(|_| Error::Invalid(format!("{} is outside the git work tree", path.display())))
}

/// One line for a conflict the merge resolved.
fn describe(c: &crate::git::FieldConflict) -> String {
    use crate::git::{ConflictKind, Side};
    let deleted = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .is_some_and(|r| r["status"] == crate::ledger::record::TOMBSTONE)
    };
    match c.kind {
        ConflictKind::Tombstone => {
            let kept_deletion = match c.chosen {
                Side::Ours => deleted(&c.ours),
                Side::Theirs => deleted(&c.theirs),
            };
            if kept_deletion {
                format!(
                    "{} was deleted on one side and changed on the other; the deletion is later and stands (the change is lost; see the other clone's history)",
                    c.id
                )
            } else {
                format!(
                    "{} was deleted on one side and changed on the other; the change is later and brings it back",
                    c.id
                )
            }
        }
        ConflictKind::DeletedVsChanged => format!(
            "{} was removed on one side and changed on the other; the changed record is kept",
            c.id
        ),
        ConflictKind::Field | ConflictKind::Entry => format!(
            "{} `{}`: both sides changed it; kept {:?}'s value (the later updated_at)",
            c.id, c.field, c.chosen
        ),
    }
}

//! `sync`: commit the ledger file, fetch, merge, push, retry on a lost race.
//!
//! 1. Commit the work tree's ledger file (only that path; see
//!    [`Repo::commit_files`]). A missing file is not committed as a deletion.
//! 2. Without a remote (`branch.<b>.remote`, else `origin`) stop here.
//! 3. Fetch. The remote branch is the upstream (`branch.<b>.merge`), else the
//!    branch of the same name. If it is missing, go to 5 (the push creates it);
//!    if it is an ancestor of HEAD, go to 5.
//! 4. Integrate:
//!    * HEAD is an ancestor of the remote branch (or unborn): fast-forward the
//!      branch with a compare-and-swap and write the changed files into the
//!      work tree and index;
//!    * diverged: three-way merge the ledger with [`merge_jsonl`] (base from
//!      the merge base, a missing file is empty), take the remote's version of
//!      other paths only the remote changed, and commit a merge with both
//!      parents; then write the merged ledger and those paths to the work tree.
//!
//!    Other paths changed on both sides, or changed remotely while modified
//!    locally, stop the sync before anything is changed ([`SyncError::PathConflict`],
//!    [`SyncError::LocalChanges`]): sync never overwrites work it did not make.
//! 5. Push with `git push` (see [`super::repo`] for why). A non-fast-forward
//!    rejection means another clone pushed since our fetch: go back to 3, up
//!    to [`SyncOptions::max_attempts`] times.

use std::fmt;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::BString;

use super::merge::{CorruptLine, FieldConflict, Stop, merge_jsonl, merge_streams};
use super::repo::{Content, FileEntry, PushOutcome, Repo, RepoError};
use gix::objs::tree::EntryKind;

/// Default number of fetch-merge-push rounds before giving up.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// What [`sync`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// The work tree's ledger file was committed (it differed from HEAD).
    pub committed: bool,
    /// The remote used, if any.
    pub remote: Option<String>,
    /// A fetch happened.
    pub fetched: bool,
    /// At least one merge commit was made.
    pub merged: bool,
    /// The branch was fast-forwarded to the remote.
    pub fast_forwarded: bool,
    /// The remote branch was updated by our push.
    pub pushed: bool,
    /// Fetch-merge-push rounds used (0 without a remote).
    pub attempts: u32,
    /// HEAD after the sync.
    pub head: Option<ObjectId>,
    /// Disagreements resolved by the merges made.
    pub conflicts: Vec<FieldConflict>,
    /// Corrupt lines met by the last merge (kept in the file unless `kept` is false).
    pub corrupt: Vec<CorruptLine>,
}

/// Knobs for [`sync_with`].
pub struct SyncOptions<'a> {
    /// Fetch-merge-push rounds before [`SyncError::RaceLost`].
    pub max_attempts: u32,
    /// Remote name to use instead of the branch's remote / `origin`.
    pub remote: Option<String>,
    /// Called with the round number just before each push (tests use it to
    /// push from another clone and make us lose the race).
    pub before_push: Option<Box<dyn FnMut(u32) + 'a>>,
}

impl Default for SyncOptions<'_> {
    fn default() -> Self {
        SyncOptions {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            remote: None,
            before_push: None,
        }
    }
}

/// Why [`sync`] failed. Nothing is half-done: every step either completed or
/// left the repository as it was.
#[derive(Debug)]
pub enum SyncError {
    /// A git operation failed.
    Git(RepoError),
    /// The ledger file could not be read.
    ReadLedger {
        path: PathBuf,
        error: std::io::Error,
    },
    /// HEAD is not on a branch, so there is nothing to push or merge into.
    DetachedHead,
    /// Both sides changed these non-ledger paths.
    PathConflict { paths: Vec<String> },
    /// The remote changed these paths, which have uncommitted local changes.
    LocalChanges { paths: Vec<String> },
    /// Every push was rejected because the remote kept moving.
    RaceLost { attempts: u32 },
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Git(e) => write!(f, "sync failed: {e}"),
            SyncError::ReadLedger { path, error } => {
                write!(
                    f,
                    "sync failed: cannot read the ledger file {}: {error}",
                    path.display()
                )
            }
            SyncError::DetachedHead => write!(
                f,
                "sync failed: HEAD is detached; check out a branch (`git switch <branch>`) and sync again"
            ),
            SyncError::PathConflict { paths } => write!(
                f,
                "sync stopped: both this clone and the remote changed {}; run `git pull` to merge them, then sync again",
                paths.join(", ")
            ),
            SyncError::LocalChanges { paths } => write!(
                f,
                "sync stopped: the remote changed {}, which you modified without committing; commit or stash them, then sync again",
                paths.join(", ")
            ),
            SyncError::RaceLost { attempts } => write!(
                f,
                "sync gave up: the remote moved during each of {attempts} attempts (others are pushing); sync again"
            ),
        }
    }
}

impl std::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SyncError::Git(e) => Some(e),
            SyncError::ReadLedger { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<RepoError> for SyncError {
    fn from(e: RepoError) -> Self {
        SyncError::Git(e)
    }
}

/// Sync the ledger file `ledger_rel` (relative to the work tree, e.g.
/// `.beads/issues.jsonl`) of the repository at or above `repo_dir` (created
/// if there is none) with its remote. See the module docs.
pub fn sync(repo_dir: &Path, ledger_rel: &Path, message: &str) -> Result<SyncReport, SyncError> {
    sync_with(repo_dir, ledger_rel, message, SyncOptions::default())
}

/// [`sync`] with options.
pub fn sync_with(
    repo_dir: &Path,
    ledger_rel: &Path,
    message: &str,
    mut opts: SyncOptions<'_>,
) -> Result<SyncReport, SyncError> {
    let repo = Repo::init_or_open(repo_dir)?;
    let mut report = SyncReport::default();
    let rel = ledger_rel.to_string_lossy().replace('\\', "/");

    // (a) commit the working file (streamed into the object store).
    let path = repo.workdir().join(ledger_rel);
    match std::fs::metadata(&path) {
        Ok(_) => {
            report.committed = repo
                .commit_files(&[(ledger_rel, Content::File(&path))], message)?
                .is_some()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(SyncError::ReadLedger { path, error }),
    }
    report.head = repo.head_id()?;

    let remote = match opts.remote.take() {
        Some(r) => Some(r),
        None => repo.default_remote()?,
    };
    let Some(remote) = remote else {
        return Ok(report);
    };
    report.remote = Some(remote.clone());
    let branch = repo.head_branch()?.ok_or(SyncError::DetachedHead)?;
    let upstream = repo.upstream_ref(&branch)?;

    for attempt in 1..=opts.max_attempts.max(1) {
        report.attempts = attempt;
        let theirs = repo.fetch_branch(&remote, &upstream)?;
        report.fetched = true;
        integrate(
            &repo,
            &rel,
            theirs,
            &upstream,
            &remote,
            message,
            &mut report,
        )?;
        let head = repo.head_id()?;
        report.head = head;
        let Some(head) = head else { return Ok(report) }; // nothing on either side
        if Some(head) == theirs {
            return Ok(report);
        }
        if let Some(hook) = opts.before_push.as_mut() {
            hook(attempt);
        }
        match repo.push(&remote, head, &upstream)? {
            PushOutcome::Pushed => {
                report.pushed = true;
                return Ok(report);
            }
            PushOutcome::Rejected(_) => continue,
        }
    }
    Err(SyncError::RaceLost {
        attempts: report.attempts,
    })
}

/// Bring the remote commit `theirs` into HEAD (fast-forward or merge).
fn integrate(
    repo: &Repo,
    ledger: &str,
    theirs: Option<ObjectId>,
    upstream: &str,
    remote: &str,
    message: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let Some(theirs) = theirs else { return Ok(()) };
    let ours = repo.head_id()?;
    let base = match ours {
        Some(o) => repo.merge_base(o, theirs)?,
        None => None,
    };
    if base == Some(theirs) {
        return Ok(()); // the remote is already in HEAD
    }
    let fast_forward = base == ours;

    let (b, o, t) = (
        repo.files_at(base)?,
        repo.files_at(ours)?,
        repo.files_at(Some(theirs))?,
    );
    let ledger_key = BString::from(ledger);
    let mut both = Vec::new();
    let mut dirty = Vec::new();
    let mut updates: Vec<(String, Option<FileEntry>)> = Vec::new();
    let paths: std::collections::BTreeSet<&BString> =
        b.keys().chain(o.keys()).chain(t.keys()).collect();
    for p in paths {
        if *p == ledger_key {
            continue;
        }
        let (bp, op, tp) = (b.get(p), o.get(p), t.get(p));
        if tp == op || tp == bp {
            continue; // nothing to take from the remote
        }
        let name = p.to_string();
        if op != bp {
            both.push(name);
            continue;
        }
        if tp.is_some_and(|e| {
            e.mode.kind() != EntryKind::Blob && e.mode.kind() != EntryKind::BlobExecutable
        }) {
            both.push(format!("{name} (not a regular file)"));
            continue;
        }
        if !repo.workdir_matches(&name, op)? {
            dirty.push(name.clone());
        }
        updates.push((name, tp.copied()));
    }
    if !both.is_empty() {
        return Err(SyncError::PathConflict { paths: both });
    }
    if !dirty.is_empty() {
        return Err(SyncError::LocalChanges { paths: dirty });
    }

    let (bl, ol, tl) = (b.get(&ledger_key), o.get(&ledger_key), t.get(&ledger_key));
    if fast_forward {
        repo.move_head(
            ours,
            theirs,
            &format!("gt sync: fast-forward to {remote} {upstream}"),
        )?;
        repo.checkout_files(&updates)?;
        if ol != tl {
            match tl {
                // The ledger may be large: streamed into place.
                Some(e) => repo.install_blob(ledger, *e)?,
                None => repo.checkout_files(&[(ledger.to_string(), None)])?,
            }
        }
        report.fast_forwarded = true;
        return Ok(());
    }
    let Some(ours) = ours else { return Ok(()) }; // unreachable: unborn HEAD always fast-forwards

    // The merged ledger, written to a temporary file beside the repository's objects.
    let mut merged_file = None;
    if ol.is_some() || tl.is_some() {
        let tmp = repo
            .git_dir()
            .join(format!("gt-merged-ledger.{}.tmp", std::process::id()));
        let merged = merge_ledgers(repo, [bl, ol, tl], &tmp);
        let merged = match merged {
            Ok(m) => m,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
        };
        let blob = repo.write_blob_file(&tmp)?;
        let entry = FileEntry {
            mode: EntryKind::Blob.into(),
            id: blob,
        };
        merged_file = Some((tmp, entry));
        updates.push((ledger.to_string(), Some(entry)));
        report.conflicts.extend(merged.conflicts);
        report.corrupt = merged.corrupt;
    }
    let ours_tree = repo
        .gix()
        .find_commit(ours)
        .and_then(|c| c.tree_id())
        .map_err(|e| RepoError {
            op: format!("read the tree of {ours}"),
            detail: e.to_string(),
        })?
        .detach();
    let tree = repo.edit_tree(ours_tree, &updates)?;
    let msg = format!("{message}\n\ngt sync: merge {upstream} from {remote}");
    repo.commit_tree(tree, &[ours, theirs], &msg)?;
    match merged_file {
        Some((tmp, entry)) => {
            updates.retain(|(p, _)| p != ledger);
            repo.checkout_files(&updates)?;
            repo.install_file(ledger, &tmp, entry)?;
        }
        None => repo.checkout_files(&updates)?,
    }
    report.merged = true;
    Ok(())
}

/// What a merge of the ledger reports.
struct Merged {
    conflicts: Vec<FieldConflict>,
    corrupt: Vec<CorruptLine>,
}

/// Merge the ledger blobs `[base, ours, theirs]` (absent: empty) into the file `out`:
/// streamed (bounded memory) when the three are in the order `gt flush` writes, else
/// read whole and merged in memory.
fn merge_ledgers(
    repo: &Repo,
    [b, o, t]: [Option<&FileEntry>; 3],
    out: &Path,
) -> Result<Merged, RepoError> {
    let op = || format!("write the merged ledger to {}", out.display());
    let open = |e: Option<&FileEntry>| -> Result<Box<dyn std::io::BufRead>, RepoError> {
        Ok(match e {
            Some(e) => Box::new(repo.blob_reader(e.id)?),
            None => Box::new(std::io::empty()),
        })
    };
    let streamed = {
        let file = std::fs::File::create(out).map_err(|e| RepoError::new(op(), e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        merge_streams(open(b)?, open(o)?, open(t)?, &mut w)
            .and_then(|m| std::io::Write::flush(&mut w).map(|_| m).map_err(Stop::Io))
    };
    match streamed {
        Ok(m) => Ok(Merged {
            conflicts: m.conflicts,
            corrupt: m.corrupt,
        }),
        Err(Stop::Io(e)) => Err(RepoError::new("merge the ledger", e)),
        // Not in flush's order (another tool wrote it): merge in memory.
        Err(_) => {
            let read = |e: Option<&FileEntry>| -> Result<String, RepoError> {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut open(e)?, &mut text)
                    .map_err(|err| RepoError::new("read the ledger", err))?;
                Ok(text)
            };
            let m = merge_jsonl(&read(b)?, &read(o)?, &read(t)?);
            std::fs::write(out, m.text.as_bytes()).map_err(|e| RepoError::new(op(), e))?;
            Ok(Merged {
                conflicts: m.conflicts,
                corrupt: m.corrupt,
            })
        }
    }
}

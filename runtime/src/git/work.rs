//! The rigs' repositories, through the `git` program: worktrees, step branches, commits,
//! rebase and fast-forward merges (gix has no rebase or worktree checkout). Every value
//! is passed as its own argument, never through a shell; commits carry the agent as
//! author, so no git identity needs to be configured.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A git failure: the command and what git said.
#[derive(Debug)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<GitError> for crate::error::Error {
    fn from(e: GitError) -> crate::error::Error {
        crate::error::Error::Refused(e.0)
    }
}

type R<T> = Result<T, GitError>;

/// `git -C dir args...`, with the environment that points git elsewhere removed.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir).args(args);
    for v in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
    ] {
        c.env_remove(v);
    }
    c.env("GIT_TERMINAL_PROMPT", "0");
    c
}

fn describe(dir: &Path, args: &[&str]) -> String {
    format!("git -C {} {}", dir.display(), args.join(" "))
}

/// Run git; its standard output (trimmed), or an error with its standard error.
fn run(dir: &Path, args: &[&str]) -> R<String> {
    run_with(command(dir, args), dir, args)
}

fn run_with(mut c: Command, dir: &Path, args: &[&str]) -> R<String> {
    let out = c.output().map_err(|e| {
        GitError(format!(
            "{}: cannot run git: {e}{}",
            describe(dir, args),
            if e.kind() == std::io::ErrorKind::NotFound {
                " (the village needs the git program for worktrees and merges)"
            } else {
                ""
            }
        ))
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(GitError(format!(
            "{} failed: {}",
            describe(dir, args),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Whether git exits 0 (for questions such as `merge-base --is-ancestor`).
fn test(dir: &Path, args: &[&str]) -> R<bool> {
    let out = command(dir, args)
        .output()
        .map_err(|e| GitError(format!("{}: cannot run git: {e}", describe(dir, args))))?;
    match out.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(GitError(format!(
            "{} failed: {}",
            describe(dir, args),
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
    }
}

/// Who a commit is by.
#[derive(Clone, Debug)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Author {
    /// An agent as author: `app/polecat-1 <app-polecat-1@gt.invalid>`.
    pub fn agent(name: &str) -> Author {
        Author {
            name: name.to_owned(),
            email: format!("{}@gt.invalid", name.replace('/', "-")),
        }
    }
}

fn as_author(c: &mut Command, a: &Author) {
    c.env("GIT_AUTHOR_NAME", &a.name)
        .env("GIT_AUTHOR_EMAIL", &a.email)
        .env("GIT_COMMITTER_NAME", &a.name)
        .env("GIT_COMMITTER_EMAIL", &a.email);
}

/// The branch for `agent` (generation `generation`) working `step`:
/// `gt/<step>/<agent>-g<N>`, with anything a ref name cannot hold replaced by `-`.
pub fn step_branch(step: &str, agent: &str, generation: u64) -> String {
    let clean = |s: &str| -> String {
        let mut out: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        while out.contains("..") {
            out = out.replace("..", ".");
        }
        let out = out.trim_matches('.').to_owned();
        match out.strip_suffix(".lock") {
            Some(stem) => format!("{stem}-lock"),
            None if out.is_empty() => String::from("x"),
            None => out,
        }
    };
    format!("gt/{}/{}-g{generation}", clean(step), clean(agent))
}

/// The branch checked out in `repo` (`None`: a detached HEAD).
pub fn current_branch(repo: &Path) -> R<Option<String>> {
    match run(repo, &["symbolic-ref", "--quiet", "--short", "HEAD"]) {
        Ok(b) => Ok(Some(b)),
        Err(_) => {
            // Distinguish "detached" from "not a repository".
            run(repo, &["rev-parse", "--git-dir"])?;
            Ok(None)
        }
    }
}

/// The commit `refs/heads/<branch>` points at (`None`: no such branch).
pub fn branch_tip(repo: &Path, branch: &str) -> R<Option<String>> {
    let r = format!("refs/heads/{branch}");
    match run(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{r}^{{commit}}"),
        ],
    ) {
        Ok(s) if !s.is_empty() => Ok(Some(s)),
        _ => {
            run(repo, &["rev-parse", "--git-dir"])?;
            Ok(None)
        }
    }
}

/// The commit `HEAD` of `dir` is at.
pub fn head(dir: &Path) -> R<String> {
    run(dir, &["rev-parse", "HEAD"])
}

/// Make sure `path` is a worktree of `repo` (added, detached at `at`, when missing).
pub fn ensure_worktree(repo: &Path, path: &Path, at: &str) -> R<()> {
    if path.join(".git").exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| GitError(format!("{}: {e}", parent.display())))?;
    }
    // A directory left by a worktree git no longer knows: prune the stale entry first.
    run(repo, &["worktree", "prune"])?;
    let p = path.display().to_string();
    run(repo, &["worktree", "add", "--force", "--detach", &p, at])?;
    Ok(())
}

/// Put `worktree` on a new branch `branch` at `base`, clean: what an earlier step left
/// (tracked changes, untracked files) is discarded; ignored files stay (build caches).
pub fn start_branch(worktree: &Path, branch: &str, base: &str) -> R<()> {
    run(worktree, &["checkout", "--force", "-B", branch, base])?;
    run(worktree, &["clean", "-fdq"])?;
    Ok(())
}

/// Commit everything in `worktree` (added, changed, deleted) as `author` with
/// `message`; the new commit, or `None` when there was nothing to commit.
pub fn commit_all(worktree: &Path, message: &str, author: &Author) -> R<Option<String>> {
    run(worktree, &["add", "--all"])?;
    if test(worktree, &["diff", "--cached", "--quiet"])? {
        return Ok(None);
    }
    let args = ["commit", "--quiet", "--no-verify", "--message", message];
    let mut c = command(worktree, &args);
    as_author(&mut c, author);
    run_with(c, worktree, &args)?;
    head(worktree).map(Some)
}

/// Leave the branch of `worktree` (detach its HEAD where it is), so other worktrees can
/// move or delete the branch.
pub fn detach(worktree: &Path) -> R<()> {
    run(worktree, &["checkout", "--quiet", "--detach"])?;
    Ok(())
}

/// Whether `a` is an ancestor of (or equal to) `b`.
pub fn is_ancestor(repo: &Path, a: &str, b: &str) -> R<bool> {
    test(repo, &["merge-base", "--is-ancestor", a, b])
}

/// How a rebase went.
#[derive(Debug, PartialEq, Eq)]
pub enum Rebased {
    /// The rebased commit.
    Onto(String),
    /// A conflict: the rebase was aborted; what git said.
    Conflict(String),
}

/// In `worktree`, replay `tip`'s commits onto `onto` (detached); the result.
pub fn rebase(worktree: &Path, tip: &str, onto: &str, author: &Author) -> R<Rebased> {
    run(
        worktree,
        &["checkout", "--quiet", "--force", "--detach", tip],
    )?;
    run(worktree, &["clean", "-fdq"])?;
    let args = ["rebase", "--quiet", onto];
    let mut c = command(worktree, &args);
    as_author(&mut c, author);
    match run_with(c, worktree, &args) {
        Ok(_) => head(worktree).map(Rebased::Onto),
        Err(e) => {
            // Leave the worktree usable for the next merge request.
            let _ = run(worktree, &["rebase", "--abort"]);
            Ok(Rebased::Conflict(e.0))
        }
    }
}

/// Move `refs/heads/<branch>` from `old` to `new` (refused if it is not at `old` any
/// more: a compare-and-swap).
pub fn move_branch(repo: &Path, branch: &str, new: &str, old: &str) -> R<()> {
    let r = format!("refs/heads/{branch}");
    run(
        repo,
        &[
            "update-ref",
            "-m",
            "gt: rebased by the refinery",
            &r,
            new,
            old,
        ],
    )?;
    Ok(())
}

/// The worktree where `branch` is checked out, if any.
pub fn checked_out_at(repo: &Path, branch: &str) -> R<Option<PathBuf>> {
    let text = run(repo, &["worktree", "list", "--porcelain"])?;
    let want = format!("branch refs/heads/{branch}");
    let mut at: Option<PathBuf> = None;
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("worktree ") {
            at = Some(PathBuf::from(p));
        } else if line == want {
            return Ok(at);
        }
    }
    Ok(None)
}

/// Fast-forward `branch` from `old` to `new`: where the branch is checked out, with
/// `git merge --ff-only` there (its files follow); otherwise by moving the ref. Refused
/// when the branch moved meanwhile or the move is not a fast-forward.
pub fn fast_forward(repo: &Path, branch: &str, new: &str, old: &str) -> R<()> {
    if !is_ancestor(repo, old, new)? {
        return Err(GitError(format!(
            "{new} is not a fast-forward of {branch} at {old}"
        )));
    }
    match checked_out_at(repo, branch)? {
        Some(wt) => {
            let at = head(&wt)?;
            if at != old {
                return Err(GitError(format!(
                    "{branch} moved from {old} to {at} meanwhile"
                )));
            }
            run(&wt, &["merge", "--quiet", "--ff-only", new])?;
            Ok(())
        }
        None => {
            let r = format!("refs/heads/{branch}");
            run(
                repo,
                &[
                    "update-ref",
                    "-m",
                    "gt: merged by the refinery",
                    &r,
                    new,
                    old,
                ],
            )?;
            Ok(())
        }
    }
}

/// Delete `branch`, which must point at `expected` and be merged into `target`: a branch
/// whose work is not on `target` is never deleted.
pub fn delete_merged_branch(repo: &Path, branch: &str, expected: &str, target: &str) -> R<()> {
    let tip = branch_tip(repo, target)?
        .ok_or_else(|| GitError(format!("no branch `{target}` to check `{branch}` against")))?;
    if !is_ancestor(repo, expected, &tip)? {
        return Err(GitError(format!(
            "refusing to delete `{branch}`: its commit {expected} is not on `{target}`"
        )));
    }
    let r = format!("refs/heads/{branch}");
    run(repo, &["update-ref", "-d", &r, expected])?;
    Ok(())
}

/// The subjects of the commits on `branch`, oldest first (first parents).
pub fn subjects(repo: &Path, branch: &str) -> R<Vec<String>> {
    let text = run(
        repo,
        &[
            "log",
            "--first-parent",
            "--reverse",
            "--format=%s",
            &format!("refs/heads/{branch}"),
        ],
    )?;
    Ok(text.lines().map(str::to_owned).collect())
}

/// Run `argv` in `dir` with a timeout; whether it passed, and the tail of its output.
pub fn run_tests(dir: &Path, argv: &[String], timeout: std::time::Duration) -> R<(bool, String)> {
    let Some((program, args)) = argv.split_first() else {
        return Ok((true, String::new()));
    };
    let watch = crate::agent::Watch::default();
    let mut c = Command::new(program);
    c.args(args).current_dir(dir);
    let done = crate::agent::run_child(c, &watch, timeout)
        .map_err(|e| GitError(format!("the test command `{}`: {e}", argv.join(" "))))?;
    let mut tail: Vec<String> = done.stdout.iter().rev().take(10).rev().cloned().collect();
    tail.extend(done.stderr_tail.iter().cloned());
    let passed = done.ended.is_none() && done.code == Some(0);
    let mut text = tail.join("\n");
    if let Some(why) = &done.ended {
        text = format!("{why}\n{text}");
    } else if !passed {
        text = format!(
            "exit {}\n{text}",
            done.code
                .map_or_else(|| String::from("by a signal"), |c| c.to_string())
        );
    }
    Ok((passed, text))
}

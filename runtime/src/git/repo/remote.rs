//! A repository's remotes: which one to sync with, its URL and upstream branch,
//! fetch (the system `git fetch`), merge-base and push (the system `git push`, whose
//! non-fast-forward rejection is the sync's compare-and-swap; see `repo.rs`).

use super::{Ctx, PushOutcome, Repo, RepoError};
use gix::ObjectId;
use gix::bstr::ByteSlice;
use std::process::Command;

impl Repo {
    /// The remote to sync with: the current branch's configured remote, else `origin`.
    pub fn default_remote(&self) -> Result<Option<String>, RepoError> {
        if let Some(branch) = self.head_branch()? {
            let short = branch.strip_prefix("refs/heads/").unwrap_or(&branch);
            if let Some(name) = self
                .repo
                .branch_remote_name(short, gix::remote::Direction::Fetch)
                && self.repo.try_find_remote(name.as_bstr()).is_some()
            {
                return Ok(Some(name.as_bstr().to_string()));
            }
        }
        Ok(self
            .repo
            .remote_names()
            .contains("origin".as_bytes().as_bstr())
            .then(|| "origin".to_string()))
    }

    /// The upstream branch of `branch` on its remote (`branch.<b>.merge`),
    /// else the same name.
    pub fn upstream_ref(&self, branch: &str) -> Result<String, RepoError> {
        let name: &gix::refs::FullNameRef = branch
            .try_into()
            .ctx(|| format!("parse branch name {branch}"))?;
        match self
            .repo
            .branch_remote_ref_name(name, gix::remote::Direction::Fetch)
        {
            Some(r) => Ok(r
                .ctx(|| format!("read the upstream of {branch}"))?
                .as_bstr()
                .to_string()),
            None => Ok(branch.to_string()),
        }
    }

    /// The fetch URL of `remote`.
    pub fn remote_url(&self, remote: &str) -> Result<Option<String>, RepoError> {
        let Some(r) = self.repo.try_find_remote(remote) else {
            return Ok(None);
        };
        let r = r.ctx(|| format!("read remote {remote}"))?;
        Ok(r.url(gix::remote::Direction::Fetch)
            .map(|u| u.to_bstring().to_string()))
    }

    /// Fetch `branch` (a full ref name on the remote, e.g. `refs/heads/main`) from
    /// `remote` with the system `git fetch`, and return the commit it points to (`None`:
    /// the remote has no such branch). The commit is read from `FETCH_HEAD`, so it is
    /// exactly what was fetched, whatever the remote does meanwhile; the configured
    /// remote-tracking ref is updated too. gix's fetch was the first choice, but it holds
    /// a blob whole in memory while it indexes the pack, and the ledger can be hundreds
    /// of megabytes.
    pub fn fetch_branch(&self, remote: &str, branch: &str) -> Result<Option<ObjectId>, RepoError> {
        let op = || format!("fetch {branch} from {remote}");
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.workdir)
            .args(["fetch", "--quiet", "--no-tags", remote, branch])
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .ctx(|| format!("run `git fetch` (is git installed?) from {remote}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            if stderr.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(RepoError::new(op(), stderr.trim()));
        }
        let fetch_head = self.repo.git_dir().join("FETCH_HEAD");
        let text = std::fs::read_to_string(&fetch_head).ctx(op)?;
        let hex = text
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().next())
            .ok_or_else(|| RepoError::new(op(), "FETCH_HEAD is empty"))?;
        let id = ObjectId::from_hex(hex.as_bytes()).ctx(op)?;
        Ok(Some(id))
    }

    /// The best common ancestor of `a` and `b`.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>, RepoError> {
        let base = self
            .repo
            .merge_base(a, b)
            .ctx(|| format!("find the merge base of {a} and {b}"))?;
        Ok(base.map(|id| id.detach()))
    }

    /// Push `commit` to `remote_ref` on `remote` with the system `git`,
    /// refusing non-fast-forwards (see the module docs).
    pub fn push(
        &self,
        remote: &str,
        commit: ObjectId,
        remote_ref: &str,
    ) -> Result<PushOutcome, RepoError> {
        let op = || format!("push to {remote}");
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.workdir)
            .args([
                "push",
                "--porcelain",
                "--quiet",
                remote,
                &format!("{commit}:{remote_ref}"),
            ])
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .ctx(|| format!("run `git push` (is git installed?) to push to {remote}"))?;
        if output.status.success() {
            return Ok(PushOutcome::Pushed);
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Porcelain: "!\t<src>:<dst>\t[rejected] (fetch first)" and similar.
        let lost_race = stdout.lines().chain(stderr.lines()).any(|l| {
            l.contains("non-fast-forward")
                || l.contains("fetch first")
                || l.contains("stale info")
                || l.contains("failed to lock")
                || l.contains("cannot lock ref")
                || l.contains("failed to update ref")
        });
        if lost_race {
            Ok(PushOutcome::Rejected(format!(
                "{}{}",
                stdout.trim(),
                stderr.trim()
            )))
        } else {
            Err(RepoError::new(
                op(),
                format!("{} {}", stdout.trim(), stderr.trim())
                    .trim()
                    .to_string(),
            ))
        }
    }
}

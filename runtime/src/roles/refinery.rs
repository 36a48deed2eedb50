//! The refinery of a rig: the merge queue, first in first out.
//!
//! For the oldest merge request: rebase its branch onto the target in the refinery's
//! own worktree, run the rig's test command there, move the branch to the rebased
//! commit and fast-forward the target to it (a compare-and-swap: refused if the target
//! moved); then close the request and complete its step (one transaction), and only
//! then delete the branch, once its commit is on the target. A conflict or a failing
//! test rejects the request, the failure recorded on the step.
//!
//! Killed at any point, the next generation takes the same request again (the
//! registration returns it to the queue head): a branch whose commit is already on the
//! target is landed without merging it again.

use super::{Ended, RoleEnv, log};
use crate::error::{Error, Result};
use crate::flow::queue::{self, Queued, short};
use crate::git::work::{self as git, Author, Rebased};
use crate::town::agents::{self, Me, Phase, Role};
use crate::town::config::Rig;
use crate::town::lease;
use crate::town::process::ProcId;
use std::path::PathBuf;
use std::time::Instant;

struct Refinery {
    env: RoleEnv,
    me: Me,
    rig: Rig,
    target: String,
    worktree: PathBuf,
    author: Author,
}

/// Run the refinery of `rig`.
pub fn run(mut env: RoleEnv, name: &str, rig: &str) -> Result<Ended> {
    let proc_id = ProcId::current().map_err(|e| Error::io("/proc/self", e))?;
    let reg = env
        .ledger
        .write(|tx| agents::register(tx, name, Role::Refinery, Some(rig), proc_id))?;
    let me = reg.me;
    if let Some(mr) = &reg.released {
        log(
            name,
            me.generation,
            &format!("{mr} (taken by my previous generation) is back at the head of the queue"),
        );
    }
    let rig = env.config.rig(Some(rig))?.clone();
    if !rig.git {
        log(
            name,
            me.generation,
            &format!("rig {} does not use git: no merge queue to keep", rig.name),
        );
        return idle_until_stopped(env, me);
    }
    let target = match &rig.branch {
        Some(b) => b.clone(),
        None => git::current_branch(&rig.path)?.ok_or_else(|| {
            Error::Refused(format!(
                "rig `{}`: detached HEAD; set `branch` in [rigs.{}]",
                rig.name, rig.name
            ))
        })?,
    };
    let tip = git::branch_tip(&rig.path, &target)?
        .ok_or_else(|| Error::Refused(format!("rig `{}`: no branch `{target}`", rig.name)))?;
    let worktree = env.layout.worktree(&rig.name, name);
    git::ensure_worktree(&rig.path, &worktree, &tip)?;
    log(
        name,
        me.generation,
        &format!("keeping the merge queue of {} into `{target}`", rig.name),
    );
    let mut r = Refinery {
        env,
        me,
        author: Author::agent(name),
        rig,
        target,
        worktree,
    };
    let ended = match r.main_loop() {
        Err(Error::Superseded { current, .. }) => {
            log(
                &r.me.name,
                r.me.generation,
                &format!("superseded by generation {current}"),
            );
            return Ok(Ended::Superseded);
        }
        other => other?,
    };
    let me = r.me.clone();
    r.env
        .ledger
        .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Stopped)))?;
    Ok(ended)
}

/// A role with nothing to do heartbeats (once per heartbeat period, whatever the
/// others write meanwhile) until it is stopped.
fn idle_until_stopped(mut env: RoleEnv, me: Me) -> Result<Ended> {
    while !env.should_stop() {
        env.ledger
            .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Idle)))?;
        env.rest(env.config.village.heartbeat);
    }
    env.ledger
        .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Stopped)))?;
    Ok(Ended::Stopped)
}

impl Refinery {
    fn main_loop(&mut self) -> Result<Ended> {
        let mut last_beat = Instant::now();
        // What an earlier generation landed but did not get to clean up.
        self.delete_landed_branches()?;
        loop {
            if self.env.should_stop() {
                return Ok(Ended::Stopped);
            }
            let rig = self.rig.name.clone();
            let head = self.env.ledger.read(|tx| queue::head(tx, &rig))?;
            match head {
                Some(q) if q.issue.status == "open" => {
                    self.process(q)?;
                    last_beat = Instant::now();
                }
                _ => {
                    if last_beat.elapsed() >= self.env.config.village.heartbeat {
                        let me = self.me.clone();
                        self.env
                            .ledger
                            .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Idle)))?;
                        last_beat = Instant::now();
                    }
                    let wait = self
                        .env
                        .config
                        .village
                        .patrol
                        .min(self.env.config.village.heartbeat);
                    self.env.wait_for_change(wait)?;
                }
            }
        }
    }

    /// Take the request at the head of the queue and merge or reject it.
    fn process(&mut self, q: Queued) -> Result<()> {
        let me = self.me.clone();
        let id = q.issue.id.clone();
        self.env.ledger.write(|tx| lease::hold(tx, &me, &id))?;
        log(
            &me.name,
            me.generation,
            &format!("merging {id} ({}, step {})", q.mr.branch, q.mr.step),
        );
        match self.merge(&q) {
            Ok(Merge::Landed(sha)) => {
                let flow = self.env.flow.clone();
                let done = self.env.ledger.write(|tx| {
                    let mut a = lease::check(tx, &me, &id)?;
                    let c = queue::land(tx, &id, &sha, &me.name, &flow)?;
                    lease::end(tx, &mut a, "merged", true)?;
                    Ok(c)
                })?;
                let mut note = format!("{id}: landed as {}", short(&sha));
                for r in &done.roots {
                    note.push_str(&format!("; {} complete", r.id));
                }
                log(&me.name, me.generation, &note);
                self.delete_branch(&id, &q.mr.branch, &sha)
            }
            Ok(Merge::Rejected(why)) => {
                let flow = self.env.flow.clone();
                let escalated = self.env.ledger.write(|tx| {
                    let mut a = lease::check(tx, &me, &id)?;
                    let e = queue::reject(tx, &id, &why, &me.name, &flow)?;
                    lease::end(tx, &mut a, "rejected", false)?;
                    Ok(e)
                })?;
                log(
                    &me.name,
                    me.generation,
                    &format!(
                        "{id}: rejected: {}{}",
                        queue::first_line(&why),
                        if escalated { " (escalated)" } else { "" }
                    ),
                );
                Ok(())
            }
            Ok(Merge::Retry(why)) => {
                log(&me.name, me.generation, &format!("{id}: will retry: {why}"));
                self.env.ledger.write(|tx| {
                    let mut a = lease::check(tx, &me, &id)?;
                    let mut issue = tx.require(&id)?;
                    issue.status = String::from("open");
                    issue.assignee = None;
                    tx.put(&issue)?;
                    lease::end(tx, &mut a, "retry", false)
                })
            }
            Err(e) => {
                // Git itself failed: put the request back and stop; the next
                // generation tries again.
                self.env.ledger.write(|tx| {
                    let mut a = lease::check(tx, &me, &id)?;
                    let mut issue = tx.require(&id)?;
                    issue.status = String::from("open");
                    issue.assignee = None;
                    tx.put(&issue)?;
                    lease::end(tx, &mut a, "error", false)
                })?;
                Err(e)
            }
        }
    }

    fn merge(&self, q: &Queued) -> Result<Merge> {
        let repo = &self.rig.path;
        let Some(tip) = git::branch_tip(repo, &q.mr.branch)? else {
            return Ok(Merge::Rejected(format!("branch `{}` is gone", q.mr.branch)));
        };
        let target = git::branch_tip(repo, &self.target)?.ok_or_else(|| {
            Error::Refused(format!(
                "rig `{}`: branch `{}` is gone",
                self.rig.name, self.target
            ))
        })?;
        if git::is_ancestor(repo, &tip, &target)? {
            // Merged by an earlier generation that died before recording it.
            return Ok(Merge::Landed(tip));
        }
        let rebased = match git::rebase(&self.worktree, &tip, &target, &self.author)? {
            Rebased::Onto(sha) => sha,
            Rebased::Conflict(why) => {
                return Ok(Merge::Rejected(format!(
                    "conflicts with `{}`: {why}",
                    self.target
                )));
            }
        };
        let (passed, output) =
            git::run_tests(&self.worktree, &self.rig.test, self.rig.test_timeout)?;
        if !passed {
            return Ok(Merge::Rejected(format!(
                "the tests failed (`{}`): {output}",
                self.rig.test.join(" ")
            )));
        }
        if rebased != tip {
            git::move_branch(repo, &q.mr.branch, &rebased, &tip)?;
        }
        match git::fast_forward(repo, &self.target, &rebased, &target) {
            Ok(()) => Ok(Merge::Landed(rebased)),
            Err(e) => Ok(Merge::Retry(e.0)),
        }
    }

    /// Delete a landed branch (only when its commit is on the target) and record it.
    fn delete_branch(&mut self, id: &str, branch: &str, sha: &str) -> Result<()> {
        match git::delete_merged_branch(&self.rig.path, branch, sha, &self.target) {
            Ok(()) => {
                self.env.ledger.write(|tx| queue::branch_deleted(tx, id))?;
                Ok(())
            }
            Err(e) => {
                log(
                    &self.me.name,
                    self.me.generation,
                    &format!("kept `{branch}`: {e}"),
                );
                Ok(())
            }
        }
    }

    /// Branches of landed requests that an earlier generation did not get to delete.
    fn delete_landed_branches(&mut self) -> Result<()> {
        let rig = self.rig.name.clone();
        let landed: Vec<Queued> = self.env.ledger.read(|tx| {
            Ok(queue::list(tx, &rig, true)?
                .into_iter()
                .filter(|q| q.mr.merged.is_some() && q.mr.branch_deleted_at.is_none())
                .collect())
        })?;
        for q in landed {
            let Some(sha) = q.mr.merged.clone() else {
                continue;
            };
            if git::branch_tip(&self.rig.path, &q.mr.branch)?.is_none() {
                // Already gone (deleted before the record was written).
                self.env
                    .ledger
                    .write(|tx| queue::branch_deleted(tx, &q.issue.id))?;
                continue;
            }
            self.delete_branch(&q.issue.id, &q.mr.branch, &sha)?;
        }
        Ok(())
    }
}

/// What merging a request came to.
enum Merge {
    /// On the target as this commit.
    Landed(String),
    /// Not mergeable: why.
    Rejected(String),
    /// The target moved meanwhile: try again.
    Retry(String),
}

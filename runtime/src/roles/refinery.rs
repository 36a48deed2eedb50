//! The refinery of a rig: the merge queue, first in first out.
//!
//! For the oldest merge request: rebase its branch onto the target in the refinery's
//! own worktree, run the rig's test command there, move the branch to the rebased
//! commit and fast-forward the target to it (a compare-and-swap: refused if the target
//! moved); then close the request and complete its step (one transaction), and only
//! then delete the branch, once its commit is on the target. A conflict or a failing
//! test rejects the request, the failure recorded on the step. Each request is one cycle
//! of the refinery's patrol, `mol-refinery-patrol` ([`Step`]): a wisp whose steps are
//! closed as these actions are done, squashed into a digest ([`super::patrol`]).
//!
//! Killed at any point, the next generation takes the same request again (the
//! registration returns it to the queue head): a branch whose commit is already on the
//! target is landed without merging it again.

use super::patrol::{self, Action, Patrol};
use super::{Ended, RoleEnv, log};
use crate::error::{Error, Result};
use crate::flow::queue::{self, Queued, short};
use crate::git::work::{self as git, Author, Rebased};
use crate::town::agents::{self, Me, Phase, Role};
use crate::town::config::Rig;
use crate::town::lease;
use crate::town::process::ProcId;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

struct Refinery {
    env: RoleEnv,
    me: Me,
    rig: Rig,
    target: String,
    worktree: PathBuf,
    author: Author,
    /// The request the patrol cycle under way works on.
    current: Option<Current>,
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
    let patrol = patrol::start::<Step>(&mut env, &me, patrol_vars(&rig.name, Some(&target)))?;
    let mut r = Refinery {
        env,
        me,
        author: Author::agent(name),
        rig,
        target,
        worktree,
        current: None,
    };
    let ended = match r
        .main_loop(&patrol)
        .map_err(|e| super::superseded_or(&mut r.env.ledger, &r.me, e))
    {
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
    fn main_loop(&mut self, patrol: &Patrol<Step>) -> Result<Ended> {
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
                    self.process(q, patrol)?;
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

    /// Take the request at the head of the queue and merge or reject it: one cycle of
    /// the refinery's patrol (a wisp, squashed into a digest), each step below.
    fn process(&mut self, q: Queued, patrol: &Patrol<Step>) -> Result<()> {
        self.current = Some(Current {
            q,
            rebased: None,
            outcome: None,
        });
        let me = self.me.name.clone();
        let done = patrol::run_cycle(self, |r| &mut r.env.ledger, patrol, &me, Refinery::act);
        self.current = None;
        done.map(|_| ())
    }

    /// Carry out one step of the patrol on the current request.
    fn act(&mut self, step: Step) -> Result<()> {
        let me = self.me.clone();
        let mut c = self.current.take().ok_or_else(|| {
            Error::Invalid(String::from("a refinery patrol step ran without a request"))
        })?;
        let id = c.q.issue.id.clone();
        let done = match step {
            Step::TakeOldest => {
                self.env.ledger.write(|tx| lease::hold(tx, &me, &id))?;
                log(
                    &me.name,
                    me.generation,
                    &format!("merging {id} ({}, step {})", c.q.mr.branch, c.q.mr.step),
                );
                Ok(())
            }
            Step::Rebase | Step::Test | Step::Merge if c.outcome.is_some() => Ok(()),
            Step::Rebase => self.rebase(&mut c),
            Step::Test => self.test(&mut c),
            Step::Merge => self.merge(&mut c),
            Step::Land => self.land(&c),
            Step::DeleteBranch => match &c.outcome {
                Some(Merge::Landed(sha)) => self.delete_branch(&id, &c.q.mr.branch, sha),
                _ => Ok(()),
            },
        };
        if let Err(e) = done {
            if matches!(step, Step::Rebase | Step::Test | Step::Merge) {
                // Git itself failed: put the request back and stop; the next generation
                // tries again.
                self.put_back(&id, "error")?;
            }
            return Err(e);
        }
        self.current = Some(c);
        Ok(())
    }

    /// The request back at the head of the queue, the lease ended with `exit`.
    fn put_back(&mut self, id: &str, exit: &str) -> Result<()> {
        self.settle(id, exit, false, |tx| {
            let mut issue = tx.require(id)?;
            issue.status = String::from("open");
            issue.assignee = None;
            tx.put(&issue)
        })
    }

    /// In one transaction checked against the lease on request `id`: `f`, then the
    /// lease ended with `exit` (a merged step counted when `done`).
    fn settle<T>(
        &mut self,
        id: &str,
        exit: &str,
        done: bool,
        f: impl FnOnce(&crate::ledger::Tx) -> Result<T>,
    ) -> Result<T> {
        let me = self.me.clone();
        self.env.ledger.write(|tx| {
            let mut a = lease::check(tx, &me, id)?;
            let v = f(tx)?;
            lease::end(tx, &mut a, exit, done)?;
            Ok(v)
        })
    }

    /// Rebase the request's branch onto the target (or find it landed already).
    fn rebase(&self, c: &mut Current) -> Result<()> {
        let repo = &self.rig.path;
        let Some(tip) = git::branch_tip(repo, &c.q.mr.branch)? else {
            c.outcome = Some(Merge::Rejected(format!(
                "branch `{}` is gone",
                c.q.mr.branch
            )));
            return Ok(());
        };
        let target = self.target_tip()?;
        if git::is_ancestor(repo, &tip, &target)? {
            // Merged by an earlier generation that died before recording it.
            c.outcome = Some(Merge::Landed(tip));
            return Ok(());
        }
        match git::rebase(&self.worktree, &tip, &target, &self.author)? {
            Rebased::Onto(sha) => c.rebased = Some(Rebase { tip, target, sha }),
            Rebased::Conflict(why) => {
                c.outcome = Some(Merge::Rejected(format!(
                    "conflicts with `{}`: {why}",
                    self.target
                )));
            }
        }
        Ok(())
    }

    /// Run the rig's tests on the rebased commit.
    fn test(&self, c: &mut Current) -> Result<()> {
        self.rebased(c)?;
        let (passed, output) =
            git::run_tests(&self.worktree, &self.rig.test, self.rig.test_timeout)?;
        if !passed {
            c.outcome = Some(Merge::Rejected(format!(
                "the tests failed (`{}`): {output}",
                self.rig.test.join(" ")
            )));
        }
        Ok(())
    }

    /// Fast-forward the target to the rebased commit (a compare-and-swap).
    fn merge(&self, c: &mut Current) -> Result<()> {
        let r = self.rebased(c)?;
        let repo = &self.rig.path;
        if r.sha != r.tip {
            git::move_branch(repo, &c.q.mr.branch, &r.sha, &r.tip)?;
        }
        c.outcome = Some(
            match git::fast_forward(repo, &self.target, &r.sha, &r.target) {
                Ok(()) => Merge::Landed(r.sha.clone()),
                Err(e) => Merge::Retry(e.0),
            },
        );
        Ok(())
    }

    /// The rebase a step after `rebase` works on.
    fn rebased<'c>(&self, c: &'c Current) -> Result<&'c Rebase> {
        c.rebased.as_ref().ok_or_else(|| {
            Error::Invalid(format!(
                "the refinery's patrol `{}` tests or merges before it rebases; its steps go {}",
                Step::FORMULA,
                Step::known()
            ))
        })
    }

    fn target_tip(&self) -> Result<String> {
        git::branch_tip(&self.rig.path, &self.target)?.ok_or_else(|| {
            Error::Refused(format!(
                "rig `{}`: branch `{}` is gone",
                self.rig.name, self.target
            ))
        })
    }

    /// Record what the merge came to: the request closed and its step completed, or
    /// the request rejected, or back in the queue to try again.
    fn land(&mut self, c: &Current) -> Result<()> {
        let me = self.me.clone();
        let id = c.q.issue.id.clone();
        let flow = self.env.flow.clone();
        match &c.outcome {
            Some(Merge::Landed(sha)) => {
                let done = self.settle(&id, "merged", true, |tx| {
                    queue::land(tx, &id, sha, &me.name, &flow)
                })?;
                let mut note = format!("{id}: landed as {}", short(sha));
                for r in &done.roots {
                    note.push_str(&format!("; {} complete", r.id));
                }
                log(&me.name, me.generation, &note);
                Ok(())
            }
            Some(Merge::Rejected(why)) => {
                let escalated = self.settle(&id, "rejected", false, |tx| {
                    queue::reject(tx, &id, why, &me.name, &flow)
                })?;
                log(
                    &me.name,
                    me.generation,
                    &format!(
                        "{id}: rejected: {}{}",
                        queue::first_line(why),
                        if escalated { " (escalated)" } else { "" }
                    ),
                );
                Ok(())
            }
            Some(Merge::Retry(why)) => {
                log(&me.name, me.generation, &format!("{id}: will retry: {why}"));
                self.put_back(&id, "retry")
            }
            None => Err(Error::Invalid(format!(
                "the refinery's patrol `{}` lands before it merges; its steps go {}",
                Step::FORMULA,
                Step::known()
            ))),
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

/// What a step of the refinery's patrol (`mol-refinery-patrol`) makes it do, for the
/// request at the head of the queue; a cycle is poured only when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    TakeOldest,
    Rebase,
    Test,
    Merge,
    Land,
    DeleteBranch,
}

impl Action for Step {
    const FORMULA: &'static str = "mol-refinery-patrol";
    const ROLE: &'static str = "refinery";
    const STEPS: &'static [(&'static str, Step)] = &[
        ("take-oldest", Step::TakeOldest),
        ("rebase", Step::Rebase),
        ("test", Step::Test),
        ("merge", Step::Merge),
        ("land", Step::Land),
        ("delete-branch", Step::DeleteBranch),
    ];
}

/// The refinery patrol's variables for `rig` merging into `branch`.
pub fn patrol_vars(rig: &str, branch: Option<&str>) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::from([(String::from("rig"), rig.to_owned())]);
    if let Some(b) = branch {
        vars.insert(String::from("branch"), b.to_owned());
    }
    vars
}

/// The request a patrol cycle works on, and what its steps found so far.
struct Current {
    q: Queued,
    rebased: Option<Rebase>,
    /// Decided: the steps up to `land` have nothing left to do.
    outcome: Option<Merge>,
}

/// A branch rebased onto the target: its tip before, the target's tip it was rebased
/// onto, the rebased commit.
struct Rebase {
    tip: String,
    target: String,
    sha: String,
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

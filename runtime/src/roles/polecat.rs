//! The polecat: takes the most urgent ready step of its hook, works it in its own git
//! worktree on a branch made for the step, runs its agent adapter, heartbeats while the
//! agent shows signs of life, and ends the attempt through an exit (COMPLETED submits
//! the commits to the merge queue). It idles while nothing is ready and is done when
//! its hook is closed.
//!
//! Every write is checked against its generation: once its witness declares it dead
//! and starts the next generation, whatever this one still tries is refused, and it
//! stops.

use super::{Ended, RoleEnv, log};
use crate::agent::{self, Outcome, Task, Watch};
use crate::error::{Error, Result};
use crate::flow::exits::{self, Finished};
use crate::flow::queue::Submission;
use crate::git::work as git;
use crate::ledger::Issue;
use crate::town::agents::{self, Me, Phase, Role};
use crate::town::config::{AdapterKind, Rig};
use crate::town::lease;
use crate::town::lifecycle::{self, Received, Verb};
use crate::town::process::ProcId;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A running polecat.
struct Polecat {
    env: RoleEnv,
    me: Me,
    rig: Rig,
    /// The branch the refinery merges into.
    target: Option<String>,
    workdir: PathBuf,
    /// The adapter (taken while it runs on the worker thread).
    adapter: Option<Box<dyn agent::Agent>>,
    /// A `shutdown` arrived: stop after the current step.
    shutdown: bool,
    last_beat: Instant,
    last_mail: Instant,
}

/// Run the polecat `name` of `rig` until it is done, stopped or superseded.
pub fn run(mut env: RoleEnv, name: &str, rig: &str) -> Result<Ended> {
    let proc_id = ProcId::current().map_err(|e| Error::io("/proc/self", e))?;
    let reg = env
        .ledger
        .write(|tx| agents::register(tx, name, Role::Polecat, Some(rig), proc_id))?;
    let me = reg.me;
    if let Some(step) = &reg.released {
        log(
            name,
            me.generation,
            &format!("{step} (held by my previous generation) is ready again"),
        );
    }
    let rig = env.config.rig(Some(rig))?.clone();
    let kind = match reg.agent.state.adapter.as_deref() {
        Some(a) => AdapterKind::parse(a)?,
        None => env.config.adapter("polecat"),
    };
    let adapter = agent::adapter(kind, &env.config)?;
    let (workdir, target) = if rig.git {
        let target = match &rig.branch {
            Some(b) => b.clone(),
            None => git::current_branch(&rig.path)?.ok_or_else(|| {
                Error::Refused(format!(
                    "rig `{}`: {} has a detached HEAD; set `branch` in [rigs.{}]",
                    rig.name,
                    rig.path.display(),
                    rig.name
                ))
            })?,
        };
        let tip = git::branch_tip(&rig.path, &target)?.ok_or_else(|| {
            Error::Refused(format!(
                "rig `{}`: no branch `{target}` to work from",
                rig.name
            ))
        })?;
        let wt = env.layout.worktree(&rig.name, name);
        git::ensure_worktree(&rig.path, &wt, &tip)?;
        (wt, Some(target))
    } else {
        let d = env.layout.scratch(name);
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
        (d, None)
    };
    env.ledger.write(|tx| {
        let mut a = agents::current(tx, &me)?;
        a.state.worktree = Some(workdir.display().to_string());
        a.state.adapter = Some(kind.name().to_owned());
        a.state.phase = Phase::Idle;
        agents::save(tx, &mut a)
    })?;
    log(
        name,
        me.generation,
        &format!(
            "started ({} agent, working in {})",
            kind.name(),
            workdir.display()
        ),
    );
    let mut p = Polecat {
        env,
        me,
        rig,
        target,
        workdir,
        adapter: Some(adapter),
        shutdown: false,
        last_beat: Instant::now(),
        last_mail: Instant::now(),
    };
    let ended = match p.main_loop() {
        Err(Error::Superseded { current, .. }) => {
            log(
                &p.me.name,
                p.me.generation,
                &format!("superseded by generation {current}; stopping"),
            );
            return Ok(Ended::Superseded);
        }
        other => other?,
    };
    let phase = if ended == Ended::Done {
        Phase::Done
    } else {
        Phase::Stopped
    };
    match p
        .env
        .ledger
        .write(|tx| agents::heartbeat(tx, &p.me, Some(phase)))
    {
        Ok(_) => {}
        Err(Error::Superseded { .. }) => return Ok(Ended::Superseded),
        Err(e) => return Err(e),
    }
    log(&p.me.name, p.me.generation, phase.name());
    Ok(ended)
}

impl Polecat {
    fn heartbeat_every(&self) -> Duration {
        self.env.config.village.heartbeat
    }

    fn main_loop(&mut self) -> Result<Ended> {
        loop {
            if self.env.should_stop() || self.shutdown {
                return Ok(Ended::Stopped);
            }
            self.read_mail(None)?;
            let me = self.me.clone();
            let agent = self.env.ledger.read(|tx| agents::current(tx, &me))?;
            let Some(hook) = agent.state.hook.clone() else {
                self.idle()?;
                continue;
            };
            let next = self.env.ledger.read(|tx| {
                let root = tx.require(&hook)?;
                if root.status == "closed" {
                    return Ok(None);
                }
                lease::next_ready(tx, &me.name, &hook).map(Some)
            })?;
            match next {
                None => {
                    log(&me.name, me.generation, &format!("{hook} is closed: done"));
                    self.tell_witness(Verb::Done)?;
                    return Ok(Ended::Done);
                }
                Some(None) => self.idle()?,
                Some(Some(_)) => {
                    let step = self
                        .env
                        .ledger
                        .write(|tx| lease::acquire_next(tx, &me, &hook))?;
                    // Each attempt's record takes the next step in the same transaction.
                    let mut step = step;
                    while let Some(s) = step {
                        step = self.work(s, &hook)?;
                        self.last_beat = Instant::now();
                    }
                }
            }
        }
    }

    /// Nothing to do: heartbeat when due, then wait for the ledger to move.
    fn idle(&mut self) -> Result<()> {
        if self.last_beat.elapsed() >= self.heartbeat_every() {
            let me = self.me.clone();
            self.env
                .ledger
                .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Idle)))?;
            self.last_beat = Instant::now();
        }
        let wait = self.heartbeat_every().min(Duration::from_millis(250));
        self.env.wait_for_change(wait)
    }

    fn tell_witness(&mut self, verb: Verb) -> Result<()> {
        let me = self.me.clone();
        let witness = agents::rig_agent(&self.rig.name, "witness");
        self.env.ledger.write(|tx| {
            let msg = lifecycle::Lifecycle {
                verb,
                agent: me.name.clone(),
                generation: me.generation,
            };
            lifecycle::send(tx, &witness, &msg, None).map(|_| ())
        })
    }

    /// Handle lifecycle mail about this polecat (nudges reach the running agent through
    /// `watch`); other mail is left for whoever reads it.
    fn read_mail(&mut self, watch: Option<&Watch>) -> Result<()> {
        if self.last_mail.elapsed() < self.heartbeat_every().min(Duration::from_millis(500)) {
            return Ok(());
        }
        self.last_mail = Instant::now();
        let name = self.me.name.clone();
        let unread = self.env.ledger.read(|tx| lifecycle::unread(tx, &name))?;
        for msg in unread {
            let got = self.env.ledger.write(|tx| lifecycle::handle(tx, &msg))?;
            match got {
                Received::Fresh(l) if l.agent == self.me.name => match l.verb {
                    Verb::Nudge => {
                        log(&name, self.me.generation, "nudged by the witness");
                        if let Some(w) = watch {
                            w.nudge();
                        }
                    }
                    Verb::Shutdown => {
                        log(
                            &name,
                            self.me.generation,
                            "asked to shut down after this step",
                        );
                        self.shutdown = true;
                    }
                    Verb::Respawn | Verb::Done => {}
                },
                Received::Stale(l, current) => log(
                    &name,
                    self.me.generation,
                    &format!(
                        "ignored `{}`: about generation {} (now {current})",
                        l.subject(),
                        l.generation
                    ),
                ),
                _ => {}
            }
        }
        Ok(())
    }

    /// One attempt at `step`; the next step, when the attempt's record took one.
    fn work(&mut self, step: Issue, hook: &str) -> Result<Option<Issue>> {
        let me = self.me.clone();
        let attempt = lease::next_attempt(&step);
        log(
            &me.name,
            me.generation,
            &format!("took {} (attempt {attempt}): {}", step.id, step.title),
        );
        let molecule = if hook == step.id {
            None
        } else {
            Some(self.env.ledger.read(|tx| tx.require(hook))?)
        };
        let vars = molecule
            .as_ref()
            .map(crate::flow::condition::molecule_vars)
            .transpose()?
            .unwrap_or_default();
        let prepared = match self.prepare(&step) {
            Ok(p) => p,
            Err(e) => {
                // The worktree could not be set up: the step goes back; this polecat stops.
                let why = format!("could not prepare the worktree: {e}");
                self.env
                    .ledger
                    .write(|tx| exits::failed(tx, &me, &step.id, &why, &self.env.flow))?;
                return Err(e);
            }
        };
        let task = Task {
            agent: me.name.clone(),
            role: String::from("polecat"),
            step: step.clone(),
            molecule,
            attempt,
            workdir: self.workdir.clone(),
            prompt_file: self.env.layout.prompt(&me.name),
            result_file: self.env.layout.result(&me.name),
            town: self.env.root.clone(),
            vars,
        };
        let watch = Watch::default();
        let outcome = self.run_agent(&task, &watch)?;
        let go_on = !(self.env.should_stop() || self.shutdown || outcome == Outcome::Stopped);
        self.record(&step, outcome, prepared, go_on.then_some(hook))
    }

    /// A fresh branch for the step at the target's tip: (branch, base).
    fn prepare(&self, step: &Issue) -> Result<Option<(String, String)>> {
        let Some(target) = &self.target else {
            return Ok(None);
        };
        let base = git::branch_tip(&self.rig.path, target)?.ok_or_else(|| {
            Error::Refused(format!(
                "rig `{}`: branch `{target}` is gone",
                self.rig.name
            ))
        })?;
        let branch = git::step_branch(&step.id, &self.me.name, self.me.generation);
        git::start_branch(&self.workdir, &branch, &base)?;
        Ok(Some((branch, base)))
    }

    /// Run the adapter on a worker thread, relaying its signs of life as heartbeats,
    /// nudges to it, and stop requests; the outcome (a panic or an adapter error is a
    /// failed attempt).
    fn run_agent(&mut self, task: &Task, watch: &Watch) -> Result<Outcome> {
        let me = self.me.clone();
        let every = self.heartbeat_every();
        let mut adapter = self
            .adapter
            .take()
            .ok_or_else(|| Error::Invalid(String::from("the adapter is already running")))?;
        let result = std::thread::scope(|s| -> Result<Outcome> {
            let worker = s.spawn(|| adapter.run(task, watch));
            let mut seen = 0;
            let mut child: Option<ProcId> = None;
            let mut pause = Duration::from_micros(200);
            while !worker.is_finished() {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
                if self.env.should_stop() {
                    watch.stop();
                }
                let activity = watch.activity();
                let c = watch.child();
                if (activity != seen && self.last_beat.elapsed() >= every) || c != child {
                    seen = activity;
                    let record = c != child;
                    child = c;
                    let beat = self.env.ledger.write(|tx| {
                        let mut a = agents::current(tx, &me)?;
                        a.state.heartbeat_at = Some(crate::ledger::time::now());
                        a.state.nudged_at = None;
                        if record {
                            a.state.child = c;
                        }
                        agents::save(tx, &mut a)
                    });
                    match beat {
                        Ok(()) => self.last_beat = Instant::now(),
                        Err(e) => {
                            // Superseded (or the ledger failed): stop the agent, then report.
                            watch.stop();
                            let _ = worker.join();
                            return Err(e);
                        }
                    }
                }
                self.read_mail(Some(watch))?;
            }
            match worker.join() {
                Ok(Ok(o)) => Ok(o),
                Ok(Err(e)) => Ok(Outcome::Failed {
                    reason: format!("the {} adapter failed: {e}", task.role),
                }),
                Err(panic) => Ok(Outcome::Failed {
                    reason: format!("the agent panicked: {}", panic_text(&panic)),
                }),
            }
        });
        self.adapter = Some(adapter);
        result
    }

    /// Record how the attempt ended, and take the next step of `next_of` (if given),
    /// in one transaction checked against the lease; the next step.
    fn record(
        &mut self,
        step: &Issue,
        outcome: Outcome,
        prepared: Option<(String, String)>,
        next_of: Option<&str>,
    ) -> Result<Option<Issue>> {
        let me = self.me.clone();
        let id = step.id.clone();
        let flow = self.env.flow.clone();
        let exit = outcome.exit();
        let submission = match (&outcome, &prepared) {
            (Outcome::Completed { summary, .. }, Some((branch, base))) => {
                self.commit(step, branch, base, summary.as_deref())?
            }
            _ => None,
        };
        let (note, next) = self.env.ledger.write(|tx| {
            let note = match &outcome {
                Outcome::Completed { output, .. } => {
                    match exits::completed(
                        tx,
                        &me,
                        &id,
                        output.as_ref(),
                        submission.as_ref(),
                        &flow,
                    )? {
                        Finished::Submitted(q) => {
                            format!("submitted {} as {}", q.mr.branch, q.issue.id)
                        }
                        Finished::Completed(c) => {
                            let mut n = String::from("completed");
                            for r in &c.roots {
                                n.push_str(&format!("; {} complete", r.id));
                            }
                            n
                        }
                    }
                }
                Outcome::Blocked { blocker, detail } => {
                    let b = exits::blocked(tx, &me, &id, blocker, detail.as_deref())?;
                    format!("blocked by {b} ({blocker})")
                }
                Outcome::Refactor { parts } => {
                    let ids = exits::refactor(tx, &me, &id, parts)?;
                    format!("refactored into {}", ids.join(", "))
                }
                Outcome::Escalate { reason } => {
                    exits::escalate(tx, &me, &id, reason, &flow)?;
                    format!("escalated: {reason}")
                }
                Outcome::Failed { reason } => {
                    if exits::failed(tx, &me, &id, reason, &flow)? {
                        format!("failed ({reason}); escalated after too many failures")
                    } else {
                        format!("failed: {reason}")
                    }
                }
                Outcome::Stopped => {
                    exits::stopped(tx, &me, &id)?;
                    String::from("stopped; the step is ready again")
                }
            };
            let next = match next_of {
                Some(hook) if tx.require(hook)?.status != "closed" => {
                    lease::acquire_next(tx, &me, hook)?
                }
                _ => None,
            };
            Ok((note, next))
        })?;
        log(&me.name, me.generation, &format!("{id}: {exit}: {note}"));
        Ok(next)
    }

    /// Commit the worktree's changes (and keep the agent's own commits); the
    /// submission when the branch is ahead of its base.
    fn commit(
        &self,
        step: &Issue,
        branch: &str,
        base: &str,
        summary: Option<&str>,
    ) -> Result<Option<Submission>> {
        let message = format!(
            "{}: {}\n\n{}Step: {}\nAgent: {} (generation {})\n",
            step.id,
            step.title,
            summary.map(|s| format!("{s}\n\n")).unwrap_or_default(),
            step.id,
            self.me.name,
            self.me.generation
        );
        git::commit_all(&self.workdir, &message, &git::Author::agent(&self.me.name))?;
        let head = git::head(&self.workdir)?;
        git::detach(&self.workdir)?;
        if head == base {
            return Ok(None);
        }
        Ok(Some(Submission {
            rig: self.rig.name.clone(),
            branch: branch.to_owned(),
            base: base.to_owned(),
            head,
        }))
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| String::from("(no message)"))
}

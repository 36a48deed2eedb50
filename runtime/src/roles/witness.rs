//! The witness of a rig: keeps the rig's polecats running and judges each on evidence
//! (heartbeat age, process state, ledger progress; see [`crate::town::liveness`]).
//!
//! - A polecat with work and no process is started.
//! - A dead one (its process gone) has its lease expired (its step is ready again, in
//!   one transaction checked against the generation that died) and is started again:
//!   the next generation.
//! - A stuck one (alive, but neither heartbeat nor progress within `stuck_after`) is
//!   nudged by mail; still stuck `kill_after` later, it is killed with its agent's
//!   process, its lease expired, and it is started again.
//! - Lifecycle mail: `respawn AGENT gN` restarts that generation (news about an earlier
//!   generation is ignored); `done` is noted.
//!
//! The survey runs every 100 ms as the steps of the witness's patrol, `mol-witness-patrol`
//! ([`Step`]); once per `[village] patrol` those steps are a patrol cycle: a wisp whose
//! steps are closed as they are done, squashed into a digest ([`super::patrol`]).
//!
//! Polecats it started are its children; after a restart of the witness, the ones still
//! running are adopted (watched through `/proc`, not restarted).

use super::patrol::{self, Action};
use super::spawn::{ChildExit, Children, start};
use super::{Ended, RoleEnv, log};
use crate::error::{Error, Result};
use crate::ledger::time::{now, now_nanos};
use crate::town::agents::{self, Agent, Me, Phase, Role};
use crate::town::lease::{self, Expired};
use crate::town::lifecycle::{self, Lifecycle, Received, Verb};
use crate::town::liveness::{Evidence, Verdict};
use crate::town::process::ProcId;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How often the polecats are surveyed.
const SURVEY: Duration = Duration::from_millis(100);
/// Error exits in a row (without a finished step between) after which a polecat is
/// not started again: it crashes as it starts.
const CRASH_LOOP: u32 = 5;

/// What a step of the witness's patrol (`mol-witness-patrol`) makes it do. Every
/// [`SURVEY`] the witness takes these steps in this order; once per `[village] patrol`
/// it takes them as a patrol cycle (a wisp, squashed into a digest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    ReadMail,
    Survey,
    Start,
    NudgeStuck,
    ReplaceDead,
}

impl Action for Step {
    const FORMULA: &'static str = "mol-witness-patrol";
    const ROLE: &'static str = "witness";
    const STEPS: &'static [(&'static str, Step)] = &[
        ("read-mail", Step::ReadMail),
        ("survey", Step::Survey),
        ("start", Step::Start),
        ("nudge-stuck", Step::NudgeStuck),
        ("replace-dead", Step::ReplaceDead),
    ];
}

/// The witness patrol's variables for `rig`.
pub fn patrol_vars(rig: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(String::from("rig"), rig.to_owned())])
}

struct Witness {
    env: RoleEnv,
    me: Me,
    rig: String,
    children: Children,
    /// The last survey's verdicts on the polecats with work: what the steps after it act on.
    judged: Vec<(Agent, Evidence, Verdict)>,
    /// Error exits in a row per polecat, with its steps_done when counted.
    crashes: BTreeMap<String, (u32, u64)>,
    given_up: Vec<String>,
}

/// Run the witness of `rig`.
pub fn run(mut env: RoleEnv, name: &str, rig: &str) -> Result<Ended> {
    let proc_id = ProcId::current().map_err(|e| Error::io("/proc/self", e))?;
    let me = env
        .ledger
        .write(|tx| agents::register(tx, name, Role::Witness, Some(rig), proc_id))?
        .me;
    log(
        name,
        me.generation,
        &format!("watching the polecats of {rig}"),
    );
    let patrol = patrol::start::<Step>(&mut env, &me, patrol_vars(rig))?;
    let mut w = Witness {
        env,
        me,
        rig: rig.to_owned(),
        children: Children::default(),
        judged: Vec::new(),
        crashes: BTreeMap::new(),
        given_up: Vec::new(),
    };
    let mut last_beat = Instant::now();
    let mut last_cycle: Option<Instant> = None;
    let result = loop {
        if w.env.should_stop() {
            break Ok(Ended::Stopped);
        }
        let surveyed = if last_cycle.is_none_or(|t| t.elapsed() >= w.env.config.village.patrol) {
            last_cycle = Some(Instant::now());
            let me = w.me.name.clone();
            patrol::run_cycle(&mut w, |w| &mut w.env.ledger, &patrol, &me, Witness::act).map(|_| ())
        } else {
            w.survey()
        };
        if let Err(e) = surveyed {
            break Err(e);
        }
        if last_beat.elapsed() >= w.env.config.village.heartbeat {
            let me = w.me.clone();
            if let Err(e) = w
                .env
                .ledger
                .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Idle)))
            {
                break Err(e);
            }
            last_beat = Instant::now();
        }
        std::thread::sleep(SURVEY);
    };
    // Stopping: the polecats it started stop too (adopted ones follow the supervisor).
    let started = w.children.terminate_all();
    super::spawn::wait_or_kill(&started, Duration::from_secs(10));
    let result = result.map_err(|e| super::superseded_or(&mut w.env.ledger, &w.me, e));
    match result {
        Err(Error::Superseded { current, .. }) => {
            log(
                &w.me.name,
                w.me.generation,
                &format!("superseded by generation {current}"),
            );
            Ok(Ended::Superseded)
        }
        Err(e) => Err(e),
        Ok(ended) => {
            let me = w.me.clone();
            w.env
                .ledger
                .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Stopped)))?;
            Ok(ended)
        }
    }
}

impl Witness {
    /// The patrol's steps without a wisp (between patrol cycles).
    fn survey(&mut self) -> Result<()> {
        for step in [
            Step::ReadMail,
            Step::Survey,
            Step::Start,
            Step::NudgeStuck,
            Step::ReplaceDead,
        ] {
            self.act(step)?;
        }
        Ok(())
    }

    /// Carry out one step of the patrol.
    fn act(&mut self, step: Step) -> Result<()> {
        match step {
            Step::ReadMail => {
                for (name, how) in self.children.reap() {
                    self.count_exit(&name, how)?;
                }
                self.read_mail()
            }
            Step::Survey => {
                self.judged = self.judge()?;
                Ok(())
            }
            Step::Start => {
                for (p, _, _) in self.take(Verdict::NotStarted) {
                    self.start(&p, "it has work")?;
                }
                Ok(())
            }
            Step::NudgeStuck => {
                for (p, evidence, _) in self.take(Verdict::Stuck) {
                    self.stuck(&p, &evidence)?;
                }
                Ok(())
            }
            Step::ReplaceDead => {
                for (p, _, _) in self.take(Verdict::Dead) {
                    let why = format!(
                        "{} generation {} died (its process is gone)",
                        p.name, p.state.generation
                    );
                    if self.expire(&p, &why)? {
                        self.start(&p, "it died")?;
                    }
                }
                Ok(())
            }
        }
    }

    /// The polecats of the rig with work, each with its evidence and verdict.
    fn judge(&mut self) -> Result<Vec<(Agent, Evidence, Verdict)>> {
        let rig = self.rig.clone();
        let polecats = self
            .env
            .ledger
            .read(|tx| agents::list(tx, Some(Role::Polecat), Some(&rig)))?;
        let now_ns = now_nanos();
        let mut out = Vec::new();
        for p in polecats {
            if p.state.hook.is_none() || self.given_up.contains(&p.name) {
                continue;
            }
            if self.children.starting(&p.name, p.state.process) {
                // Started, not yet registered: its record still shows the one before.
                continue;
            }
            let evidence = Evidence::of(&p.state, now_ns);
            let verdict = evidence.verdict(self.env.config.village.stuck_after);
            out.push((p, evidence, verdict));
        }
        Ok(out)
    }

    /// The judged polecats with `verdict`, taken out of the survey's list.
    fn take(&mut self, verdict: Verdict) -> Vec<(Agent, Evidence, Verdict)> {
        let (take, keep) = std::mem::take(&mut self.judged)
            .into_iter()
            .partition(|(_, _, v)| *v == verdict);
        self.judged = keep;
        take
    }

    /// Record an error exit of a child; after too many in a row it is not restarted.
    fn count_exit(&mut self, name: &str, how: ChildExit) -> Result<()> {
        let ChildExit::Code(code) = how else {
            return Ok(());
        };
        if code == 0 || code == 3 {
            return Ok(());
        }
        let done = self
            .env
            .ledger
            .read(|tx| agents::get(tx, name))?
            .map_or(0, |a| a.state.steps_done);
        let entry = self.crashes.entry(name.to_owned()).or_insert((0, done));
        if entry.1 != done {
            *entry = (0, done);
        }
        entry.0 += 1;
        if entry.0 >= CRASH_LOOP {
            let why = format!(
                "{name} exited with an error {} times in a row without finishing a step; it is not started again (see {})",
                entry.0,
                self.env.layout.log(name).display()
            );
            log(&self.me.name, self.me.generation, &why);
            self.given_up.push(name.to_owned());
            let overseer = self.env.config.village.overseer.clone();
            self.env.ledger.write(|tx| {
                crate::work::mail::send(
                    tx,
                    &overseer,
                    &format!("ESCALATE {name}: keeps crashing"),
                    Some(&why),
                )
                .map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Expire `p`'s lease as of the generation judged; whether that generation was still
    /// current (and so is to be replaced).
    fn expire(&mut self, p: &Agent, why: &str) -> Result<bool> {
        let name = p.name.clone();
        let generation = p.state.generation;
        let got = self
            .env
            .ledger
            .write(|tx| lease::expire(tx, &name, generation, why))?;
        match got {
            Expired::Released { step } => {
                let what = match step {
                    Some(s) => format!("{why}; {s} is ready again"),
                    None => why.to_owned(),
                };
                log(&self.me.name, self.me.generation, &what);
                Ok(true)
            }
            Expired::Stale { current } => {
                log(
                    &self.me.name,
                    self.me.generation,
                    &format!(
                        "{name}: judged generation {generation}, but it is at {current} now; nothing done"
                    ),
                );
                Ok(false)
            }
            Expired::Unknown => Ok(false),
        }
    }

    fn start(&mut self, p: &Agent, why: &str) -> Result<()> {
        let pid = start(
            &self.env.root,
            &self.env.layout,
            Role::Polecat,
            &p.name,
            Some(&self.rig),
            self.env.parent,
        )?;
        self.children.add(&p.name, pid);
        log(
            &self.me.name,
            self.me.generation,
            &format!("started {} (pid {}): {why}", p.name, pid.pid),
        );
        Ok(())
    }

    /// Nudge a stuck polecat; kill and replace it when the nudge did not help.
    fn stuck(&mut self, p: &Agent, ev: &Evidence) -> Result<()> {
        let now_ns = now_nanos();
        let nudged_for = crate::town::liveness::age(p.state.nudged_at.as_deref(), now_ns);
        match nudged_for {
            None => {
                let me = self.me.clone();
                let msg = Lifecycle {
                    verb: Verb::Nudge,
                    agent: p.name.clone(),
                    generation: p.state.generation,
                };
                let target = p.me();
                self.env
                    .ledger
                    .write(|tx| {
                        lifecycle::send(
                            tx,
                            &target.name,
                            &msg,
                            Some("no heartbeat and no progress: show a sign of life"),
                        )?;
                        let mut a = agents::current(tx, &target)?;
                        a.state.nudged_at = Some(now());
                        agents::save(tx, &mut a)?;
                        agents::heartbeat(tx, &me, None).map(|_| ())
                    })
                    .or_else(|e| match e {
                        // It was restarted meanwhile: nothing to nudge.
                        Error::Superseded { agent, .. } if agent == p.name => Ok(()),
                        e => Err(e),
                    })?;
                log(
                    &self.me.name,
                    self.me.generation,
                    &format!(
                        "{} is stuck (heartbeat {}s ago, progress {}s ago): nudged",
                        p.name,
                        ev.heartbeat_age.map_or(-1, |a| a as i64),
                        ev.progress_age.map_or(-1, |a| a as i64)
                    ),
                );
            }
            Some(age) if age >= self.env.config.village.kill_after.as_secs_f64() => {
                // Kill first, so that nothing of this generation runs on while the next
                // one takes its place.
                if let Some(c) = p.state.child {
                    let _ = c.kill_group();
                }
                if let Some(proc_id) = p.state.process {
                    proc_id.kill().map_err(|e| Error::io("kill", e))?;
                }
                let why = format!(
                    "{} generation {} was stuck and did not answer a nudge for {}s: killed",
                    p.name, p.state.generation, age as i64
                );
                if self.expire(p, &why)? {
                    self.start(p, "it was stuck")?;
                }
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Lifecycle mail to the witness.
    fn read_mail(&mut self) -> Result<()> {
        let name = self.me.name.clone();
        let unread = self.env.ledger.read(|tx| lifecycle::unread(tx, &name))?;
        for msg in unread {
            match self.env.ledger.write(|tx| lifecycle::handle(tx, &msg))? {
                Received::Fresh(l) => match l.verb {
                    Verb::Respawn => {
                        let Some(p) = self.env.ledger.read(|tx| agents::get(tx, &l.agent))? else {
                            continue;
                        };
                        if p.state.role != Role::Polecat
                            || p.state.rig.as_deref() != Some(&self.rig)
                        {
                            log(
                                &name,
                                self.me.generation,
                                &format!("ignored {}: not a polecat of {}", l.subject(), self.rig),
                            );
                            continue;
                        }
                        if let Some(c) = p.state.child {
                            let _ = c.kill_group();
                        }
                        if let Some(proc_id) = p.state.process {
                            proc_id.kill().map_err(|e| Error::io("kill", e))?;
                        }
                        let why = format!(
                            "{} generation {} restarted on request ({})",
                            p.name, l.generation, msg.id
                        );
                        if self.expire(&p, &why)? {
                            self.start(&p, "a respawn was requested")?;
                        }
                    }
                    Verb::Done => log(&name, self.me.generation, &format!("{} is done", l.agent)),
                    Verb::Nudge | Verb::Shutdown => {}
                },
                Received::Stale(l, current) => log(
                    &name,
                    self.me.generation,
                    &format!(
                        "ignored `{}` ({}): {} is at generation {current} now",
                        l.subject(),
                        msg.id,
                        l.agent
                    ),
                ),
                Received::Rejected(why) => log(
                    &name,
                    self.me.generation,
                    &format!("ignored {}: {why}", msg.id),
                ),
                Received::Other => {}
            }
        }
        Ok(())
    }
}

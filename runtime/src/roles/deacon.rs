//! The deacon: the town's keeper. It keeps each rig's witness and refinery running
//! (started as its children; a dead one has its lease expired and is started again, an
//! earlier one still running is adopted), and runs its patrol each cycle: the formula
//! `mol-deacon-patrol` as a wisp, squashed into a digest when done ([`super::patrol`]).

use super::patrol::{self, Action, Patrol};
use super::spawn::{Children, start};
use super::{Ended, RoleEnv, log};
use crate::error::{Error, Result};
use crate::flow::gates::{self, Verdict as GateVerdict};
use crate::ledger::time::now_nanos;
use crate::town::agents::{self, Me, Phase, Role, rig_agent};
use crate::town::lease::{self, Expired};
use crate::town::liveness::{Evidence, Verdict};
use crate::town::process::ProcId;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const WATCH: Duration = Duration::from_millis(100);

/// Run the deacon.
pub fn run(mut env: RoleEnv, name: &str) -> Result<Ended> {
    let proc_id = ProcId::current().map_err(|e| Error::io("/proc/self", e))?;
    let me = env
        .ledger
        .write(|tx| agents::register(tx, name, Role::Deacon, None, proc_id))?
        .me;
    log(name, me.generation, "keeping the town");
    let patrol = patrol::start::<Step>(&mut env, &me, BTreeMap::new())?;
    let mut children = Children::default();
    let mut last_beat = Instant::now();
    let mut last_cycle: Option<Instant> = None;
    let mut gh_polled: HashMap<String, Instant> = HashMap::new();
    let result = loop {
        if env.should_stop() {
            break Ok(Ended::Stopped);
        }
        for (child, how) in children.reap() {
            log(name, me.generation, &format!("{child} exited ({how:?})"));
        }
        if let Err(e) = keep_roles(&mut env, &me, &mut children) {
            break Err(e);
        }
        if last_cycle.is_none_or(|t| t.elapsed() >= env.config.village.deacon_cycle) {
            if let Err(e) = cycle(&mut env, &me, &patrol, &mut children, &mut gh_polled) {
                break Err(e);
            }
            last_cycle = Some(Instant::now());
        }
        if last_beat.elapsed() >= env.config.village.heartbeat {
            if let Err(e) = env
                .ledger
                .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Idle)))
            {
                break Err(e);
            }
            last_beat = Instant::now();
        }
        std::thread::sleep(WATCH);
    };
    let started = children.terminate_all();
    super::spawn::wait_or_kill(&started, Duration::from_secs(15));
    let result = result.map_err(|e| super::superseded_or(&mut env.ledger, &me, e));
    match result {
        Err(Error::Superseded { current, .. }) => {
            log(
                name,
                me.generation,
                &format!("superseded by generation {current}"),
            );
            Ok(Ended::Superseded)
        }
        Err(e) => Err(e),
        Ok(ended) => {
            env.ledger
                .write(|tx| agents::heartbeat(tx, &me, Some(Phase::Stopped)))?;
            Ok(ended)
        }
    }
}

/// What a step of the deacon's patrol makes it do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    KeepRoles,
    CheckGates,
    Heartbeat,
}

impl Action for Step {
    const FORMULA: &'static str = "mol-deacon-patrol";
    const ROLE: &'static str = "deacon";
    const STEPS: &'static [(&'static str, Step)] = &[
        ("keep-roles", Step::KeepRoles),
        ("check-gates", Step::CheckGates),
        ("heartbeat", Step::Heartbeat),
    ];
}

/// The deacon's state that a cycle's actions use.
struct Deacon<'a> {
    env: &'a mut RoleEnv,
    me: &'a Me,
    children: &'a mut Children,
    polled: &'a mut HashMap<String, Instant>,
}

/// One patrol cycle ([`patrol`]): poured as a wisp, each step carried out and closed,
/// the cycle squashed into a digest.
fn cycle(
    env: &mut RoleEnv,
    me: &Me,
    patrol: &Patrol<Step>,
    children: &mut Children,
    polled: &mut HashMap<String, Instant>,
) -> Result<()> {
    let mut d = Deacon {
        env,
        me,
        children,
        polled,
    };
    patrol::run_cycle(
        &mut d,
        |d| &mut d.env.ledger,
        patrol,
        &me.name,
        |d, step| match step {
            Step::KeepRoles => keep_roles(d.env, d.me, d.children),
            Step::CheckGates => check_gates(d.env, d.me, d.polled),
            Step::Heartbeat => d
                .env
                .ledger
                .write(|tx| agents::heartbeat(tx, d.me, Some(Phase::Idle)).map(|_| ())),
        },
    )?;
    Ok(())
}

/// Each rig's witness and refinery: started when not running (checked every
/// [`WATCH`] as well as in each patrol cycle, so a dead one is replaced at once).
fn keep_roles(env: &mut RoleEnv, me: &Me, children: &mut Children) -> Result<()> {
    let rigs: Vec<String> = env.config.rigs.keys().cloned().collect();
    for rig in rigs {
        for (role, what) in [(Role::Witness, "witness"), (Role::Refinery, "refinery")] {
            let name = rig_agent(&rig, what);
            // Read first: this runs every WATCH, and a write takes the ledger's lock
            // from the polecats even when it changes nothing.
            let known = env.ledger.read(|tx| agents::get(tx, &name))?;
            let record = match known {
                Some(a) if a.state.role == role => a,
                _ => env
                    .ledger
                    .write(|tx| agents::ensure(tx, &name, role, Some(&rig)))?,
            };
            if children.starting(&name, record.state.process) {
                continue;
            }
            let verdict =
                Evidence::of(&record.state, now_nanos()).verdict(env.config.village.stuck_after);
            let start_it = match verdict {
                Verdict::NotStarted | Verdict::Stopped | Verdict::Done => true,
                Verdict::Dead => {
                    let why = format!("{name} generation {} died", record.state.generation);
                    let generation = record.state.generation;
                    match env
                        .ledger
                        .write(|tx| lease::expire(tx, &name, generation, &why))?
                    {
                        Expired::Released { step } => {
                            log(
                                &me.name,
                                me.generation,
                                &match step {
                                    Some(s) => format!("{why}; {s} goes back"),
                                    None => why.clone(),
                                },
                            );
                            true
                        }
                        Expired::Stale { .. } | Expired::Unknown => false,
                    }
                }
                // Alive (ours or adopted): nothing to do.
                Verdict::Idle | Verdict::Working | Verdict::Stuck => false,
            };
            if start_it {
                let p = start(&env.root, &env.layout, role, &name, Some(&rig), env.parent)?;
                children.add(&name, p);
                log(
                    &me.name,
                    me.generation,
                    &format!("started {name} (pid {})", p.pid),
                );
            }
        }
    }
    Ok(())
}

/// Evaluate the open gates ([`gates`]); `gh` is asked about a gate at most every
/// `[village] gh_poll` (`polled`: when each was last asked).
fn check_gates(env: &mut RoleEnv, me: &Me, polled: &mut HashMap<String, Instant>) -> Result<()> {
    let town = env.root.clone();
    let open = env.ledger.read(|tx| {
        let mut out = Vec::new();
        for g in gates::pending(tx)? {
            let v = gates::evaluate(tx, &g, &town)?;
            out.push((g, v));
        }
        Ok(out)
    })?;
    polled.retain(|id, _| open.iter().any(|(g, _)| &g.id == id));
    for (gate, verdict) in open {
        let verdict = match verdict {
            Some(v) => v,
            None if gate
                .await_type
                .as_deref()
                .is_some_and(|k| k.starts_with("gh:")) =>
            {
                if polled
                    .get(&gate.id)
                    .is_some_and(|t| t.elapsed() < env.config.village.gh_poll)
                {
                    continue;
                }
                polled.insert(gate.id.clone(), Instant::now());
                gates::check_gh(&gate, &town)
            }
            // `human` and unknown kinds: for a person.
            None => continue,
        };
        if verdict == GateVerdict::Wait {
            continue;
        }
        let flow = env.flow.clone();
        if let Some(note) = env
            .ledger
            .write(|tx| gates::settle(tx, &gate.id, &verdict, &flow))?
        {
            log(&me.name, me.generation, &note);
        }
    }
    Ok(())
}

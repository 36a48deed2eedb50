//! Chaos: a 200-step molecule, 8 polecats, and a killer that SIGKILLs a random polecat,
//! witness or refinery (by the pid recorded in its agent record) every 0.5 s for the
//! first half of the run. The run completes, every step is closed once, no step's work
//! is merged twice, nothing is left held. Prints kill -> step resumed (median, max).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod town;

use gt::town::agents::{self, Role};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use town::{Town, assert_merged_fifo, fan, finish};

const STEPS: usize = 200;
const LIMIT: Duration = Duration::from_secs(600);

/// A small deterministic generator (xorshift), so the victims' sequence is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// What the killer saw: kills, and for each killed polecat holding a step, the seconds
/// until another agent held that step (or it was done).
#[derive(Default, Debug)]
struct Report {
    kills: BTreeMap<&'static str, usize>,
    resumed: Vec<f64>,
    unresumed: Vec<String>,
}

fn killer(dir: std::path::PathBuf, mol: String, stop: Arc<AtomicBool>) -> Report {
    let mut ledger = gt::ledger::Ledger::discover(&dir, "killer").unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut report = Report::default();
    // (step, killed at, nanos) waiting to be taken again.
    let mut pending: Vec<(String, Instant, i128)> = Vec::new();
    let mut last_kill = Instant::now();
    let mut killing = true;
    while !stop.load(Ordering::Relaxed) {
        let (all, done) = ledger
            .read(|tx| {
                let c = gt::run::progress::counts(tx, &mol)?;
                Ok((agents::list(tx, None, None)?, c.done))
            })
            .unwrap();
        if done * 2 >= STEPS {
            killing = false;
        }
        // Resumed: another lease on the step since the kill, or the step done.
        pending.retain(|(step, at, killed_ns)| {
            let taken = all.iter().any(|a| {
                a.state.lease.as_ref().is_some_and(|l| {
                    &l.step == step
                        && gt::ledger::time::nanos(&l.since).is_some_and(|s| s > *killed_ns)
                })
            });
            let status = ledger.read(|tx| tx.status(step)).unwrap();
            if taken || status.as_deref() == Some("closed") {
                report.resumed.push(at.elapsed().as_secs_f64());
                false
            } else {
                true
            }
        });
        if killing && last_kill.elapsed() >= Duration::from_millis(500) {
            last_kill = Instant::now();
            let victims: Vec<&agents::Agent> = all
                .iter()
                .filter(|a| matches!(a.state.role, Role::Polecat | Role::Witness | Role::Refinery))
                .filter(|a| {
                    a.state
                        .process
                        .is_some_and(|p| p.state() == gt::town::process::ProcState::Alive)
                })
                .collect();
            if !victims.is_empty() {
                let v = victims[rng.next(victims.len())];
                let held = v.state.lease.as_ref().map(|l| l.step.clone());
                let now_ns = gt::ledger::time::now_nanos();
                if v.state.process.unwrap().kill().is_ok() {
                    *report.kills.entry(v.state.role.name()).or_default() += 1;
                    if v.state.role == Role::Polecat
                        && let Some(step) = held
                    {
                        pending.push((step, Instant::now(), now_ns));
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    report.unresumed = pending.into_iter().map(|(s, _, _)| s).collect();
    report
}

#[test]
fn a_village_under_sigkill_finishes_every_step_once() {
    let town = Town::new(
        "[rigs.app]\npath = \".\"\nbranch = \"main\"\n[village]\nheartbeat = \"200ms\"\npatrol = \"100ms\"\nstuck_after = \"3s\"\nkill_after = \"2s\"\nmax_attempts = 20\n",
    );
    town.formula("mol-chaos", &fan("mol-chaos", STEPS - 1));
    let started = Instant::now();
    let child = town.start_run(&["mol-chaos", "--polecats", "8"]);
    town.wait_until("the molecule is poured", Duration::from_secs(60), |i| {
        i.iter().any(|r| r.issue_type == "molecule")
    });
    let mol = town.runs()[0].id.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let k = {
        let (dir, mol, stop) = (town.path(), mol.clone(), Arc::clone(&stop));
        std::thread::spawn(move || killer(dir, mol, stop))
    };
    let out = finish(child, LIMIT, &town.path());
    stop.store(true, Ordering::Relaxed);
    let report = k.join().expect("the killer thread panicked");
    assert_eq!(out.code, 0, "{out:?}\n{}", town.logs());
    assert!(
        out.stdout.contains(&format!("{mol} is complete")),
        "{}",
        out.stdout
    );
    let kills: usize = report.kills.values().sum();
    assert!(kills >= 5, "too few kills to mean anything: {report:?}");
    // Every step closed once, each landed exactly once, in queue order, no branch
    // deleted before its merge was on main.
    assert_merged_fifo(&town, &mol, "app");
    let steps = town.steps(&mol);
    assert_eq!(steps.len(), STEPS);
    let subjects = town.git(&["log", "--first-parent", "--format=%s", "main"]);
    for s in &steps {
        let n = subjects
            .lines()
            .filter(|l| l.starts_with(&format!("{}: ", s.id)))
            .count();
        assert_eq!(n, 1, "{}'s work is on main {n} times", s.id);
    }
    // Nothing is left held or half done.
    for i in town.issues() {
        assert_ne!(i.status, "in_progress", "{} is still in progress", i.id);
    }
    assert!(
        town.merge_requests("app")
            .iter()
            .all(|q| q.issue.status == "closed")
    );
    assert!(
        report.unresumed.is_empty(),
        "never resumed: {:?}",
        report.unresumed
    );
    let mut r = report.resumed.clone();
    r.sort_by(f64::total_cmp);
    let median = r.get(r.len() / 2).copied();
    eprintln!(
        "chaos: {STEPS} steps, 8 polecats, {:.1}s; kills {:?}; kill -> step resumed over {} polecat kills holding a step: median {:?}s, max {:?}s",
        started.elapsed().as_secs_f64(),
        report.kills,
        r.len(),
        median,
        r.last()
    );
}

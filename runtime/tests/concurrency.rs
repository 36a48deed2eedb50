//! Concurrency test: 16 workers race over one molecule of 500 steps (50 chains of 10).
//!
//! Each worker is a thread of this test driving the real `gt` binary, one process at a
//! time, so 16 `gt` processes run at once: `gt ready --mol M --json --limit N`, pick one
//! at random, `gt claim ID --as wK`, and on success `gt close ID`; now and then it also
//! closes a step it closed before, which must be refused. It stops when nothing is ready
//! and the molecule root is closed.
//!
//! Asserted: every step was claimed by exactly one worker and closed exactly once (and
//! never by anyone but its claimant), every repeated close was refused, no `gt` failed
//! for any other reason than a lost race, and in the end all 500 steps are closed and
//! the root was auto-closed exactly once, by the close of the last step.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GT: &str = env!("CARGO_BIN_EXE_gt");
const WORKERS: usize = 16;
const CHAINS: usize = 50;
const CHAIN: usize = 10;
const STEPS: usize = CHAINS * CHAIN;
/// How many ready steps a worker asks for (it picks one of them at random).
const LIMIT: &str = "8";

fn formula() -> String {
    let mut s = String::from("formula = \"race\"\nversion = 1\ntype = \"workflow\"\n");
    for c in 0..CHAINS {
        for k in 0..CHAIN {
            s.push_str(&format!(
                "\n[[steps]]\nid = \"c{c:02}k{k}\"\ntitle = \"Chain {c} step {k}\"\n"
            ));
            if k > 0 {
                s.push_str(&format!("needs = [\"c{c:02}k{}\"]\n", k - 1));
            }
        }
    }
    s
}

/// `gt args` in `dir`: (exit code, stdout, stderr).
fn gt(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(GT)
        .args(args)
        .current_dir(dir)
        .env("GT_ACTOR", "race")
        .env("HOME", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        code == 0 || code == 1,
        "gt {args:?} failed with {code}: {stderr}"
    );
    (code, stdout, stderr)
}

fn ids(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// What one worker did.
#[derive(Default, Debug)]
struct Tally {
    claimed: Vec<String>,
    /// Everything its successful closes closed (the step, and the root once).
    closed: Vec<String>,
    lost_claims: usize,
    refused_reclose: usize,
    processes: usize,
}

fn worker(dir: PathBuf, root: String, n: usize) -> Tally {
    let me = format!("w{n}");
    let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ (n as u64 + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let mut next = move |below: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % below as u64) as usize
    };
    let mut t = Tally::default();
    loop {
        let (code, out, err) = gt(&dir, &["ready", "--mol", &root, "--json", "--limit", LIMIT]);
        t.processes += 1;
        assert_eq!(code, 0, "{err}");
        let ready = ids(&out);
        if ready.is_empty() {
            let (_, show, _) = gt(&dir, &["show", &root, "--json"]);
            t.processes += 1;
            let v: Value = serde_json::from_str(&show).unwrap();
            if v[0]["status"] == "closed" {
                return t;
            }
            // Steps are held by others; their closes will make more ready.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let id = &ready[next(ready.len())];
        let (code, out, err) = gt(&dir, &["claim", id, "--as", &me, "--json"]);
        t.processes += 1;
        if code != 0 {
            // Lost the race: someone else holds it (or already closed it).
            assert!(
                err.contains("held by") || err.contains("not open"),
                "{me}: claim {id}: {err}"
            );
            t.lost_claims += 1;
            continue;
        }
        assert_eq!(ids(&out), vec![id.clone()]);
        t.claimed.push(id.clone());
        let (code, out, err) = gt(&dir, &["close", id, "--json"]);
        t.processes += 1;
        assert_eq!(code, 0, "{me}: close of its own claim {id} failed: {err}");
        t.closed.extend(ids(&out));
        if next(8) == 0 {
            let again = t.claimed[next(t.claimed.len())].clone();
            let (code, _, err) = gt(&dir, &["close", &again, "--json"]);
            t.processes += 1;
            assert_eq!(code, 1, "{me}: a second close of {again} succeeded");
            assert!(err.contains("already closed"), "{err}");
            t.refused_reclose += 1;
        }
    }
}

#[test]
fn sixteen_workers_claim_and_close_each_step_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    assert_eq!(gt(&dir, &["init", "--prefix", "r"]).0, 0);
    let formulas = dir.join(".beads/formulas");
    std::fs::create_dir_all(&formulas).unwrap();
    std::fs::write(formulas.join("race.formula.toml"), formula()).unwrap();
    let poured_at = Instant::now();
    let (code, out, err) = gt(&dir, &["pour", "race", "--json"]);
    let pour_time = poured_at.elapsed();
    assert_eq!(code, 0, "{err}");
    let poured = ids(&out);
    assert_eq!(poured.len(), STEPS + 1);
    let root = poured[0].clone();

    let started = Instant::now();
    let handles: Vec<_> = (0..WORKERS)
        .map(|n| {
            let (dir, root) = (dir.clone(), root.clone());
            std::thread::spawn(move || worker(dir, root, n))
        })
        .collect();
    let tallies: Vec<Tally> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let race_time = started.elapsed();

    let mut claims: HashMap<&str, usize> = HashMap::new();
    let mut closes: HashMap<&str, usize> = HashMap::new();
    for t in &tallies {
        for id in &t.claimed {
            *claims.entry(id).or_default() += 1;
        }
        for id in &t.closed {
            *closes.entry(id).or_default() += 1;
        }
    }
    for step in &poured[1..] {
        assert_eq!(claims.get(step.as_str()), Some(&1), "claims of {step}");
        assert_eq!(closes.get(step.as_str()), Some(&1), "closes of {step}");
    }
    assert_eq!(claims.len(), STEPS);
    assert_eq!(
        closes.get(root.as_str()),
        Some(&1),
        "the root is auto-closed exactly once"
    );
    assert_eq!(closes.len(), STEPS + 1);
    // Each worker closed only what it claimed (plus, once, the root).
    for t in &tallies {
        for id in t.closed.iter().filter(|i| **i != root) {
            assert!(t.claimed.contains(id));
        }
    }

    let (code, out, _) = gt(&dir, &["list", "--mol", &root, "--json"]);
    assert_eq!(code, 0);
    let all: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(all.len(), STEPS + 1);
    for i in &all {
        assert_eq!(i["status"], "closed", "{}", i["id"]);
        if i["id"] != root.as_str() {
            let who = i["assignee"].as_str().unwrap();
            assert!(
                tallies[who[1..].parse::<usize>().unwrap()]
                    .claimed
                    .iter()
                    .any(|c| *c == i["id"])
            );
        }
    }
    let root_issue = all.iter().find(|i| i["id"] == root.as_str()).unwrap();
    assert_eq!(root_issue["close_reason"], "all steps complete");

    let processes: usize = tallies.iter().map(|t| t.processes).sum();
    let lost: usize = tallies.iter().map(|t| t.lost_claims).sum();
    let reclose: usize = tallies.iter().map(|t| t.refused_reclose).sum();
    let per_worker: Vec<usize> = tallies.iter().map(|t| t.claimed.len()).collect();
    eprintln!(
        "concurrency: pour of {STEPS} steps {:.0} ms; {WORKERS} workers closed them in {:.1} s \
         ({processes} gt processes, {lost} lost claim races, {reclose} repeated closes refused); \
         steps per worker {per_worker:?}",
        pour_time.as_secs_f64() * 1000.0,
        race_time.as_secs_f64()
    );
}

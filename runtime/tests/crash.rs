//! Crash test: thousands of ledger operations run by the real `gt` binary, hundreds of
//! them killed with SIGKILL at a random moment (0-15 ms after the spawn, or up to the
//! command's usual run time when that is longer, so kills land in start-up,
//! mid-transaction, mid-fsync and mid-`issues.jsonl` rewrite alike).
//!
//! The harness keeps a model of what it knows happened: an operation counts as done when
//! its process exited 0 and printed its `--json` result (or was killed after printing
//! all of it: the commit precedes the output). Killed operations are unknown: each may
//! have happened or not, but only whole. At the end:
//! - `gt export`, `gt list`, `gt ready` run fine and every exported line is JSON;
//! - everything done is there with its effect (created and imported ids exist, closed
//!   ones are closed, claimed ones are held by their claimant or closed, labels and
//!   edges added are present);
//! - nothing is half-applied: every molecule root in the ledger has all the formula's
//!   steps, every import file is in the ledger entirely or not at all, each database
//!   row's index columns and edge rows agree with its record, and the stored `blocked`
//!   flags agree with the readiness definition;
//! - `.beads/issues.jsonl` is a complete file: every line a record ending in a newline,
//!   every id in it in the ledger.
//!
//! `GT_CRASH_SEED=N` replays another sequence; the seed is printed on failure.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use gt::ledger::Ledger;
use gt::ledger::blocked::{blockers, stale_edge_marks};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const GT: &str = env!("CARGO_BIN_EXE_gt");
/// SIGKILLs that must land (the process died of the signal, not of old age).
const KILLS: usize = 200;
/// Operations to run at least.
const MIN_OPS: usize = 2000;
/// Give up (and fail) past this many operations without enough kills.
const MAX_OPS: usize = 6000;
/// Chance (per mille) that an operation gets a kill scheduled.
const KILL_PER_MILLE: u64 = 320;
/// The latest a kill is sent after the spawn.
const MAX_KILL_DELAY_US: u64 = 15_000;
/// Steps of the formula poured (4 chains of 5).
const STEPS: usize = 20;
const CHAIN: usize = 5;
/// Issues per import file.
const IMPORT_SIZE: usize = 6;

/// xorshift64*: small, seeded, good enough for picking operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        (!v.is_empty()).then(|| &v[self.below(v.len() as u64) as usize])
    }
}

fn formula() -> String {
    let mut s = String::from("formula = \"crash-mol\"\nversion = 1\ntype = \"workflow\"\n");
    for i in 0..STEPS {
        s.push_str(&format!(
            "\n[[steps]]\nid = \"s{i:02}\"\ntitle = \"Step {i}\"\n"
        ));
        if i % CHAIN != 0 {
            s.push_str(&format!("needs = [\"s{:02}\"]\n", i - 1));
        }
    }
    s
}

/// A database row: id, status, priority, issue_type, assignee, blocked, record.
type Row = (String, String, i64, String, Option<String>, bool, String);

/// How one operation ended.
enum End {
    /// Exit 0 with its JSON output.
    Done(Value),
    /// Exit 1: refused or not found (stderr says why).
    Refused(String),
    /// Killed before it finished.
    Killed,
}

struct Harness {
    dir: PathBuf,
    rng: Rng,
    kills: usize,
    kills_after_commit: usize,
    /// How long each command (by its first argument) usually takes.
    usual: HashMap<String, Duration>,
}

impl Harness {
    fn gt(&self, args: &[&str]) -> Command {
        let mut c = Command::new(GT);
        c.args(args)
            .current_dir(&self.dir)
            .env("GT_ACTOR", "crash")
            .env("HOME", &self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Run `gt args`, perhaps killing it after a random delay.
    fn op(&mut self, args: &[&str]) -> End {
        let kill = self.rng.below(1000) < KILL_PER_MILLE;
        // 0-15 ms; for a command that usually takes longer (a flush of thousands of
        // issues in a debug build), up to its usual time, so its write phase at the end
        // is hit too.
        let usual = self.usual.get(args[0]).copied().unwrap_or_default();
        let max_us = (MAX_KILL_DELAY_US).max(usual.as_micros() as u64 * 11 / 10);
        let delay = Duration::from_micros(self.rng.below(max_us + 1));
        let spawned = Instant::now();
        let mut child = self.gt(args).spawn().unwrap();
        let out: Output = if kill {
            let start = Instant::now();
            // Sleep in short slices so a process that is already gone is not waited on.
            while start.elapsed() < delay {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(
                    Duration::from_micros(200).min(delay.saturating_sub(start.elapsed())),
                );
            }
            let _ = child.kill();
            child.wait_with_output().unwrap()
        } else {
            let out = child.wait_with_output().unwrap();
            // A moving average of how long the command takes when left alone.
            let took = spawned.elapsed();
            let avg = self.usual.entry(args[0].to_owned()).or_insert(took);
            *avg = (*avg * 7 + took) / 8;
            out
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        match (out.status.code(), out.status.signal()) {
            (Some(0), _) => End::Done(serde_json::from_str(&stdout).unwrap_or_else(|e| {
                panic!("gt {args:?} exited 0 but its output is not JSON ({e}): {stdout}")
            })),
            (Some(1), _) => End::Refused(stderr),
            (None, Some(9)) => {
                self.kills += 1;
                // Killed after printing everything: the commit happened.
                match serde_json::from_str::<Value>(&stdout) {
                    Ok(v) => {
                        self.kills_after_commit += 1;
                        End::Done(v)
                    }
                    Err(_) => End::Killed,
                }
            }
            (code, signal) => panic!(
                "gt {args:?} failed (exit {code:?}, signal {signal:?}): the ledger should always open and work\n{stderr}"
            ),
        }
    }
}

fn ids_of(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What the harness knows happened.
#[derive(Default)]
struct Model {
    /// Standalone issues known to exist (created or imported).
    plain: Vec<String>,
    /// Molecule roots known to exist, with the next step index per chain to close.
    mols: Vec<(String, [usize; STEPS / CHAIN])>,
    closed: HashSet<String>,
    claimed: HashMap<String, String>,
    labels: Vec<(String, String, String)>,
    edges: Vec<(String, String)>,
    /// Every import file: its ids, and whether it is known to have been applied.
    imports: Vec<(Vec<String>, bool)>,
    flushes: usize,
}

impl Model {
    fn any_id(&self, rng: &mut Rng) -> Option<String> {
        if rng.below(3) == 0
            && let Some((root, _)) = rng.pick(&self.mols)
        {
            let i = rng.below(STEPS as u64 + 1) as usize;
            return Some(if i == STEPS {
                root.clone()
            } else {
                format!("{root}.s{i:02}")
            });
        }
        rng.pick(&self.plain).cloned()
    }
}

fn import_file(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let stamp = gt::ledger::time::now();
    let mut text = String::new();
    let mut ids = Vec::new();
    for k in 0..IMPORT_SIZE {
        let id = format!("t-imp{n}x{k}");
        let mut rec = serde_json::json!({
            "id": id, "title": format!("imported {n}/{k}"), "status": "open",
            "priority": 2, "issue_type": "task", "created_at": stamp, "updated_at": stamp,
            "labels": [format!("imp{n}")], "dependencies": [],
        });
        if k > 0 {
            rec["dependencies"] = serde_json::json!([{
                "issue_id": id, "depends_on_id": format!("t-imp{n}x{}", k - 1), "type": "blocks",
            }]);
        }
        text.push_str(&rec.to_string());
        text.push('\n');
        ids.push(id);
    }
    let path = dir.join(format!("import-{n}.jsonl"));
    std::fs::write(&path, text).unwrap();
    (path, ids)
}

/// `issues.jsonl` is whole: every line a record with its newline. Returns its ids.
#[track_caller]
fn check_jsonl(path: &Path) -> BTreeSet<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeSet::new();
    };
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "issues.jsonl is torn: no final newline"
    );
    let mut ids = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("issues.jsonl:{}: not JSON ({e}): {line}", n + 1));
        ids.insert(v["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[test]
fn kill_nine_never_leaves_a_partial_write() {
    let seed: u64 = std::env::var("GT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c4a5_4000_0001);
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    let imports_dir = tmp.path().join("imports");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&imports_dir).unwrap();
    let mut h = Harness {
        dir: dir.clone(),
        rng: Rng(seed | 1),
        kills: 0,
        kills_after_commit: 0,
        usual: HashMap::new(),
    };
    let init = h.gt(&["init", "--prefix", "t"]).output().unwrap();
    assert!(init.status.success(), "{init:?}");
    let formulas = dir.join(".beads/formulas");
    std::fs::create_dir_all(&formulas).unwrap();
    std::fs::write(formulas.join("crash-mol.formula.toml"), formula()).unwrap();

    let mut m = Model::default();
    let mut counts: HashMap<&'static str, (usize, usize, Duration)> = HashMap::new();
    let mut ops = 0;
    while (ops < MIN_OPS || h.kills < KILLS) && ops < MAX_OPS {
        ops += 1;
        let roll = h.rng.below(100);
        let kind: &'static str = match roll {
            _ if m.plain.len() < 5 => "create",
            0..=23 => "create",
            24..=38 => "update",
            39..=52 => "claim",
            53..=74 => "close",
            75..=82 => "pour",
            83..=91 => "dep",
            92..=96 => "flush",
            _ => "import",
        };
        counts.entry(kind).or_default().0 += 1;
        let op_started = Instant::now();
        let done = match kind {
            "create" => {
                let title = format!("issue {ops}");
                let label = format!("c{}", ops % 7);
                match h.op(&["create", &title, "-l", &label, "--json"]) {
                    End::Done(v) => {
                        m.plain.extend(ids_of(&v));
                        true
                    }
                    _ => false,
                }
            }
            "update" => {
                let Some(id) = m.any_id(&mut h.rng) else {
                    continue;
                };
                let (a, b) = (format!("u{ops}a"), format!("u{ops}b"));
                let prio = (ops % 5).to_string();
                let args = [
                    "update",
                    &id,
                    "--add-label",
                    &a,
                    "--add-label",
                    &b,
                    "-p",
                    &prio,
                    "--json",
                ];
                match h.op(&args) {
                    End::Done(_) => {
                        m.labels.push((id, a, b));
                        true
                    }
                    _ => false,
                }
            }
            "claim" => {
                let Some(id) = m.any_id(&mut h.rng) else {
                    continue;
                };
                let agent = format!("agent{}", h.rng.below(3));
                match h.op(&["claim", &id, "--as", &agent, "--json"]) {
                    End::Done(_) => {
                        m.claimed.entry(id).or_insert(agent);
                        true
                    }
                    _ => false,
                }
            }
            "close" => {
                // Half the time the next step of a chain of a molecule (so molecules
                // complete and their roots auto-close), else any issue.
                let target = if h.rng.below(2) == 0 && !m.mols.is_empty() {
                    let mi = h.rng.below(m.mols.len() as u64) as usize;
                    let c = h.rng.below((STEPS / CHAIN) as u64) as usize;
                    let next = m.mols[mi].1[c];
                    (next < CHAIN).then(|| {
                        (
                            format!("{}.s{:02}", m.mols[mi].0, c * CHAIN + next),
                            Some((mi, c)),
                        )
                    })
                } else {
                    m.any_id(&mut h.rng).map(|id| (id, None))
                };
                let Some((id, chain)) = target else { continue };
                let (done, advance) = match h.op(&["close", &id, "--json"]) {
                    End::Done(v) => {
                        m.closed.extend(ids_of(&v));
                        (true, true)
                    }
                    // A killed close that did happen: move on along the chain.
                    End::Refused(e) => (false, e.contains("already closed")),
                    End::Killed => (false, false),
                };
                if advance && let Some((mi, c)) = chain {
                    m.mols[mi].1[c] += 1;
                }
                done
            }
            "pour" => match h.op(&["pour", "crash-mol", "--json"]) {
                End::Done(v) => {
                    let ids = ids_of(&v);
                    assert_eq!(ids.len(), STEPS + 1, "pour printed {ids:?}");
                    m.mols.push((ids[0].clone(), [0; STEPS / CHAIN]));
                    true
                }
                _ => false,
            },
            "dep" => {
                let (Some(a), Some(b)) = (m.any_id(&mut h.rng), m.any_id(&mut h.rng)) else {
                    continue;
                };
                let kind = if h.rng.below(4) == 0 {
                    "related"
                } else {
                    "blocks"
                };
                match h.op(&["dep", "add", &a, &b, "--type", kind, "--json"]) {
                    End::Done(_) => {
                        m.edges.push((a, b));
                        true
                    }
                    _ => false,
                }
            }
            "flush" => match h.op(&["flush", "--json"]) {
                End::Done(_) => {
                    m.flushes += 1;
                    // Right after a flush, the file holds every issue known to exist.
                    if m.flushes % 8 == 1 {
                        let ids = check_jsonl(&dir.join(".beads/issues.jsonl"));
                        for id in &m.plain {
                            assert!(ids.contains(id), "flushed issues.jsonl lacks {id}");
                        }
                        for (root, _) in &m.mols {
                            assert!(ids.contains(root), "flushed issues.jsonl lacks {root}");
                        }
                    }
                    true
                }
                End::Killed => {
                    // A flush killed at any moment leaves the old file or the new one,
                    // whole (checked before any other command can rewrite it).
                    check_jsonl(&dir.join(".beads/issues.jsonl"));
                    false
                }
                End::Refused(e) => panic!("seed {seed}: gt flush refused: {e}"),
            },
            _ => {
                let n = m.imports.len();
                let (path, ids) = import_file(&imports_dir, n);
                let done = matches!(
                    h.op(&["import", path.to_str().unwrap(), "--json"]),
                    End::Done(_)
                );
                if done {
                    m.plain.extend(ids.iter().cloned());
                }
                m.imports.push((ids, done));
                done
            }
        };
        let tally = counts.get_mut(kind).unwrap();
        tally.2 += op_started.elapsed();
        if done {
            tally.1 += 1;
        }
    }
    let ran_for = started.elapsed();
    assert!(
        h.kills >= KILLS,
        "seed {seed}: only {} kills landed in {ops} operations",
        h.kills
    );

    // The ledger opens and every command that reads it works.
    let export = h.gt(&["export"]).output().unwrap();
    assert!(
        export.status.success(),
        "seed {seed}: gt export failed: {}",
        String::from_utf8_lossy(&export.stderr)
    );
    let text = String::from_utf8(export.stdout).unwrap();
    let mut exported: HashMap<String, Value> = HashMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("seed {seed}: export line is not JSON ({e}): {line}"));
        exported.insert(v["id"].as_str().unwrap().to_owned(), v);
    }
    // The git-facing file as the last operation left it is whole.
    check_jsonl(&dir.join(".beads/issues.jsonl"));
    for args in [&["list", "--json"][..], &["ready", "--json"], &["flush"]] {
        let out = h.gt(args).output().unwrap();
        assert!(out.status.success(), "seed {seed}: gt {args:?}: {out:?}");
    }

    let status = |id: &str| exported[id]["status"].as_str().unwrap().to_owned();
    // Done operations have their effect.
    for id in &m.plain {
        assert!(
            exported.contains_key(id),
            "seed {seed}: {id} was created but is gone"
        );
    }
    for id in &m.closed {
        assert_eq!(status(id), "closed", "seed {seed}: {id} was closed");
    }
    for (id, agent) in &m.claimed {
        let s = status(id);
        let holder = exported[id]["assignee"].as_str().unwrap_or_default();
        assert!(
            s == "closed" || (s == "in_progress" && holder == agent),
            "seed {seed}: {id} was claimed by {agent}; now {s} held by {holder:?}"
        );
    }
    for (id, a, b) in &m.labels {
        let labels = exported[id]["labels"].as_array().unwrap();
        assert!(
            labels.iter().any(|l| l == a) && labels.iter().any(|l| l == b),
            "seed {seed}: {id} lacks label {a} or {b}: {labels:?}"
        );
    }
    for (a, b) in &m.edges {
        let deps = exported[a]["dependencies"].as_array().unwrap();
        assert!(
            deps.iter().any(|d| d["depends_on_id"] == b.as_str()),
            "seed {seed}: edge {a} -> {b} is missing"
        );
    }
    // Nothing is half-applied: whole molecules, whole imports.
    let mut roots = 0;
    for (id, v) in &exported {
        if v["issue_type"] == "molecule" {
            roots += 1;
            let steps = exported
                .keys()
                .filter(|k| {
                    k.strip_prefix(id.as_str())
                        .is_some_and(|r| r.starts_with('.'))
                })
                .count();
            assert_eq!(steps, STEPS, "seed {seed}: molecule {id} has {steps} steps");
            if (0..STEPS).all(|i| status(&format!("{id}.s{i:02}")) == "closed") {
                assert_eq!(
                    status(id),
                    "closed",
                    "seed {seed}: {id} is complete but open"
                );
            }
        }
    }
    assert!(roots >= m.mols.len());
    for (ids, done) in &m.imports {
        let present = ids.iter().filter(|i| exported.contains_key(*i)).count();
        assert!(
            present == 0 || present == ids.len(),
            "seed {seed}: import of {ids:?} is partial ({present} present)"
        );
        assert!(!done || present == ids.len());
    }
    // Each row's index columns and edge rows agree with its record; blocked flags agree
    // with the readiness definition.
    let mut ledger = Ledger::open_dir(dir.join(".beads"), "check").unwrap();
    let rows = ledger
        .read(|tx| {
            let conn = tx.conn();
            let mut stmt = conn.prepare(
                "SELECT id, status, priority, issue_type, assignee, blocked, record FROM issues",
            )?;
            let rows: Vec<Row> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut edges: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
            let mut stmt = conn.prepare("SELECT issue_id, depends_on_id, type FROM deps")?;
            for r in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
                let (a, b, k): (String, String, String) = r?;
                edges.entry(a).or_default().insert((b, k));
            }
            let mut bad_flags = Vec::new();
            for (id, status, prio, ty, assignee, blocked, record) in &rows {
                let issue = gt::ledger::Issue::from_json(record).unwrap();
                assert_eq!(
                    (&issue.status, issue.priority, &issue.issue_type),
                    (status, *prio, ty),
                    "seed {seed}: row {id} disagrees with its record"
                );
                assert_eq!(issue.assignee.clone().filter(|a| !a.is_empty()), *assignee);
                let want: BTreeSet<(String, String)> = issue
                    .dependencies
                    .iter()
                    .map(|d| (d.depends_on_id.clone(), d.kind.clone()))
                    .collect();
                assert_eq!(
                    edges.remove(id).unwrap_or_default(),
                    want,
                    "seed {seed}: edge rows of {id} disagree with its record"
                );
                if blockers(tx, &issue)?.is_empty() == *blocked {
                    bad_flags.push(id.clone());
                }
            }
            assert!(edges.is_empty(), "seed {seed}: edge rows of missing issues");
            let stale = stale_edge_marks(tx)?;
            assert!(stale.is_empty(), "seed {seed}: stale edge marks: {stale:?}");
            assert!(
                bad_flags.is_empty(),
                "seed {seed}: stale blocked flags: {bad_flags:?}"
            );
            Ok(rows.len())
        })
        .unwrap();
    assert_eq!(rows, exported.len());
    // The git-facing file is whole and names only issues in the ledger.
    let jsonl = check_jsonl(&dir.join(".beads/issues.jsonl"));
    for id in &jsonl {
        assert!(
            exported.contains_key(id),
            "seed {seed}: issues.jsonl names unknown {id}"
        );
    }

    let mut kinds: Vec<_> = counts.into_iter().collect();
    kinds.sort();
    eprintln!(
        "crash: seed {seed}: {ops} operations in {:.1} s, {} SIGKILLs landed ({} after the commit), {} issues ({roots} molecules) at the end",
        ran_for.as_secs_f64(),
        h.kills,
        h.kills_after_commit,
        exported.len()
    );
    for (k, (tried, ok, took)) in kinds {
        eprintln!(
            "  {k:<7} {tried:>5} run, {ok:>5} known done, {:>5.1} s",
            took.as_secs_f64()
        );
    }
}

//! Whole-process timings of the release `gt` binary on ledgers of 1k, 10k and 100k
//! issues.
//!
//! ```sh
//! cargo bench -p gt --bench ledger
//! ```
//!
//! Each ledger is generated through the library (`Ledger::init` + `put_many`): molecules
//! of 50-100 steps in chains of 10 (60% of them finished, 25% under way, 15% untouched)
//! and labelled standalone issues, about three quarters closed. Then `gt` is spawned as
//! an agent would run it (see `CARGO_BIN_EXE_gt`), each command sampled
//! `GT_BENCH_SAMPLES` times (default 21): `gt ready` (top 10 and all), `gt claim`,
//! `gt close`, `gt list --status open`, `gt flush` (after a one-issue change, so it
//! rewrites the file) and `gt pour` of a 1,000-step formula (last, as it grows the
//! ledger). Reported: median and p90 per command, the on-disk size of `.beads/`, and
//! the targets: ready < 20 ms, claim/close < 10 ms at 100k issues, pour of 1,000 steps
//! < 100 ms.
//!
//! Without `--bench` (e.g. `cargo test --benches`) only the 1k ledger is measured, one
//! sample each, as a smoke test. `GT_BENCH_SIZES=1000,10000` picks the sizes;
//! `GT_BENCH_KEEP=1` keeps the ledgers (for profiling).
#![allow(clippy::unwrap_used)]

use gt::ledger::{Dependency, Issue, Ledger};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GT: &str = env!("CARGO_BIN_EXE_gt");
const POUR_STEPS: usize = 1000;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn stamp(second: i64) -> String {
    gt::ledger::time::format_ts(jiff::Timestamp::from_second(1_767_225_600 + second).unwrap())
}

const LABELS: &[&str] = &["backend", "frontend", "infra", "docs", "urgent", "flaky"];

/// An issue in one of the states the generator uses.
fn issue(id: String, title: String, ty: &str, status: &str, at: i64, rng: &mut Rng) -> Issue {
    let created = stamp(at);
    let mut i = Issue {
        id,
        title,
        status: status.to_owned(),
        priority: rng.below(5) as i64,
        issue_type: ty.to_owned(),
        created_at: created.clone(),
        created_by: Some(String::from("gen")),
        updated_at: created.clone(),
        ..Issue::default()
    };
    if rng.below(3) == 0 {
        i.labels = vec![LABELS[rng.below(LABELS.len() as u64) as usize].to_owned()];
    }
    match status {
        "closed" => {
            i.closed_at = Some(stamp(at + 3600));
            i.updated_at = stamp(at + 3600);
            i.assignee = Some(format!("agent{}", rng.below(20)));
        }
        "in_progress" => {
            i.started_at = Some(stamp(at + 60));
            i.updated_at = stamp(at + 60);
            i.assignee = Some(format!("agent{}", rng.below(20)));
        }
        _ => {}
    }
    i
}

fn edge(from: &str, to: &str, kind: &str, at: i64) -> Dependency {
    let mut d = Dependency::new(from, to, kind);
    d.created_at = Some(stamp(at));
    d.created_by = Some(String::from("gen"));
    d
}

/// About `n` issues: molecules and standalone issues.
fn generate(n: usize) -> Vec<Issue> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ n as u64);
    let mut out: Vec<Issue> = Vec::with_capacity(n + 100);
    let mut at = 0i64;
    while out.len() < n {
        at += 60;
        let k = out.len();
        if rng.below(5) == 0 {
            let status = match rng.below(10) {
                0..=6 => "closed",
                7 => "in_progress",
                _ => "open",
            };
            out.push(issue(
                format!("b-{k:06x}"),
                format!("Standalone issue {k}"),
                ["task", "bug", "feature"][rng.below(3) as usize],
                status,
                at,
                &mut rng,
            ));
            continue;
        }
        let root = format!("b-mol-{k:06x}");
        let steps = 50 + rng.below(51) as usize;
        // 0: finished, 1: under way, 2: untouched.
        let state = match rng.below(20) {
            0..=11 => 0,
            12..=16 => 1,
            _ => 2,
        };
        let root_status = if state == 0 { "closed" } else { "open" };
        let mut r = issue(
            root.clone(),
            format!("Molecule {k}"),
            "molecule",
            root_status,
            at,
            &mut rng,
        );
        r.priority = 2;
        r.metadata = Some(gt::ledger::raw::RawJson::parse(r#"{"formula":"mol-gen","vars":{}}"#).unwrap());
        out.push(r);
        let chains = steps.div_ceil(10);
        for c in 0..chains {
            // Steps done in this chain (state 1: a random prefix, one maybe in progress).
            let done = match state {
                0 => 10,
                1 => rng.below(11) as usize,
                _ => 0,
            };
            for s in 0..10.min(steps - c * 10) {
                let status = if s < done {
                    "closed"
                } else if s == done && state == 1 && rng.below(2) == 0 {
                    "in_progress"
                } else {
                    "open"
                };
                let id = format!("{root}.c{c}s{s}");
                let mut step = issue(
                    id.clone(),
                    format!("Step {s} of chain {c}"),
                    "task",
                    status,
                    at,
                    &mut rng,
                );
                step.priority = 2;
                step.source_formula = Some(String::from("mol-gen"));
                step.dependencies.push(edge(&id, &root, "parent-child", at));
                if s > 0 {
                    let prev = format!("{root}.c{c}s{}", s - 1);
                    step.dependencies.push(edge(&id, &prev, "blocks", at));
                }
                out.push(step);
            }
        }
    }
    out
}

fn pour_formula() -> String {
    let mut s = String::from("formula = \"big\"\nversion = 1\ntype = \"workflow\"\n");
    for i in 0..POUR_STEPS {
        s.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n"
        ));
        if i % 10 != 0 {
            s.push_str(&format!("needs = [\"s{}\"]\n", i - 1));
        }
    }
    s
}

fn gt(dir: &Path, args: &[&str]) -> (Duration, String) {
    let start = Instant::now();
    let out = Command::new(GT)
        .args(args)
        .current_dir(dir)
        .env("GT_ACTOR", "bench")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "gt {args:?} failed in {}",
        dir.display()
    );
    (took, String::from_utf8(out.stdout).unwrap())
}

fn ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and p90 (nearest rank).
fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (ms(rank(0.5)), ms(rank(0.9)))
}

fn size_of(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

struct Row {
    size: usize,
    what: &'static str,
    median: f64,
    p90: f64,
    target: Option<f64>,
}

fn bench_size(n: usize, samples: usize, rows: &mut Vec<Row>) {
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("GT_BENCH_KEEP").is_some();
    let dir: &Path = if keep {
        let path = tmp.keep();
        println!("(keeping {})", path.display());
        Box::leak(path.into_boxed_path())
    } else {
        tmp.path()
    };
    let gen_start = Instant::now();
    let issues = generate(n);
    let mut ledger = Ledger::init(dir, "b", "gen").unwrap();
    ledger.write(|tx| tx.put_many(&issues)).unwrap();
    drop(ledger);
    let closed = issues.iter().filter(|i| i.status == "closed").count();
    let mols = issues.iter().filter(|i| i.issue_type == "molecule").count();
    let formulas = dir.join(".beads/formulas");
    std::fs::create_dir_all(&formulas).unwrap();
    std::fs::write(formulas.join("big.formula.toml"), pour_formula()).unwrap();
    let (first_flush, _) = gt(dir, &["flush"]);
    println!(
        "\n{} issues ({mols} molecules, {:.0}% closed) generated in {:.1} s; first gt flush {:.0} ms",
        issues.len(),
        100.0 * closed as f64 / issues.len() as f64,
        gen_start.elapsed().as_secs_f64(),
        ms(first_flush)
    );
    let beads = dir.join(".beads");
    let db = size_of(&beads.join("beads.db")) + size_of(&beads.join("beads.db-wal"));
    let jsonl = size_of(&beads.join("issues.jsonl"));
    println!(
        "  .beads/: beads.db (+wal) {}, issues.jsonl {}",
        mb(db),
        mb(jsonl)
    );
    let (_, all_ready) = gt(dir, &["ready", "--json"]);
    let ready = ids(&all_ready);
    println!("  {} issues ready", ready.len());

    let mut record = |what: &'static str, times: Vec<Duration>, target: Option<f64>| {
        let (median, p90) = stats(times);
        rows.push(Row {
            size: n,
            what,
            median,
            p90,
            target,
        });
    };
    let many = |args: &[&str]| -> Vec<Duration> { (0..samples).map(|_| gt(dir, args).0).collect() };
    record("gt --version (process floor)", many(&["--version"]), None);
    record(
        "gt ready --json --limit 10",
        many(&["ready", "--json", "--limit", "10"]),
        Some(20.0),
    );
    record(
        "gt ready --json (all)",
        many(&["ready", "--json"]),
        Some(20.0),
    );
    record(
        "gt list --status open --json",
        many(&["list", "--status", "open", "--json"]),
        None,
    );
    // Claim the most urgent ready issue, then close it (which may make the next step of
    // its chain ready), as a worker would.
    let (mut claims, mut closes) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let id = ids(&gt(dir, &["ready", "--json", "--limit", "1"]).1).remove(0);
        claims.push(gt(dir, &["claim", &id, "--as", "bench", "--json"]).0);
        closes.push(gt(dir, &["close", &id, "--json"]).0);
    }
    record("gt claim ID", claims, Some(10.0));
    record("gt close ID", closes, Some(10.0));
    let flushes = (0..samples)
        .map(|i| {
            let id = &ready[i % ready.len()];
            gt(dir, &["update", id, "--add-label", &format!("touched{i}")]);
            gt(dir, &["flush"]).0
        })
        .collect();
    record("gt flush (after a change)", flushes, None);
    let pours = many(&["pour", "big", "--json"]);
    record("gt pour (1,000 steps)", pours, Some(100.0));
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let samples: usize = std::env::var("GT_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench_mode { 21 } else { 1 });
    let sizes: Vec<usize> = match std::env::var("GT_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) if bench_mode => vec![1_000, 10_000, 100_000],
        Err(_) => vec![1_000],
    };
    if !bench_mode {
        println!("smoke run (no --bench): not a measurement");
    }
    let mut rows = Vec::new();
    for n in &sizes {
        bench_size(*n, samples, &mut rows);
    }
    println!("\n{samples} samples each; whole `gt` processes (release)\n");
    println!(
        "{:>7}  {:<30} {:>10} {:>10} {:>8}",
        "issues", "command", "median ms", "p90 ms", "target"
    );
    for r in &rows {
        let target = match r.target {
            Some(t) if r.median <= t => format!("<{t:.0} ok"),
            Some(t) => format!("<{t:.0} MISS"),
            None => String::new(),
        };
        println!(
            "{:>7}  {:<30} {:>10.1} {:>10.1} {:>8}",
            r.size, r.what, r.median, r.p90, target
        );
    }
}

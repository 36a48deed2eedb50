//! Whole-process timings and peak memory of the release `gt` binary on large ledgers.
//!
//! ```sh
//! cargo bench -p gt --bench ledger                       # 100k and 1M issues, and a 10k random DAG
//! GT_BENCH_SIZES=100000 cargo bench -p gt --bench ledger # one size
//! ```
//!
//! Two shapes of ledger, written as beads JSONL and read with `gt import` (which is
//! measured too):
//! - **chains**: molecules of 50-100 steps in chains of 10 (about half of them finished,
//!   a third under way, the rest untouched) and labelled standalone issues (about one
//!   record in five, almost half of them open), so that about one issue in ten is ready;
//! - **dag**: standalone issues each blocked by about two random earlier ones (a random
//!   DAG), most of them closed.
//!
//! Then `gt` is spawned as an agent would run it, each command sampled `GT_BENCH_SAMPLES`
//! times (default 21): `gt ready` (top 10 and all), `gt claim`, `gt close`, `gt update`,
//! `gt list --status open`, `gt flush` (after a one-issue change, so it rewrites the
//! file) and `gt pour` of a 1,000-step formula (last, as it grows the ledger). Each
//! command's peak RSS is read once through `/usr/bin/time -f %M` (GNU time; the bench
//! says so and skips the column when it is missing). Reported: median and p90 per
//! command, peak RSS, the on-disk size of `.beads/`, and the targets: `ready --limit 10`
//! < 5 ms, `ready --json` < 20 ms up to 100k issues, claim / update / close < 10 ms,
//! pour of 1,000 steps < 100 ms, import of the whole ledger < 60 s; peak RSS < 100 MB for
//! every command and < 200 MB for the import.
//!
//! Without `--bench` (e.g. `cargo test --benches`) only a 2k ledger is measured, one
//! sample each, as a smoke test. `GT_BENCH_KEEP=1` keeps the ledgers (for profiling).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gt::ledger::record::export_line;
use gt::ledger::{Dependency, Issue};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GT: &str = env!("CARGO_BIN_EXE_gt");
const POUR_STEPS: usize = 1000;
const TIME: &str = "/usr/bin/time";

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

/// Write about `n` issues of the chains shape as JSONL to `out`; the counts.
fn chains(n: usize, out: &mut impl Write) -> usize {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ n as u64);
    let mut written = 0;
    let mut at = 0i64;
    let put = |i: &Issue, out: &mut dyn Write| {
        writeln!(out, "{}", export_line(i, 0).unwrap()).unwrap();
    };
    while written < n {
        at += 60;
        let k = written;
        // A standalone issue 19 times in 20: a molecule brings 50-100 records, so
        // standalone issues are about a fifth of the ledger.
        if rng.below(20) != 0 {
            let status = match rng.below(20) {
                0..=8 => "closed",
                9 | 10 => "in_progress",
                _ => "open",
            };
            let i = issue(
                format!("b-{k:07x}"),
                format!("Standalone issue {k}"),
                ["task", "bug", "feature"][rng.below(3) as usize],
                status,
                at,
                &mut rng,
            );
            put(&i, out);
            written += 1;
            continue;
        }
        let root = format!("b-mol-{k:07x}");
        let steps = 50 + rng.below(51) as usize;
        // 0: finished, 1: under way, 2: untouched.
        let state = match rng.below(20) {
            0..=9 => 0,
            10..=16 => 1,
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
        r.metadata =
            Some(gt::ledger::raw::RawJson::parse(r#"{"formula":"mol-gen","vars":{}}"#).unwrap());
        put(&r, out);
        written += 1;
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
                put(&step, out);
                written += 1;
            }
        }
    }
    written
}

/// Write `n` standalone issues, each blocked by about two random earlier ones.
fn dag(n: usize, out: &mut impl Write) -> usize {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
    for k in 0..n {
        let status = match rng.below(10) {
            0..=6 => "closed",
            7 => "in_progress",
            _ => "open",
        };
        let id = format!("d-{k:07x}");
        let mut i = issue(
            id.clone(),
            format!("Node {k}"),
            "task",
            status,
            k as i64,
            &mut rng,
        );
        if k > 0 {
            let deps = rng.below(5);
            let mut seen = Vec::new();
            for _ in 0..deps {
                let t = rng.below(k as u64) as usize;
                if !seen.contains(&t) {
                    seen.push(t);
                    i.dependencies
                        .push(edge(&id, &format!("d-{t:07x}"), "blocks", k as i64));
                }
            }
        }
        writeln!(out, "{}", export_line(&i, 0).unwrap()).unwrap();
    }
    n
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

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(GT);
    c.args(args)
        .current_dir(dir)
        .env("GT_ACTOR", "bench")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    c
}

fn gt(dir: &Path, args: &[&str]) -> (Duration, String) {
    let start = Instant::now();
    let out = command(dir, args).output().unwrap();
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "gt {args:?} failed in {}",
        dir.display()
    );
    (took, String::from_utf8(out.stdout).unwrap())
}

/// Peak RSS of one run, in MB, through GNU time (None when it is not installed).
fn peak_mb(dir: &Path, args: &[&str]) -> Option<f64> {
    if !Path::new(TIME).exists() {
        return None;
    }
    let out = Command::new(TIME)
        .args(["-f", "%M", GT])
        .args(args)
        .current_dir(dir)
        .env("GT_ACTOR", "bench")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "gt {args:?} failed under time");
    let err = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = err.lines().last()?.trim().parse().ok()?;
    Some(kb / 1024.0)
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
    format!("{:.0} MB", bytes as f64 / 1e6)
}

struct Row {
    ledger: String,
    what: &'static str,
    median: f64,
    p90: f64,
    rss: Option<f64>,
    target: Option<f64>,
}

#[derive(Clone, Copy)]
enum Shape {
    Chains,
    Dag,
}

fn bench_ledger(shape: Shape, n: usize, samples: usize, rows: &mut Vec<Row>) {
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("GT_BENCH_KEEP").is_some();
    let dir: &Path = if keep {
        let path = tmp.keep();
        println!("(keeping {})", path.display());
        Box::leak(path.into_boxed_path())
    } else {
        tmp.path()
    };
    let name = match shape {
        Shape::Chains => format!("{}k chains", n / 1000),
        Shape::Dag => format!("{}k dag", n / 1000),
    };
    gt(dir, &["init", "--prefix", "b"]);
    let file = dir.join("gen.jsonl");
    let gen_start = Instant::now();
    let count = {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let c = match shape {
            Shape::Chains => chains(n, &mut out),
            Shape::Dag => dag(n, &mut out),
        };
        out.flush().unwrap();
        c
    };
    println!(
        "\n{name}: {count} issues generated in {:.1} s ({})",
        gen_start.elapsed().as_secs_f64(),
        mb(size_of(&file))
    );
    let f = file.to_str().unwrap();
    let mut record =
        |what: &'static str, times: Vec<Duration>, rss: Option<f64>, target: Option<f64>| {
            let (median, p90) = stats(times);
            rows.push(Row {
                ledger: name.clone(),
                what,
                median,
                p90,
                rss,
                target,
            });
        };
    // Import once under time (peak RSS and duration), into a fresh ledger.
    let import_rss = peak_mb(dir, &["import", f]);
    let import_took = match import_rss {
        Some(_) => {
            // Measure the duration on a second, fresh ledger (same work, no time wrapper).
            let again = dir.join("again");
            std::fs::create_dir_all(&again).unwrap();
            gt(&again, &["init", "--prefix", "b"]);
            let t = gt(&again, &["import", f]).0;
            std::fs::remove_dir_all(&again).unwrap();
            t
        }
        None => gt(dir, &["import", f]).0,
    };
    record(
        "gt import (the whole file)",
        vec![import_took],
        import_rss,
        Some(60_000.0),
    );
    std::fs::remove_file(&file).unwrap();

    let formulas = dir.join(".beads/formulas");
    std::fs::create_dir_all(&formulas).unwrap();
    std::fs::write(formulas.join("big.formula.toml"), pour_formula()).unwrap();
    let (first_flush, _) = gt(dir, &["flush"]);
    let beads = dir.join(".beads");
    let db = size_of(&beads.join("beads.db")) + size_of(&beads.join("beads.db-wal"));
    let jsonl = size_of(&beads.join("issues.jsonl"));
    let (_, all_ready) = gt(dir, &["ready", "--json"]);
    let ready = ids(&all_ready);
    println!(
        "  first flush {:.0} ms; .beads/: beads.db (+wal) {}, issues.jsonl {}; {} issues ready",
        ms(first_flush),
        mb(db),
        mb(jsonl),
        ready.len()
    );

    let many = |args: &[&str]| -> Vec<Duration> { (0..samples).map(|_| gt(dir, args).0).collect() };
    let rss = |args: &[&str]| peak_mb(dir, args);
    record(
        "gt --version (process floor)",
        many(&["--version"]),
        rss(&["--version"]),
        None,
    );
    let args = ["ready", "--json", "--limit", "10"];
    record(
        "gt ready --json --limit 10",
        many(&args),
        rss(&args),
        Some(5.0),
    );
    let args = ["ready", "--json"];
    // The target is for 100k issues (about 10,000 ready); at 1M the list is ten times
    // longer.
    let all_target = (n <= 100_000).then_some(20.0);
    record("gt ready --json (all)", many(&args), rss(&args), all_target);
    let args = ["list", "--status", "open", "--json"];
    record(
        "gt list --status open --json",
        many(&args),
        rss(&args),
        None,
    );
    // Claim the most urgent ready issue, update it, then close it (which may make the
    // next step of its chain ready), as a worker would.
    let (mut claims, mut updates, mut closes) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = String::new();
    for i in 0..samples {
        let id = ids(&gt(dir, &["ready", "--json", "--limit", "1"]).1).remove(0);
        claims.push(gt(dir, &["claim", &id, "--as", "bench", "--json"]).0);
        let note = format!("note {i}");
        updates.push(gt(dir, &["update", &id, "--notes", &note, "--json"]).0);
        closes.push(gt(dir, &["close", &id, "--json"]).0);
        last = id;
    }
    let id = ids(&gt(dir, &["ready", "--json", "--limit", "1"]).1).remove(0);
    let claim_rss = rss(&["claim", &id, "--as", "bench"]);
    let update_rss = rss(&["update", &id, "--notes", "n"]);
    let close_rss = rss(&["close", &id]);
    record("gt claim ID", claims, claim_rss, Some(10.0));
    record("gt update ID --notes", updates, update_rss, Some(10.0));
    record("gt close ID", closes, close_rss, Some(10.0));
    let flushes = (0..samples)
        .map(|i| {
            let id = &ready[(i + 1) % ready.len()];
            gt(dir, &["update", id, "--add-label", &format!("touched{i}")]);
            gt(dir, &["flush"]).0
        })
        .collect();
    gt(dir, &["update", &last, "--add-label", "touched"]);
    record("gt flush (after a change)", flushes, rss(&["flush"]), None);
    let pours = many(&["pour", "big", "--json"]);
    record(
        "gt pour (1,000 steps)",
        pours,
        rss(&["pour", "big"]),
        Some(100.0),
    );
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let samples: usize = std::env::var("GT_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench_mode { 21 } else { 1 });
    let sizes: Vec<usize> = match std::env::var("GT_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) if bench_mode => vec![100_000, 1_000_000],
        Err(_) => vec![2_000],
    };
    if !bench_mode {
        println!("smoke run (no --bench): not a measurement");
    }
    if !Path::new(TIME).exists() {
        println!("{TIME} (GNU time) is missing: no peak RSS column (apt-get install time)");
    }
    let mut rows = Vec::new();
    bench_ledger(
        Shape::Dag,
        if bench_mode { 10_000 } else { 2_000 },
        samples,
        &mut rows,
    );
    for n in &sizes {
        bench_ledger(Shape::Chains, *n, samples, &mut rows);
    }
    println!("\n{samples} samples each; whole `gt` processes (release)\n");
    println!(
        "{:<12}  {:<30} {:>10} {:>10} {:>9} {:>10}",
        "ledger", "command", "median ms", "p90 ms", "peak MB", "target"
    );
    for r in &rows {
        let target = match r.target {
            Some(t) if r.median <= t => format!("<{t:.0} ok"),
            Some(t) => format!("<{t:.0} MISS"),
            None => String::new(),
        };
        let rss = r.rss.map(|m| format!("{m:.0}")).unwrap_or_default();
        println!(
            "{:<12}  {:<30} {:>10.1} {:>10.1} {:>9} {:>10}",
            r.ledger, r.what, r.median, r.p90, rss, target
        );
    }
}

//! Cooking time: `towers-of-hanoi-10` from the corpus (1,025 steps), loops of 1k, 10k
//! and 100k iterations, and 1,000 advice targets. Cooking must be linear in the number
//! of steps produced: each loop size is 10x the last, so each time should be ~10x.
//!
//! ```sh
//! cargo bench -p gtc --bench cook_scaling
//! ```
//!
//! Each measurement cooks in a database where the formula was already checked, so it
//! times composition alone (extends, loops, advice, expansions, aspects); "fresh" rows
//! time a whole cook in a new database (parse, check and composition). Freeing the
//! result is outside the timed region, as in `gtc cook`, which exits without freeing.
//! The last column times the release `gtc cook --format json FILE` as a whole process.
//! Without `--bench` (e.g. `cargo test --benches`) the smallest cases run once.

use gtc::cook::{CookOptions, cook};
use gtc::db::{Database, SourceFile, Workspace};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let samples = if bench { 11 } else { 1 };
    let mut cases: Vec<(String, String, usize)> = Vec::new();
    let hanoi = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/gastown/towers-of-hanoi-10.formula.toml");
    if let Ok(text) = std::fs::read_to_string(&hanoi) {
        cases.push((String::from("towers-of-hanoi-10"), text, 0));
    } else {
        println!("(towers-of-hanoi-10 skipped: ../shared/corpus is absent)");
    }
    let sizes: &[usize] = if bench {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000]
    };
    for &n in sizes {
        cases.push((format!("loop x{n}"), loop_formula(n), n));
    }
    cases.push((String::from("advice x1000"), advice_formula(1_000), 0));

    println!(
        "{:<22} {:>9} {:>12} {:>12} {:>12} {:>14} {:>14}",
        "case", "steps", "median", "min", "fresh", "per step", "process"
    );
    let mut loop_medians: Vec<(usize, Duration, Duration)> = Vec::new();
    for (name, text, n) in &cases {
        let (steps, median, min, fresh) = measure(text, samples);
        let process = whole_process(text, samples);
        let per = median.as_nanos() as f64 / steps.max(1) as f64;
        println!(
            "{name:<22} {steps:>9} {:>12} {:>12} {:>12} {:>11.0} ns {:>14}",
            fmt(median),
            fmt(min),
            fmt(fresh),
            per,
            fmt(process)
        );
        if *n > 0 {
            loop_medians.push((*n, median, process));
        }
    }
    for w in loop_medians.windows(2) {
        let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
        println!(
            "growth {} -> {} iterations (linear: {:.0}x): in process {:.1}x, whole process {:.1}x",
            w[0].0,
            w[1].0,
            w[1].0 as f64 / w[0].0 as f64,
            ratio(w[0].1, w[1].1),
            ratio(w[0].2, w[1].2),
        );
    }
}

/// Median of `samples` runs of the release `gtc cook --format json FILE` as a whole
/// process (fresh memory, JSON written), as users run it.
fn whole_process(text: &str, samples: usize) -> Duration {
    let file = std::env::temp_dir().join(format!(
        "gtc-cook-bench-{}.formula.toml",
        std::process::id()
    ));
    if std::fs::write(&file, text).is_err() {
        return Duration::ZERO;
    }
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            let _ = std::process::Command::new(env!("CARGO_BIN_EXE_gtc"))
                .args(["cook", "--format", "json"])
                .arg(&file)
                .stdout(std::process::Stdio::null())
                .status();
            start.elapsed()
        })
        .collect();
    let _ = std::fs::remove_file(&file);
    times.sort();
    times[times.len() / 2]
}

/// (steps produced, median, min, one fresh cook).
fn measure(text: &str, samples: usize) -> (usize, Duration, Duration, Duration) {
    let (db, ws, file) = workspace(text);
    let start = Instant::now();
    let first = cook(&db, ws, file, CookOptions::default());
    let fresh = start.elapsed();
    let Some(r) = first.resolved else {
        panic!("bench formula did not cook: {:?}", first.diagnostics);
    };
    let steps = gtc::cook::to_json(&r).matches("\"source\"").count();
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            let cooked = black_box(cook(&db, ws, file, CookOptions::default()));
            let took = start.elapsed();
            // Freeing the result is not cooking: `gtc cook` exits without freeing it.
            drop(cooked);
            took
        })
        .collect();
    times.sort();
    (steps, times[times.len() / 2], times[0], fresh)
}

fn workspace(text: &str) -> (Database, Workspace, SourceFile) {
    let db = Database::default();
    let ws = gtc::driver::memory_workspace(&db, &[("bench.formula.toml", text)]);
    let file = ws.files(&db)[0];
    (db, ws, file)
}

fn loop_formula(n: usize) -> String {
    format!(
        "formula = \"loops\"\n\n[[steps]]\nid = \"setup\"\ntitle = \"Setup\"\n\n[[steps]]\nid = \"work\"\ntitle = \"Work\"\n\n[steps.loop]\ncount = {n}\n\n[[steps.loop.body]]\nid = \"item\"\ntitle = \"Item\"\nneeds = [\"setup\"]\n"
    )
}

fn advice_formula(n: usize) -> String {
    let mut t = String::from("formula = \"advised\"\n");
    for i in 0..n {
        t.push_str(&format!(
            "\n[[steps]]\nid = \"task-{i}\"\ntitle = \"Task {i}\"\n"
        ));
        if i > 0 {
            t.push_str(&format!("needs = [\"task-{}\"]\n", i - 1));
        }
    }
    t.push_str("\n[[advice]]\ntarget = \"task-*\"\n\n[advice.before]\nid = \"{step.id}-prep\"\ntitle = \"Prepare {step.title}\"\n");
    t
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1e6 {
        format!("{:.2} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.0} µs")
    }
}

//! `gtc check ../shared/corpus/gastown` against the floor of reading and parsing the
//! same files with the `toml` crate alone, both measured in the same run.
//!
//! ```sh
//! cargo bench -p gtc --bench check_corpus
//! ```
//!
//! Whole process vs whole process: the release `gtc` binary (which `cargo bench` builds
//! for a package's benchmarks, see `CARGO_BIN_EXE_gtc`) is spawned as a user would run
//! it, and the floor is this very executable re-invoked with `GTC_BENCH_FLOOR=<dir>`,
//! which makes it walk `<dir>`, parse every `*.formula.toml` with
//! `toml::from_str::<toml::Table>` (one file after another, as a plain TOML linter
//! would) and exit. The two are sampled alternately, so drift on the machine hits both
//! alike, and each round yields a paired ratio. The target is gtc / floor <= 1.2.
//!
//! In-process variants (the same two jobs without process start-up) and a stage
//! breakdown over the texts already in memory show where gtc's time goes.
//!
//! Without `--bench` (e.g. `cargo test --benches`) every measurement runs once, as a
//! smoke test. `GTC_BENCH_SAMPLES=N` overrides the number of samples.
//! Skips cleanly when `../shared/corpus` is absent.

use gtc::db::{Database, name_index};
use gtc::driver::{LoadOptions, check_sources, collect_paths, load, report};
use gtc::source::SearchEnv;
use gtc::syntax::{self, Format};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Set to a directory: do only the floor's work on it and exit.
const FLOOR_ENV: &str = "GTC_BENCH_FLOOR";
/// The corpus, as the issue names it (relative to the workspace root).
const CORPUS_ARG: &str = "../shared/corpus/gastown";
/// The release binary that `cargo bench` built alongside this benchmark.
const GTC_BIN: &str = env!("CARGO_BIN_EXE_gtc");
/// The issue's target for gtc / floor, whole process against whole process.
const TARGET: f64 = 1.2;

fn main() -> ExitCode {
    if let Some(dir) = std::env::var_os(FLOOR_ENV) {
        let stats = floor(Path::new(&dir));
        // Exit status 2 mirrors gtc's "I/O problem"; a TOML error is not a failure here.
        return if stats.files == 0 || stats.unreadable > 0 {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let samples = samples(bench_mode, 31);
    if !bench_mode {
        println!("smoke run (no --bench): one sample each, not a measurement");
    }

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let corpus = root.join(CORPUS_ARG);
    if !corpus.is_dir() {
        eprintln!("skipping check_corpus: {CORPUS_ARG} is absent");
        return ExitCode::SUCCESS;
    }
    let gtc_bin = PathBuf::from(GTC_BIN);
    if !gtc_bin.is_file() {
        eprintln!(
            "check_corpus: {} is missing; build it with `cargo build --release -p gtc`",
            gtc_bin.display()
        );
        return ExitCode::FAILURE;
    }

    // Sanity: both jobs see the same files and succeed.
    let stats = floor(&corpus);
    let exit = run_gtc(&gtc_bin, &root);
    println!(
        "corpus: {} ({} files, {} bytes; toml crate parse errors: {}; gtc exit status {})",
        CORPUS_ARG,
        stats.files,
        stats.bytes,
        stats.toml_errors,
        exit.map_or_else(|| String::from("?"), |c| c.to_string())
    );
    if !matches!(exit, Some(0 | 1)) {
        eprintln!("check_corpus: `gtc check` failed (exit status {exit:?})");
        return ExitCode::FAILURE;
    }
    let floor_ok = run_floor(&corpus);
    if floor_ok != Some(0) {
        eprintln!("check_corpus: the floor process failed (exit status {floor_ok:?})");
        return ExitCode::FAILURE;
    }
    println!(
        "samples: {samples} per measurement (paired, alternating order); {} CPUs",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();

    // (a) whole process vs (b) the floor process.
    let [gtc_proc, floor_proc] = paired(
        samples,
        || {
            black_box(run_gtc(&gtc_bin, &root));
        },
        || {
            black_box(run_floor(&corpus));
        },
    );
    let ratio = print_pair(
        "whole process",
        ("gtc check --format json -q", &gtc_proc),
        ("floor process (toml crate)", &floor_proc),
    );

    // In-process: the same two jobs without start-up.
    let opts = LoadOptions {
        search_path: Vec::new(),
        cwd: root.clone(),
        home: std::env::var_os("HOME").map(PathBuf::from),
    };
    let [gtc_in, floor_in] = paired(
        samples,
        || {
            black_box(gtc_in_process(&corpus, &opts));
        },
        || {
            black_box(floor(&corpus));
        },
    );
    print_pair(
        "in process (read + check + render json / read + parse)",
        ("gtc::driver", &gtc_in),
        ("floor (toml crate)", &floor_in),
    );

    // Stages over the texts already in memory, single-threaded unless noted.
    let texts = read_corpus(&corpus);
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let stages: Vec<(&str, Vec<Duration>)> = vec![
        (
            "toml::from_str::<toml::Table> (all files)",
            measure(samples, || {
                for (_, t) in &texts {
                    black_box(toml::from_str::<toml::Table>(t).ok());
                }
            }),
        ),
        (
            "gtc::syntax::parse (all files)",
            measure(samples, || {
                for (_, t) in &texts {
                    black_box(syntax::parse(t, Format::Toml));
                }
            }),
        ),
        (
            "gtc::syntax::parse + gtc::model::lower",
            measure(samples, || {
                for (_, t) in &texts {
                    let tree = syntax::parse(t, Format::Toml);
                    black_box(gtc::model::lower(&tree.root, Format::Toml));
                }
            }),
        ),
        (
            "gtc::driver::check_sources (parallel)",
            measure(samples, || {
                black_box(check_sources(&sources));
            }),
        ),
    ];
    let [index, rest] = split_check(samples, &sources);
    println!("stages (texts in memory)");
    let base = median(&stages[0].1);
    for (name, d) in stages.iter().chain(&[
        ("  of which db::name_index (parse+lower, serial)", index),
        ("  of which the rest of driver::report", rest),
    ]) {
        print_row(name, d);
        println!(
            "  {:<48} = {:.2}x toml::from_str",
            "",
            median(d).as_secs_f64() / base.as_secs_f64()
        );
    }
    println!();
    println!(
        "target: whole process gtc / floor <= {TARGET:.2}x: {} ({ratio:.2}x, median of paired ratios)",
        if ratio <= TARGET { "met" } else { "NOT met" }
    );
    ExitCode::SUCCESS
}

/// `check_sources` in its two phases: `report` first builds the name index, which
/// parses and lowers every checked file on the calling thread; then it fans the
/// per-file checks out to worker threads (parse and lower are memoized by then).
fn split_check(n: usize, sources: &[(&str, &str)]) -> [Vec<Duration>; 2] {
    let run = || {
        let db = Database::default();
        let ws = gtc::driver::memory_workspace(&db, sources);
        let start = Instant::now();
        black_box(name_index(&db, ws));
        let indexed = Instant::now();
        black_box(report(&db, ws));
        [indexed - start, indexed.elapsed()]
    };
    for _ in 0..n.min(3) {
        run();
    }
    let mut out = [Vec::with_capacity(n), Vec::with_capacity(n)];
    for _ in 0..n {
        let [a, b] = run();
        out[0].push(a);
        out[1].push(b);
    }
    out
}

/// What the floor did: enough to check it saw what gtc sees, and to keep it observable.
#[derive(Debug, Default)]
struct FloorStats {
    files: usize,
    bytes: usize,
    top_level_keys: usize,
    toml_errors: usize,
    unreadable: usize,
}

/// A plain TOML linter: walk `dir`, read every `*.formula.toml`, parse it into a table.
fn floor(dir: &Path) -> FloorStats {
    let mut stats = FloorStats::default();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let Ok(entry) = entry else {
            stats.unreadable += 1;
            continue;
        };
        let is_formula = entry.file_type().is_file()
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(".formula.toml"));
        if !is_formula {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            stats.unreadable += 1;
            continue;
        };
        stats.files += 1;
        stats.bytes += text.len();
        match toml::from_str::<toml::Table>(&text) {
            Ok(table) => stats.top_level_keys += table.len(),
            Err(_) => stats.toml_errors += 1,
        }
    }
    stats
}

/// What `gtc check DIR --format json` does, in process.
fn gtc_in_process(dir: &Path, opts: &LoadOptions) -> usize {
    let (files, _) = collect_paths(&[dir.to_path_buf()]);
    let db = Database::default();
    let ws = load(&db, &files, opts, &SearchEnv::default()).workspace;
    let report = report(&db, ws);
    gtc::diagnostic::render_json(&report).len()
}

fn read_corpus(dir: &Path) -> Vec<(String, String)> {
    let (files, _) = collect_paths(&[dir.to_path_buf()]);
    files
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

fn run_gtc(bin: &Path, root: &Path) -> Option<i32> {
    Command::new(bin)
        .args(["check", CORPUS_ARG, "--format", "json", "-q"])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?
        .code()
}

fn run_floor(dir: &Path) -> Option<i32> {
    let exe = std::env::current_exe().ok()?;
    Command::new(exe)
        .env(FLOOR_ENV, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?
        .code()
}

fn samples(bench_mode: bool, default: usize) -> usize {
    if !bench_mode {
        return 1;
    }
    std::env::var("GTC_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn time(f: &mut impl FnMut()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// `n` samples of `f` after a short warm-up.
fn measure(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    for _ in 0..n.min(3) {
        f();
    }
    (0..n).map(|_| time(&mut f)).collect()
}

/// `n` samples each of `a` and `b`, alternating which goes first in each round.
fn paired(n: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> [Vec<Duration>; 2] {
    for _ in 0..n.min(3) {
        a();
        b();
    }
    let mut da = Vec::with_capacity(n);
    let mut db = Vec::with_capacity(n);
    for round in 0..n {
        if round % 2 == 0 {
            da.push(time(&mut a));
            db.push(time(&mut b));
        } else {
            db.push(time(&mut b));
            da.push(time(&mut a));
        }
    }
    [da, db]
}

fn median(d: &[Duration]) -> Duration {
    let mut v = d.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_row(name: &str, d: &[Duration]) {
    let min = d.iter().min().copied().unwrap_or_default();
    let max = d.iter().max().copied().unwrap_or_default();
    println!(
        "  {name:<48} median {:>9.3} ms   min {:>9.3} ms   max {:>9.3} ms",
        ms(median(d)),
        ms(min),
        ms(max)
    );
}

fn print_pair(title: &str, a: (&str, &[Duration]), b: (&str, &[Duration])) -> f64 {
    println!("{title}");
    print_row(a.0, a.1);
    print_row(b.0, b.1);
    let of_medians = median(a.1).as_secs_f64() / median(b.1).as_secs_f64();
    let of_minimums = a.1.iter().min().copied().unwrap_or_default().as_secs_f64()
        / b.1.iter().min().copied().unwrap_or_default().as_secs_f64();
    let paired = median_f64(
        a.1.iter()
            .zip(b.1)
            .map(|(x, y)| x.as_secs_f64() / y.as_secs_f64())
            .collect(),
    );
    println!("  ratio {} / {}:", a.0, b.0);
    println!(
        "    median of paired ratios {paired:.2}x   ratio of medians {of_medians:.2}x   ratio of minimums {of_minimums:.2}x"
    );
    println!();
    paired
}

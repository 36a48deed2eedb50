//! Check time of generated formulas of 1k, 10k and 100k steps: it must grow linearly
//! (each size is 10x the last, so each time should be ~10x the last).
//!
//! ```sh
//! cargo bench -p gtc --bench check_scaling
//! ```
//!
//! Each step has an id, a title, a description using a `{{var}}`, and `needs` on the
//! previous one or two steps; the formula declares a few vars. The formula is checked
//! in memory with `gtc::driver::check_sources` (parse, lower, resolve, every check);
//! the `toml` crate parsing the same text and gtc's own parse / parse + lower stages are
//! measured alongside, so a superlinear stage would show which one it is.
//!
//! The first row times the release `gtc check -q FILE` as a whole process: a fresh
//! process touches fresh memory (page faults grow with the input, linearly), while the
//! in-process rows reuse a warm heap. Results are freed outside the timed regions.
//!
//! Without `--bench` (e.g. `cargo test --benches`) only the 1k size runs, once, as a
//! smoke test. `GTC_BENCH_SAMPLES=N` overrides the number of samples;
//! `GTC_BENCH_SIZES=1000,50000` measures other sizes and `GTC_BENCH_STAGES=check`
//! only some stages (`check`, `lower`, `parse`, `toml`), e.g. under a profiler.

use gtc::diagnostic::Severity;
use gtc::driver::check_sources;
use gtc::syntax::{self, Format};
use std::fmt::Write as _;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
/// The release binary that `cargo bench` built alongside this benchmark.
const GTC_BIN: &str = env!("CARGO_BIN_EXE_gtc");
const VARS: [&str; 4] = ["component", "branch", "owner", "mode"];

fn main() -> ExitCode {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let samples = if bench_mode {
        std::env::var("GTC_BENCH_SAMPLES")
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or(11)
    } else {
        1
    };
    let sizes: Vec<usize> = match std::env::var("GTC_BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().replace('_', "").parse().ok())
            .filter(|&n: &usize| n > 0)
            .collect(),
        Err(_) if bench_mode => SIZES.to_vec(),
        Err(_) => SIZES[..1].to_vec(),
    };
    let stages = Stage::chosen();
    if !bench_mode {
        println!("smoke run (no --bench): one sample each, not a measurement");
    }
    println!("samples: {samples} per measurement");
    println!();

    let mut rows: Vec<Row> = Vec::new();
    for &n in &sizes {
        let text = generate(n);
        let path = format!("scale-{n}.formula.toml");
        let sources = [(path.as_str(), text.as_str())];
        let file = std::env::temp_dir().join(format!("gtc-bench-{}-{path}", std::process::id()));
        if std::fs::write(&file, &text).is_err() {
            eprintln!("check_scaling: cannot write {}", file.display());
            return ExitCode::FAILURE;
        }

        // Sanity: the generated formula is valid and checks without errors.
        let report = check_sources(&sources);
        let errors = report.count(Severity::Error);
        let warnings = report.count(Severity::Warning);
        if errors > 0 {
            for d in report.diagnostics().take(5) {
                eprintln!(
                    "{}:{}: {} {}",
                    d.start.line, d.start.column, d.diagnostic.code, d.diagnostic.message
                );
            }
            eprintln!("check_scaling: the generated {n}-step formula has {errors} errors");
            return ExitCode::FAILURE;
        }
        if toml::from_str::<toml::Table>(&text).is_err() {
            eprintln!("check_scaling: the generated {n}-step formula is not valid TOML");
            return ExitCode::FAILURE;
        }

        let measured = |stage: Stage, f: &mut dyn FnMut() -> Box<dyn std::any::Any>| {
            if stages.contains(&stage) {
                measure(samples, f)
            } else {
                Vec::new()
            }
        };
        let row = Row {
            steps: n,
            bytes: text.len(),
            warnings,
            times: [
                measured(Stage::Process, &mut || {
                    let status = std::process::Command::new(GTC_BIN)
                        .args(["check", "-q"])
                        .arg(&file)
                        .stdout(std::process::Stdio::null())
                        .status();
                    Box::new(status.map(|s| s.success()).unwrap_or(false))
                }),
                measured(Stage::Check, &mut || {
                    Box::new(black_box(check_sources(&sources)))
                }),
                measured(Stage::Lower, &mut || {
                    let tree = syntax::parse(&text, Format::Toml);
                    let model = black_box(gtc::model::lower(&tree.root, Format::Toml));
                    Box::new((tree, model))
                }),
                measured(Stage::Parse, &mut || {
                    Box::new(black_box(syntax::parse(&text, Format::Toml)))
                }),
                measured(Stage::Toml, &mut || {
                    Box::new(black_box(toml::from_str::<toml::Table>(&text).ok()))
                }),
            ],
        };
        let _ = std::fs::remove_file(&file);
        row.print();
        rows.push(row);
    }

    if rows.len() > 1 {
        println!("growth of the median time, and of the minimum (linear = the ratio of the sizes)");
        for w in rows.windows(2) {
            let [a, b] = w else { continue };
            let mut line = format!(
                "  {:>5}k / {:>4}k steps ({:.1}x steps, {:.2}x bytes):",
                b.steps as f64 / 1000.0,
                a.steps as f64 / 1000.0,
                b.steps as f64 / a.steps as f64,
                b.bytes as f64 / a.bytes as f64
            );
            for stage in Stage::ALL {
                let (ta, tb) = (&a.times[stage as usize], &b.times[stage as usize]);
                if !ta.is_empty() && !tb.is_empty() {
                    let ratio = median(tb).as_secs_f64() / median(ta).as_secs_f64();
                    let of_min = min(tb).as_secs_f64() / min(ta).as_secs_f64();
                    let _ = write!(line, "   {} {ratio:.2}x (min {of_min:.2}x)", stage.short());
                }
            }
            println!("{line}");
        }
    }
    ExitCode::SUCCESS
}

/// What is measured per size; `GTC_BENCH_STAGES=check,lower,parse,toml` picks some.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    /// The release `gtc check -q FILE` as a whole process (fresh memory, as users run it).
    Process,
    /// `gtc::driver::check_sources`: everything `gtc check` does in memory.
    Check,
    /// `gtc::syntax::parse` then `gtc::model::lower`.
    Lower,
    /// `gtc::syntax::parse` alone.
    Parse,
    /// The floor: `toml::from_str::<toml::Table>`.
    Toml,
}

impl Stage {
    const ALL: [Stage; 5] = [
        Stage::Process,
        Stage::Check,
        Stage::Lower,
        Stage::Parse,
        Stage::Toml,
    ];

    fn short(self) -> &'static str {
        match self {
            Stage::Check => "check",
            Stage::Lower => "lower",
            Stage::Parse => "parse",
            Stage::Toml => "toml",
            Stage::Process => "process",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stage::Check => "gtc::driver::check_sources",
            Stage::Lower => "gtc::syntax::parse + model::lower",
            Stage::Parse => "gtc::syntax::parse",
            Stage::Toml => "toml::from_str::<toml::Table>",
            Stage::Process => "gtc check -q FILE (whole process)",
        }
    }

    fn chosen() -> Vec<Stage> {
        match std::env::var("GTC_BENCH_STAGES") {
            Ok(list) => Stage::ALL
                .into_iter()
                .filter(|s| list.split(',').any(|w| w.trim() == s.short()))
                .collect(),
            Err(_) => Stage::ALL.to_vec(),
        }
    }
}

struct Row {
    steps: usize,
    bytes: usize,
    warnings: usize,
    /// Samples per [`Stage`], in its order; empty when not measured.
    times: [Vec<Duration>; 5],
}

impl Row {
    fn print(&self) {
        println!(
            "{} steps ({} bytes, {} warnings)",
            self.steps, self.bytes, self.warnings
        );
        for stage in Stage::ALL {
            let d = &self.times[stage as usize];
            if d.is_empty() {
                continue;
            }
            let med = median(d);
            println!(
                "  {:<36} median {:>10.3} ms  ({:>7.3} us/step)   min {:>10.3} ms   max {:>10.3} ms",
                stage.name(),
                ms(med),
                med.as_secs_f64() * 1e6 / self.steps as f64,
                ms(min(d)),
                ms(d.iter().max().copied().unwrap_or_default()),
            );
        }
        let (check, toml) = (
            &self.times[Stage::Check as usize],
            &self.times[Stage::Toml as usize],
        );
        if !check.is_empty() && !toml.is_empty() {
            println!(
                "  check_sources / toml crate: {:.2}x",
                median(check).as_secs_f64() / median(toml).as_secs_f64()
            );
        }
        println!();
    }
}

/// A formula of `n` steps in a chain where each step also needs the one two back.
fn generate(n: usize) -> String {
    let mut s = String::with_capacity(n * 200);
    let _ = write!(
        s,
        "formula = \"scale-{n}\"\n\
         description = \"A generated formula of {n} steps (benchmark input).\"\n\
         version = 1\n\n"
    );
    for (i, v) in VARS.iter().enumerate() {
        let _ = writeln!(s, "[vars.{v}]");
        let _ = writeln!(s, "description = \"The {v} to work on\"");
        if i == 0 {
            let _ = writeln!(s, "required = true\n");
        } else {
            let _ = writeln!(s, "default = \"{v}-default\"\n");
        }
    }
    for i in 0..n {
        let var = VARS[i % VARS.len()];
        let _ = writeln!(s, "[[steps]]");
        let _ = writeln!(s, "id = \"step-{i}\"");
        let _ = writeln!(s, "title = \"Step {i} of {n}\"");
        let _ = writeln!(
            s,
            "description = \"Do part {i} of the work on {{{{{var}}}}}, then close this step.\""
        );
        match i {
            0 => {}
            1 => {
                let _ = writeln!(s, "needs = [\"step-0\"]");
            }
            _ => {
                let _ = writeln!(s, "needs = [\"step-{}\", \"step-{}\"]", i - 1, i - 2);
            }
        }
        s.push('\n');
    }
    s
}

/// `n` samples of `f` after a short warm-up. What `f` returns is freed outside the
/// timed region, for every stage alike: `gtc check` exits without freeing its trees.
fn measure(n: usize, f: &mut dyn FnMut() -> Box<dyn std::any::Any>) -> Vec<Duration> {
    for _ in 0..n.min(2) {
        drop(f());
    }
    (0..n)
        .map(|_| {
            let start = Instant::now();
            let result = f();
            let took = start.elapsed();
            drop(result);
            took
        })
        .collect()
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

fn min(d: &[Duration]) -> Duration {
    d.iter().min().copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

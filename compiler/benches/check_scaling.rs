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
//! Without `--bench` (e.g. `cargo test --benches`) only the 1k size runs, once, as a
//! smoke test. `GTC_BENCH_SAMPLES=N` overrides the number of samples;
//! `GTC_BENCH_SIZES=1000,50000` measures other sizes (e.g. one size under a profiler).

use gtc::diagnostic::Severity;
use gtc::driver::check_sources;
use gtc::syntax::{self, Format};
use std::fmt::Write as _;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
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
    println!("samples: {samples} per measurement");
    println!();

    let mut rows: Vec<Row> = Vec::new();
    for &n in &sizes {
        let text = generate(n);
        let path = format!("scale-{n}.formula.toml");
        let sources = [(path.as_str(), text.as_str())];

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

        let row = Row {
            steps: n,
            bytes: text.len(),
            warnings,
            toml: measure(samples, || {
                black_box(toml::from_str::<toml::Table>(&text).ok());
            }),
            parse: measure(samples, || {
                black_box(syntax::parse(&text, Format::Toml));
            }),
            lower: measure(samples, || {
                let tree = syntax::parse(&text, Format::Toml);
                black_box(gtc::model::lower(&tree.root));
            }),
            check: measure(samples, || {
                black_box(check_sources(&sources));
            }),
        };
        row.print();
        rows.push(row);
    }

    if rows.len() > 1 {
        println!("growth (linear = the ratio of the sizes: 10.0x for 1k -> 10k -> 100k)");
        for w in rows.windows(2) {
            let [a, b] = w else { continue };
            let ratio = |f: fn(&Row) -> &[Duration]| {
                median(f(b)).as_secs_f64() / median(f(a)).as_secs_f64()
            };
            println!(
                "  {:>5}k / {:>4}k steps: check_sources {:>6.2}x   parse {:>6.2}x   parse+lower {:>6.2}x   toml crate {:>6.2}x",
                b.steps as f64 / 1000.0,
                a.steps as f64 / 1000.0,
                ratio(|r| &r.check),
                ratio(|r| &r.parse),
                ratio(|r| &r.lower),
                ratio(|r| &r.toml),
            );
        }
    }
    ExitCode::SUCCESS
}

struct Row {
    steps: usize,
    bytes: usize,
    warnings: usize,
    toml: Vec<Duration>,
    parse: Vec<Duration>,
    lower: Vec<Duration>,
    check: Vec<Duration>,
}

impl Row {
    fn print(&self) {
        println!(
            "{} steps ({} bytes, {} warnings)",
            self.steps, self.bytes, self.warnings
        );
        for (name, d) in [
            ("gtc::driver::check_sources", &self.check),
            ("gtc::syntax::parse + model::lower", &self.lower),
            ("gtc::syntax::parse", &self.parse),
            ("toml::from_str::<toml::Table>", &self.toml),
        ] {
            let med = median(d);
            println!(
                "  {name:<36} median {:>10.3} ms  ({:>7.3} us/step)   min {:>10.3} ms   max {:>10.3} ms",
                ms(med),
                med.as_secs_f64() * 1e6 / self.steps as f64,
                ms(d.iter().min().copied().unwrap_or_default()),
                ms(d.iter().max().copied().unwrap_or_default()),
            );
        }
        println!(
            "  check_sources / toml crate: {:.2}x",
            median(&self.check).as_secs_f64() / median(&self.toml).as_secs_f64()
        );
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

/// `n` samples of `f` after a short warm-up.
fn measure(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    for _ in 0..n.min(2) {
        f();
    }
    (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

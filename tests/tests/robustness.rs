//! No input makes `gtc` panic, overflow its stack or hang: hostile inputs each end, quickly
//! and in bounded memory, with a clear error or a result.
//!
//! - every input under `tests/fixtures/fuzz-regressions/<target>/` (kept from `cargo fuzz`,
//!   see `fuzz/`) goes through what its fuzz target runs;
//! - 50 000-character expressions in every expression language end quickly;
//! - 100 000 nested `[` / `{` (and dotted keys, table headers, block sequences) in each
//!   format: a GTC001 error, no stack overflow;
//! - a ~50 MB TOML formula: finishes with a result;
//! - YAML alias bombs ("billion laughs"): a GTC001 error, fast;
//! - a 100 000-step formula, each step needing the previous (or the next): zero errors,
//!   in each format; closed into a cycle: one GTC007.
//!
//! Each case runs on a thread with a 2 MiB stack (the default for spawned threads: no
//! extra stack is needed for these inputs) under a time limit, and prints its timing
//! (`-- --nocapture`). In a debug build (CI) the limits are generous: they catch hangs and
//! quadratic blow-ups, not small slowdowns. In a release build they are tight (5-10 s):
//! run `cargo test --release -p gtc-e2e --test robustness` to check real speed. The whole
//! test process must stay under 4 GiB of resident memory.

use gtc::diagnostic::{Code, Report, Severity};
use gtc::driver::check_sources;
use gtc::expr::{condition, glob, placeholder, range, step_condition, template, waits_for};
use gtc::syntax::{Format, parse};
use gtc_e2e::fixtures_dir;
use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Stack of the thread each case runs on: the default of a spawned Rust thread.
const STACK: usize = 2 << 20;

/// Bound on the peak resident memory of the whole test process (all cases, run in
/// parallel, share it): generous, but far below what an unbounded alias expansion or a
/// copy per nesting level of a 50 MB text would take.
const MAX_RSS_MIB: u64 = 4096;

/// A time limit: `debug` seconds in a debug build (where only hangs and blow-ups are caught),
/// `release` seconds in a release build, where `cargo test --release -p gtc-e2e --test
/// robustness` checks that each case is actually fast.
fn limit(debug: u64, release: u64) -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) {
        debug
    } else {
        release
    })
}

/// Runs `f` on a fresh thread with a [`STACK`]-sized stack and prints how long it took;
/// fails the test if it panics (a stack overflow aborts the whole process, which fails it
/// too), takes longer than `limit`, or leaves the process above [`MAX_RSS_MIB`].
fn guarded<T: Send + 'static>(
    name: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (out, elapsed) = guarded_quiet(name, limit, f);
    eprintln!(
        "{name}: {elapsed:.2?} (peak RSS of the test process so far: {:?} MiB)",
        peak_rss_mib()
    );
    out
}

/// [`guarded`] without the printing; returns the time taken too.
fn guarded_quiet<T: Send + 'static>(
    name: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let handle = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK)
        .spawn(move || {
            let out = f();
            let _ = tx.send(());
            out
        })
        .unwrap_or_else(|e| panic!("{name}: cannot spawn a thread: {e}"));
    match rx.recv_timeout(limit) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: still running after {limit:?} (hang or blow-up)")
        }
    }
    let out = handle.join().unwrap_or_else(|_| panic!("{name}: panicked"));
    let elapsed = start.elapsed();
    if let Some(mib) = peak_rss_mib() {
        assert!(
            mib < MAX_RSS_MIB,
            "{name}: the test process peaked at {mib} MiB"
        );
    }
    (out, elapsed)
}

/// The path `check_sources` gets for a text in `format`.
fn path_for(format: Format) -> &'static str {
    match format {
        Format::Toml => "input.formula.toml",
        Format::Json => "input.formula.json",
        Format::Yaml => "input.formula.yaml",
    }
}

/// Checks `text` as one file in `format`, asserting that every diagnostic lies inside it.
fn check_one(text: &str, format: Format) -> Report {
    let report = check_sources(&[(path_for(format), text)]);
    assert_eq!(report.files.len(), 1);
    for d in report.diagnostics() {
        let span = d.diagnostic.span;
        assert!(
            span.start <= span.end && span.end() <= text.len(),
            "{} {:?} is outside a text of {} bytes",
            d.diagnostic.code,
            span,
            text.len()
        );
    }
    report
}

fn has_code(report: &Report, code: Code) -> bool {
    report.diagnostics().any(|d| d.diagnostic.code == code)
}

fn summary(report: &Report) -> String {
    report
        .diagnostics()
        .take(5)
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d.start.line, d.start.column, d.diagnostic.code, d.diagnostic.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Asserts a GTC001 syntax error.
fn assert_syntax_error(name: &str, report: &Report) {
    assert!(
        has_code(report, Code::Syntax),
        "{name}: expected a GTC001 syntax error, got: {}",
        summary(report)
    );
}

/// Peak resident memory of this process so far, in MiB (Linux only). The whole test
/// binary shares it, so it bounds, not measures, one case.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

// ---------------------------------------------------------------------------------------
// Fuzz regressions

/// What the `expr` fuzz target runs: every expression language on the text before the first
/// NUL, with the text after it as the glob subject and variable value.
fn run_expr(input: &str) {
    let (text, other) = input.split_once('\0').unwrap_or((input, "x"));
    let number: f64 = other.trim().parse().unwrap_or(3.0);
    let vars_f = |_: &str| Some(number);
    let vars_s = |_: &str| Some(other.to_string());
    let inside = |r: &std::ops::Range<usize>| {
        assert!(r.start <= r.end && r.end <= text.len(), "{r:?} in {text:?}");
    };
    match condition::parse_condition(text) {
        Ok(c) => {
            condition::step_refs(&c).iter().for_each(|(_, r)| inside(r));
            condition::var_refs_in(&c)
                .iter()
                .for_each(|v| inside(&v.range));
        }
        Err(e) => inside(&e.range),
    }
    match step_condition::parse_step_condition(text) {
        Ok(c) => {
            step_condition::eval_step_condition(&c, &vars_s);
        }
        Err(e) => inside(&e.range),
    }
    match range::parse_range(text) {
        Ok(r) => {
            range::vars_in(&r).iter().for_each(|(_, vr)| inside(vr));
            if let Err(e) = range::eval_bounds(&r, &vars_f) {
                inside(&e.range);
            }
        }
        Err(e) => inside(&e.range),
    }
    match glob::parse_glob(text) {
        Ok(g) => {
            g.matches(other);
            g.matches(text);
        }
        Err(e) => inside(&e.range),
    }
    if let Err(e) = waits_for::parse_waits_for(text) {
        inside(&e.range);
    }
    template::var_refs(text)
        .iter()
        .chain(&template::all_refs(text))
        .for_each(|r| inside(&r.range));
    let _ = template::substitute(text, &vars_s);
    placeholder::placeholders(text)
        .iter()
        .for_each(|p| inside(&p.range));
}

/// Every file under `fixtures/fuzz-regressions/<target>/` through what `<target>` runs.
#[test]
fn fuzz_regressions_do_not_panic() {
    let root = fixtures_dir().join("fuzz-regressions");
    let mut count = 0;
    let mut slowest = (Duration::ZERO, String::new());
    // How many inputs each target keeps: update when adding one, so that a moved or
    // emptied directory fails here instead of passing with nothing run.
    for (target, format, kept) in [
        ("toml_frontend", Some(Format::Toml), 61),
        ("json_frontend", Some(Format::Json), 55),
        ("yaml_frontend", Some(Format::Yaml), 111),
        ("expr", None, 40),
    ] {
        let dir = std::fs::read_dir(root.join(target))
            .unwrap_or_else(|e| panic!("{}: {e}", root.join(target).display()));
        let before = count;
        let mut files: Vec<_> = dir.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for path in files {
            if !path.is_file() || path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            // The fuzz targets skip input that is not UTF-8; run it lossily anyway.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let name = format!(
                "{target}/{}",
                path.file_name().unwrap_or_default().display()
            );
            let ((), elapsed) = guarded_quiet(&name, limit(60, 5), move || match format {
                Some(format) => {
                    let _ = parse(&text, format);
                    let _ = check_one(&text, format);
                }
                None => run_expr(&text),
            });
            if elapsed > slowest.0 {
                slowest = (elapsed, name);
            }
            count += 1;
        }
        assert_eq!(
            count - before,
            kept,
            "fuzz regression inputs run for `{target}`"
        );
    }
    assert_eq!(count, 267, "fuzz regression inputs run in all");
    eprintln!(
        "{count} fuzz regression inputs; slowest {} ({:.2?})",
        slowest.1, slowest.0
    );
}

/// Long and deeply nested strings in every expression language (the `expr` target's inputs are
/// short, so its fuzzing cannot reach these sizes).
#[test]
fn huge_expressions_end_quickly() {
    let n = 50_000;
    let cases: Vec<(&str, String)> = vec![
        ("parens", "(".repeat(n)),
        (
            "closed parens",
            format!("{}1{}..2", "(".repeat(n), ")".repeat(n)),
        ),
        ("sum chain", format!("1..{}1", "1+".repeat(n))),
        ("power chain", format!("1..{}2", "2^".repeat(n))),
        ("negations", format!("1..{}1", "-".repeat(n))),
        ("condition and-chain", "a.status == 'x' && ".repeat(n / 10)),
        ("condition or-chain", "a.status == 'x' || ".repeat(n / 10)),
        ("nested children", "children(".repeat(n)),
        ("var braces", "{{".repeat(n)),
        ("var refs", "{{a}}".repeat(n)),
        ("each blocks", "{{#each x}}".repeat(n)),
        ("placeholders", "{a.b}".repeat(n)),
        ("dotted placeholder", format!("{{{}b}}", "a.".repeat(n))),
        ("glob classes", "[".repeat(n)),
        (
            "glob stars",
            format!("{}\0{}", "*a".repeat(n / 10), "a".repeat(n)),
        ),
        (
            "glob stars no match",
            format!("{}b\0{}", "*a".repeat(n / 10), "a".repeat(n)),
        ),
        (
            "glob questions",
            format!("{}\0{}", "?".repeat(n), "a".repeat(n)),
        ),
        ("waits_for", format!("children-of({})", "x".repeat(n))),
        ("step condition", format!("{{{{a}}}} == {}", "'".repeat(n))),
    ];
    for (name, text) in cases {
        guarded(name, limit(60, 5), move || run_expr(&text));
    }
}

// ---------------------------------------------------------------------------------------
// Deep nesting

const DEEP: usize = 100_000;

/// Each format's deeply nested inputs: (name, format, text).
fn deep_inputs() -> Vec<(&'static str, Format, String)> {
    let open = |s: &str| s.repeat(DEEP);
    vec![
        ("toml-arrays", Format::Toml, format!("a = {}", open("["))),
        (
            "toml-arrays-closed",
            Format::Toml,
            format!("a = {}1{}\n", open("["), open("]")),
        ),
        (
            "toml-inline-tables",
            Format::Toml,
            format!("a = {}", open("{b = ")),
        ),
        (
            "toml-inline-tables-closed",
            Format::Toml,
            format!("a = {}1{}\n", open("{b = "), open("}")),
        ),
        (
            "toml-dotted-key",
            Format::Toml,
            format!("{}b = 1\n", open("a.")),
        ),
        (
            "toml-table-header",
            Format::Toml,
            format!("[{}b]\nc = 1\n", open("a.")),
        ),
        (
            "toml-inline-table-dotted-key",
            Format::Toml,
            format!("a = {{{}c = 1}}\n", open("b.")),
        ),
        // Every level both an inline table and a dotted key: frames and keys add up.
        (
            "toml-inline-tables-of-dotted-keys",
            Format::Toml,
            format!(
                "a = {}1{}\n",
                "{b.b.b.b.b = ".repeat(DEEP / 5),
                "}".repeat(DEEP / 5)
            ),
        ),
        // A header path and a dotted key each within the limit, too deep together.
        (
            "toml-header-plus-dotted-key",
            Format::Toml,
            format!("[{}b]\n{}d = 1\n", "a.".repeat(100), "c.".repeat(100)),
        ),
        ("json-arrays", Format::Json, open("[")),
        (
            "json-arrays-closed",
            Format::Json,
            format!("{}1{}", open("["), open("]")),
        ),
        ("json-objects", Format::Json, open("{\"a\":")),
        (
            "json-objects-closed",
            Format::Json,
            format!("{}1{}", open("{\"a\":"), open("}")),
        ),
        ("yaml-flow-sequences", Format::Yaml, open("[")),
        (
            "yaml-flow-sequences-closed",
            Format::Yaml,
            format!("{}1{}", open("["), open("]")),
        ),
        ("yaml-flow-mappings", Format::Yaml, open("{a: ")),
        (
            "yaml-flow-mappings-closed",
            Format::Yaml,
            format!("{}1{}", open("{a: "), open("}")),
        ),
        // `- - - x` nests block sequences on one line: block nesting without the
        // quadratic indentation of one level per line.
        (
            "yaml-block-sequences",
            Format::Yaml,
            format!("{}x\n", open("- ")),
        ),
    ]
}

fn deep_case(name: &'static str, format: Format, text: String) {
    let report = guarded(name, limit(60, 5), move || {
        let tree = parse(&text, format);
        assert!(!tree.errors.is_empty(), "{name}: the tree has no error");
        check_one(&text, format)
    });
    assert_syntax_error(name, &report);
}

#[test]
fn deep_nesting_toml_is_a_syntax_error() {
    for (name, format, text) in deep_inputs() {
        if format == Format::Toml {
            deep_case(name, format, text);
        }
    }
}

#[test]
fn deep_nesting_json_is_a_syntax_error() {
    for (name, format, text) in deep_inputs() {
        if format == Format::Json {
            deep_case(name, format, text);
        }
    }
}

#[test]
fn deep_nesting_yaml_is_a_syntax_error() {
    for (name, format, text) in deep_inputs() {
        if format == Format::Yaml {
            deep_case(name, format, text);
        }
    }
}

/// `[[a]]`, `[[a.a]]`, `[[a.a.a]]` ...: each header one array of tables deeper, so the tree
/// nests an array and a table per level. The text grows quadratically: 2 000 levels (4 MB).
#[test]
fn deep_toml_arrays_of_tables_are_a_syntax_error() {
    let mut text = String::new();
    let mut path = String::from("a");
    for _ in 0..2_000 {
        let _ = writeln!(text, "[[{path}]]\nx = 1");
        path.push_str(".a");
    }
    deep_case("toml-arrays-of-tables", Format::Toml, text);
}

/// Indented block mappings, one level per line (`a:` / ` a:` / `  a:` ...). The text grows
/// quadratically with the depth, so 2 000 levels (2 MB) stand in for "very deep".
#[test]
fn deep_yaml_block_mappings_are_a_syntax_error() {
    let mut text = String::new();
    for depth in 0..2_000 {
        let _ = writeln!(text, "{}a:", " ".repeat(depth));
    }
    let _ = writeln!(text, "{}b: 1", " ".repeat(2_000));
    deep_case("yaml-block-mappings", Format::Yaml, text);
}

// ---------------------------------------------------------------------------------------
// A 50 MB formula

/// A ~50 MB TOML formula: a ~40 MB multi-line description, a ~4 MB string var default and
/// 20 000 steps with long descriptions, `{{var}}` references and `needs`.
fn huge_formula() -> String {
    const TARGET: usize = 50 << 20;
    let mut text = String::with_capacity(TARGET + (1 << 20));
    text.push_str("formula = \"huge\"\nversion = 1\ndescription = \"\"\"\n");
    let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n";
    while text.len() < 40 << 20 {
        text.push_str(line);
    }
    text.push_str("\"\"\"\n\n[vars.name]\ndescription = \"a var\"\ndefault = \"");
    text.push_str(&"x".repeat(4 << 20));
    text.push_str("\"\n\n");
    let mut i = 0;
    while text.len() < TARGET {
        let _ = write!(
            text,
            "[[steps]]\nid = \"step-{i}\"\ntitle = \"Step {i} for {{{{name}}}}\"\ndescription = \"{}\"\n",
            "Do the thing carefully. ".repeat(12)
        );
        if i > 0 {
            let _ = writeln!(text, "needs = [\"step-{}\"]", i - 1);
        }
        text.push('\n');
        i += 1;
    }
    text
}

fn check_huge() -> Report {
    let text = huge_formula();
    let len = text.len();
    assert!(len >= 50_000_000, "{len} bytes");
    let report = guarded("50 MB formula", limit(600, 10), move || {
        check_one(&text, Format::Toml)
    });
    eprintln!(
        "50 MB formula ({len} bytes): {} errors, {} warnings",
        report.count(Severity::Error),
        report.count(Severity::Warning),
    );
    report
}

/// In a debug build only "finishes with a result" is asserted, within a generous limit.
#[test]
fn fifty_megabyte_formula_finishes() {
    let report = check_huge();
    assert_eq!(report.files.len(), 1);
}

// ---------------------------------------------------------------------------------------
// YAML alias bombs

/// The classic "billion laughs": nine levels of ten aliases each, 10^9 leaves.
fn billion_laughs() -> String {
    let mut text = String::from("a0: &a0 [\"lol\"]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        let _ = writeln!(text, "a{i}: &a{i} [{refs}]");
    }
    text
}

#[test]
fn yaml_billion_laughs_is_a_syntax_error() {
    let text = billion_laughs();
    let report = guarded("billion laughs", limit(30, 5), move || {
        check_one(&text, Format::Yaml)
    });
    assert_syntax_error("billion laughs", &report);
}

/// The bomb inside a real formula: `steps` is an alias of a huge anchored list.
#[test]
fn yaml_alias_bomb_in_steps_is_a_syntax_error() {
    let mut text = String::from("formula: bomb\nversion: 1\nx0: &x0 [{id: a, title: A}]\n");
    for i in 1..=12 {
        let refs = vec![format!("*x{}", i - 1); 8].join(", ");
        let _ = writeln!(text, "x{i}: &x{i} [{refs}]");
    }
    text.push_str("steps: *x12\n");
    let report = guarded("alias bomb in steps", limit(30, 5), move || {
        check_one(&text, Format::Yaml)
    });
    assert_syntax_error("alias bomb in steps", &report);
}

/// Block-style anchors: each level a mapping of many aliases of the previous level.
#[test]
fn yaml_block_alias_bomb_is_a_syntax_error() {
    let mut text = String::from("l0: &l0\n  k: v\n");
    for i in 1..=10 {
        let _ = writeln!(text, "l{i}: &l{i}");
        for k in 0..10 {
            let _ = writeln!(text, "  k{k}: *l{}", i - 1);
        }
    }
    let report = guarded("block alias bomb", limit(30, 5), move || {
        check_one(&text, Format::Yaml)
    });
    assert_syntax_error("block alias bomb", &report);
}

// ---------------------------------------------------------------------------------------
// 100 000 steps

const STEPS: usize = 100_000;

/// `STEPS` steps, each needing the previous one, in `format`.
fn long_chain(format: Format) -> String {
    let mut text = String::with_capacity(STEPS * 80);
    match format {
        Format::Toml => {
            text.push_str("formula = \"chain\"\nversion = 1\n");
            for i in 0..STEPS {
                let _ = write!(text, "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n");
                if i > 0 {
                    let _ = writeln!(text, "needs = [\"s{}\"]", i - 1);
                }
            }
        }
        Format::Json => {
            text.push_str("{\"formula\": \"chain\", \"version\": 1, \"steps\": [\n");
            for i in 0..STEPS {
                let sep = if i + 1 < STEPS { "," } else { "" };
                let needs = if i > 0 {
                    format!(", \"needs\": [\"s{}\"]", i - 1)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    text,
                    "  {{\"id\": \"s{i}\", \"title\": \"Step {i}\"{needs}}}{sep}"
                );
            }
            text.push_str("]}\n");
        }
        Format::Yaml => {
            text.push_str("formula: chain\nversion: 1\nsteps:\n");
            for i in 0..STEPS {
                let _ = write!(text, "  - id: s{i}\n    title: Step {i}\n");
                if i > 0 {
                    let _ = writeln!(text, "    needs: [s{}]", i - 1);
                }
            }
        }
    }
    text
}

fn chain_case(format: Format) {
    let text = long_chain(format);
    let name = format!("100k-step chain ({format:?})");
    let report = guarded(&name, limit(300, 10), move || check_one(&text, format));
    assert_eq!(
        report.diagnostics().count(),
        0,
        "{name}: {}",
        summary(&report)
    );
}

#[test]
fn hundred_thousand_step_chain_toml_is_clean() {
    chain_case(Format::Toml);
}

#[test]
fn hundred_thousand_step_chain_json_is_clean() {
    chain_case(Format::Json);
}

#[test]
fn hundred_thousand_step_chain_yaml_is_clean() {
    chain_case(Format::Yaml);
}

/// The chain the other way round: each step needs the *next* one, so a depth-first walk
/// from the first step goes 100 000 steps deep.
#[test]
fn hundred_thousand_step_reverse_chain_is_clean() {
    let mut text = String::with_capacity(STEPS * 80);
    text.push_str("formula = \"chain\"\nversion = 1\n");
    for i in 0..STEPS {
        let _ = write!(text, "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n");
        if i + 1 < STEPS {
            let _ = writeln!(text, "needs = [\"s{}\"]", i + 1);
        }
    }
    let report = guarded("100k-step reverse chain", limit(300, 10), move || {
        check_one(&text, Format::Toml)
    });
    assert_eq!(report.diagnostics().count(), 0, "{}", summary(&report));
}

/// The same chain closed into a cycle: one GTC007 whose message names 100 000 steps.
#[test]
fn hundred_thousand_step_cycle_is_one_error() {
    let mut text = long_chain(Format::Toml);
    let _ = writeln!(
        text,
        "\n[[steps]]\nid = \"loop\"\ntitle = \"Loop\"\nneeds = [\"s{}\"]",
        STEPS - 1
    );
    text = text.replacen(
        "id = \"s0\"\ntitle = \"Step 0\"\n",
        "id = \"s0\"\ntitle = \"Step 0\"\nneeds = [\"loop\"]\n",
        1,
    );
    let report = guarded("100k-step cycle", limit(300, 10), move || {
        check_one(&text, Format::Toml)
    });
    let cycles = report
        .diagnostics()
        .filter(|d| d.diagnostic.code == Code::DependencyCycle)
        .count();
    assert_eq!(cycles, 1, "{}", summary(&report));
}

//! Language-server latencies, measured through the real `gtc-lsp` binary over stdio
//! (what an editor sees), with in-process figures alongside:
//!
//! - one-character `didChange` -> `publishDiagnostics`, on the largest corpus formula, on
//!   a generated 5,000-step formula and on a 500-step parent of 100 children (each edit
//!   toggles a typo, so every edit changes the diagnostics and is published);
//! - completion and hover round trips on the 5,000-step formula;
//! - server start -> first diagnostics of a 50-formula workspace;
//! - resident memory after opening the whole gastown corpus.
//!
//! ```sh
//! cargo bench -p gtc-lsp --bench lsp
//! ```
//!
//! Without `--bench` (`cargo test --benches`) each measurement runs once, as a smoke test;
//! `GTC_BENCH_SAMPLES=n` takes `n` samples (twice as many edits) of each.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Server, corpus, find, workspace};
use gtc_lsp::analysis::AnalysisHost;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// A formula of `n` steps, each needing the previous one.
fn generated(n: usize) -> String {
    let mut s = String::from(
        "formula = \"big\"\n\n[vars.owner]\ndescription = \"Who.\"\ndefault = \"me\"\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i} for {{{{owner}}}}\"\n"
        ));
        if i > 0 {
            s.push_str(&format!("needs = [\"s{}\"]\n", i - 1));
        }
    }
    s
}

/// The line and column (UTF-16) just inside the last `needs = ["`.
fn last_needs(text: &str) -> (u64, u64) {
    let at = text.rfind("needs = [\"").unwrap() + "needs = [\"".len();
    let line = text[..at].matches('\n').count() as u64;
    let col = text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at]
        .encode_utf16()
        .count() as u64;
    (line, col)
}

/// didChange (insert or delete one character in the last `needs`) -> publishDiagnostics.
fn edit_to_publish(name: &str, rel: &str, text: &str, root: &Path, samples: usize) {
    let mut s = Server::start(root, false);
    s.open(rel);
    let _ = s.result(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": s.uri(rel)}}),
    );
    let (line, col) = last_needs(text);
    let mut times = Vec::new();
    for i in 0..samples * 2 {
        let insert = i % 2 == 0;
        let range = if insert {
            json!({"start": {"line": line, "character": col}, "end": {"line": line, "character": col}})
        } else {
            json!({"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 1}})
        };
        let t = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": s.uri(rel), "version": i + 2},
                "contentChanges": [{"range": range, "text": if insert { "x" } else { "" }}]
            }),
        );
        s.diagnostics(rel, |d| insert == d.iter().any(|x| x["code"] == "GTC006"));
        times.push(t.elapsed());
    }
    println!(
        "didChange -> publishDiagnostics, {name}: median {} ({} edits)",
        ms(median(times)),
        samples * 2
    );
    assert!(s.shutdown());
}

fn round_trips(root: &Path, rel: &str, text: &str, samples: usize) {
    let mut s = Server::start(root, false);
    s.open(rel);
    let _ = s.result(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": s.uri(rel)}}),
    );
    let (line, col) = last_needs(text);
    let mut completion = Vec::new();
    let mut hover = Vec::new();
    for _ in 0..samples {
        let t = Instant::now();
        let r = s.result("textDocument/completion", json!({"textDocument": {"uri": s.uri(rel)}, "position": {"line": line, "character": col}}));
        completion.push(t.elapsed());
        assert_eq!(
            r["items"].as_array().map(Vec::len),
            Some(gtc_lsp::analysis::completion::LIMIT),
            "a full page of step ids"
        );
        assert_eq!(r["isIncomplete"], true);
        let p = find(text, "\"s2500\"]", false);
        let t = Instant::now();
        let r = s.result("textDocument/hover", json!({"textDocument": {"uri": s.uri(rel)}, "position": {"line": p["line"], "character": p["character"].as_u64().unwrap() + 2}}));
        hover.push(t.elapsed());
        assert!(r["contents"]["value"].as_str().unwrap().contains("s2500"));
    }
    println!(
        "completion among 5,000 step ids (first {} items), round trip: median {}",
        gtc_lsp::analysis::completion::LIMIT,
        ms(median(completion))
    );
    println!(
        "hover on a step reference, round trip: median {}",
        ms(median(hover))
    );
    assert!(s.shutdown());
}

fn startup(samples: usize) {
    let files: Vec<(String, String)> = (0..50)
        .map(|i| {
            let text = format!("formula = \"f{i}\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"{}\"]\n", if i == 0 { "zz" } else { "a" });
            (format!("f{i}.formula.toml"), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = workspace(&refs);
    let mut times = Vec::new();
    for _ in 0..samples {
        let t = Instant::now();
        let mut s = Server::start(dir.path(), false);
        s.diagnostics("f0.formula.toml", |d| !d.is_empty());
        times.push(t.elapsed());
        assert!(s.shutdown());
    }
    println!(
        "process start -> first diagnostics, 50-formula workspace: median {}",
        ms(median(times))
    );
}

fn memory(root: &Path) {
    let mut s = Server::start(root, false);
    let mut names: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in &names {
        if let Some(rel) = p
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| n.contains(".formula."))
        {
            s.open(rel);
        }
    }
    // Every file checked: a pull of each answers from the memo.
    for p in &names {
        let uri = format!("file://{}", p.display());
        let _ = s.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    let rss = s.rss_kib().unwrap_or(0);
    println!(
        "resident memory after opening the gastown corpus ({} files): {:.1} MiB",
        names.len(),
        rss as f64 / 1024.0
    );
    assert!(s.shutdown());
}

/// In process: the analysis alone (set the text, compute the file's diagnostics).
fn in_process(name: &str, text: &str, samples: usize) {
    let mut host = AnalysisHost::new();
    let path = PathBuf::from("/bench/x.formula.toml");
    host.set_file(&path, Arc::from(text));
    let at = text.rfind("needs = [\"").unwrap() + "needs = [\"".len();
    let edited = format!("{}x{}", &text[..at], &text[at..]);
    let mut times = Vec::new();
    for i in 0..samples * 2 {
        let t = if i % 2 == 0 { edited.as_str() } else { text };
        let start = Instant::now();
        let file = host.set_file(&path, Arc::from(t));
        let a = host.analysis();
        let n = a
            .with(|db, ws| gtc_lsp::analysis::diagnostics::diagnostics(db, ws, file).len())
            .unwrap_or(0);
        times.push(start.elapsed());
        assert_eq!(n, usize::from(i % 2 == 0));
    }
    println!(
        "in process, edit -> diagnostics, {name}: median {}",
        ms(median(times))
    );
}

/// In process: completion and hover on the 5,000-step formula (the analysis alone).
fn in_process_queries(text: &str, samples: usize) {
    let mut host = AnalysisHost::new();
    let file = host.set_file(Path::new("/bench/big.formula.toml"), Arc::from(text));
    let a = host.analysis();
    let at = text.rfind("needs = [\"").unwrap() + "needs = [\"".len();
    let hover_at = text.find("\"s2500\"]").unwrap() + 2;
    let mut completion = Vec::new();
    let mut hover = Vec::new();
    for _ in 0..samples {
        let t = Instant::now();
        let n = a
            .with(|db, ws| {
                gtc_lsp::analysis::completion::completion(db, ws, file, at)
                    .items
                    .len()
            })
            .unwrap_or(0);
        completion.push(t.elapsed());
        assert!(n > 0);
        let t = Instant::now();
        let h = a
            .with(|db, ws| gtc_lsp::analysis::hover::hover(db, ws, file, hover_at))
            .ok()
            .flatten();
        hover.push(t.elapsed());
        assert!(h.is_some());
    }
    println!(
        "in process, completion: median {}; hover: median {}",
        ms(median(completion)),
        ms(median(hover))
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    // `GTC_BENCH_SAMPLES` raises the count (for a profiler, or a quieter median).
    let samples = match std::env::var("GTC_BENCH_SAMPLES").map(|s| s.parse::<usize>()) {
        Ok(Ok(n)) if n > 0 => n,
        Ok(_) => panic!("GTC_BENCH_SAMPLES must be a positive count"),
        Err(_) if bench => 21,
        Err(_) => 1,
    };
    // `GTC_BENCH_ONLY=group` runs the groups whose name contains it: `in-process`,
    // `publish`, `round-trips`, `family`, `corpus`, `startup`.
    let only = std::env::var("GTC_BENCH_ONLY").ok();
    let want = |group: &str| only.as_deref().is_none_or(|o| group.contains(o));
    let big = generated(5_000);
    let dir = workspace(&[("big.formula.toml", big.as_str())]);
    if want("in-process") {
        in_process("5,000 steps", &big, samples);
        in_process_queries(&big, samples);
    }
    if want("publish") {
        edit_to_publish("5,000 steps", "big.formula.toml", &big, dir.path(), samples);
    }
    if want("round-trips") {
        round_trips(dir.path(), "big.formula.toml", &big, samples);
    }
    // A parent with 100 children that extend it: the parent's diagnostics are published
    // before the children are re-checked.
    let parent = generated(500);
    let children: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("child{i}.formula.toml"),
                format!("formula = \"child{i}\"\nextends = [\"big\"]\n\n[[steps]]\nid = \"own\"\ntitle = \"Own\"\nneeds = [\"s499\"]\n"),
            )
        })
        .collect();
    let mut family: Vec<(&str, &str)> = vec![("big.formula.toml", parent.as_str())];
    family.extend(children.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let family_dir = workspace(&family);
    if want("family") {
        edit_to_publish(
            "a 500-step parent of 100 children",
            "big.formula.toml",
            &parent,
            family_dir.path(),
            samples,
        );
    }
    if want("corpus") {
        corpus_measurements(samples);
    }
    if want("startup") {
        startup(if bench { 11 } else { 1 });
    }
}

/// The largest gastown formula edited, and memory after opening the corpus.
fn corpus_measurements(samples: usize) {
    if let Some(root) = corpus("gastown") {
        // The largest corpus formula by size.
        let largest = std::fs::read_dir(&root)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".formula.toml"))
            .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .unwrap();
        let text = std::fs::read_to_string(&largest).unwrap();
        let rel = largest.file_name().unwrap().to_string_lossy().into_owned();
        if text.contains("needs = [\"") {
            let copy = workspace(&[(rel.as_str(), text.as_str())]);
            in_process(&rel, &text, samples);
            edit_to_publish(&rel, &rel, &text, copy.path(), samples);
        }
        memory(&root);
    } else {
        println!("../shared/corpus is absent: corpus measurements skipped");
    }
}

//! Traps: valid formulas that look like mistakes (`${{ github.ref }}`, Handlebars and Go
//! template blocks, `{step.id}` in advice, `{target}` in templates, loop ranges over vars,
//! inherited vars and steps ...). Each must check with zero diagnostics of any severity.
//!
//! A trap is a formula file in `tests/fixtures/traps/`, checked alone, or a directory there
//! whose formula files are checked together (for formulas that refer to each other).

use gtc_e2e::{check, diagnostic_lines, fixtures_dir, render_plain};
use std::path::Path;

fn is_formula(path: &Path) -> bool {
    gtc::syntax::Format::from_path(path).is_some()
}

/// The traps as (name, [(path, text)]), sorted by name; paths are relative to the traps dir.
fn traps() -> Vec<(String, Vec<(String, String)>)> {
    let root = fixtures_dir().join("traps");
    let mut entries: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/traps exists")
        .map(|e| e.expect("readable directory entry").path())
        .collect();
    entries.sort();
    let read = |path: &Path| {
        let rel = path
            .strip_prefix(&root)
            .expect("inside the traps dir")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        (rel, text)
    };
    let mut out = Vec::new();
    for path in entries {
        let name = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(&path)
                .expect("readable trap directory")
                .map(|e| e.expect("readable directory entry").path())
                .filter(|p| is_formula(p))
                .collect();
            files.sort();
            assert!(
                files.len() >= 2,
                "{name}: a trap directory holds the formulas checked together"
            );
            out.push((name, files.iter().map(|f| read(f)).collect()));
        } else if is_formula(&path) {
            out.push((name, vec![read(&path)]));
        }
    }
    out
}

#[test]
fn traps_check_without_any_diagnostic() {
    let traps = traps();
    assert!(traps.len() >= 12, "only {} traps", traps.len());
    let mut failures = Vec::new();
    for (name, files) in &traps {
        let sources: Vec<(&str, &str)> = files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        let report = check(&sources);
        assert_eq!(
            report.files.len(),
            files.len(),
            "{name}: every file is checked"
        );
        if report.diagnostics().next().is_some() {
            let failure = format!(
                "{name}:\n  {}\n{}",
                diagnostic_lines(&report).join("\n  "),
                render_plain(&report)
            );
            eprintln!("{failure}");
            failures.push(failure);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} traps got diagnostics:\n\n{}",
        failures.len(),
        traps.len(),
        failures.join("\n\n")
    );
}

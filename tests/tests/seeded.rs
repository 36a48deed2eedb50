//! Seeded bugs: every fixture of `tests/fixtures/seeded/` is a small, realistic formula with
//! exactly one mistake, and `expected.toml` says which diagnostic it must produce and where.
//!
//! For each fixture (in file-name order) the test checks that the report holds a diagnostic
//! with the expected code starting at exactly the expected line:column, that no other error is
//! reported, and that the only other warnings are the ones the manifest lists in `also`.
//! The rendered report of every fixture is also kept as an insta snapshot
//! (`snapshots/seeded/<fixture>.snap`). A fixture marked `known_bug` shows a checker bug: its
//! assertions are skipped, its snapshot is kept.

use gtc::diagnostic::{ALL_CODES, Code, FileDiagnostic, Report, Severity};
use gtc::syntax::{Format, Node, NodeKind, parse};
use gtc_e2e::{check, diagnostic_lines, fixtures_dir, render_plain};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One entry of `expected.toml`.
#[derive(Debug)]
struct Expected {
    code: String,
    line: u32,
    column: u32,
    also: Vec<String>,
    known_bug: Option<String>,
}

fn seeded_dir() -> PathBuf {
    fixtures_dir().join("seeded")
}

/// The fixture file names, sorted.
fn fixture_names() -> Vec<String> {
    let entries = std::fs::read_dir(seeded_dir()).expect("tests/fixtures/seeded exists");
    let mut names: Vec<String> = entries
        .map(|e| e.expect("readable directory entry").file_name())
        .map(|n| n.into_string().expect("UTF-8 file name"))
        .filter(|n| Format::from_path(n.as_ref()).is_some())
        .collect();
    names.sort();
    names
}

fn string(node: &Node, what: &str) -> String {
    match &node.kind {
        NodeKind::String(s) => s.value.clone(),
        other => panic!("{what}: expected a string, found {other:?}"),
    }
}

fn number(node: &Node, what: &str) -> u32 {
    match node.kind {
        NodeKind::Integer(i) => u32::try_from(i).unwrap_or_else(|_| panic!("{what}: {i}")),
        ref other => panic!("{what}: expected an integer, found {other:?}"),
    }
}

/// `expected.toml`, read with the compiler's own TOML front-end (the manifest must be clean).
fn manifest() -> BTreeMap<String, Expected> {
    let path = seeded_dir().join("expected.toml");
    let text = std::fs::read_to_string(&path).expect("tests/fixtures/seeded/expected.toml");
    let tree = parse(&text, Format::Toml);
    assert!(tree.errors.is_empty(), "expected.toml: {:?}", tree.errors);
    let entries = tree.root.as_table().expect("expected.toml is a table");
    let mut out = BTreeMap::new();
    for entry in entries {
        let name = &entry.key;
        let fields = entry
            .value
            .as_table()
            .unwrap_or_else(|| panic!("expected.toml: `{name}` must be a table"));
        for f in fields {
            assert!(
                ["code", "line", "column", "also", "known_bug"].contains(&f.key.as_str()),
                "expected.toml: unknown key `{}` in `{name}`",
                f.key
            );
        }
        let field = |key: &str| {
            entry
                .value
                .get(key)
                .unwrap_or_else(|| panic!("expected.toml: `{name}` has no `{key}`"))
        };
        let also = match entry.value.get("also").map(|n| &n.kind) {
            None => Vec::new(),
            Some(NodeKind::Array(items)) => items
                .iter()
                .map(|i| string(i, &format!("{name}.also")))
                .collect(),
            Some(other) => panic!("{name}.also: expected an array, found {other:?}"),
        };
        let expected = Expected {
            code: string(field("code"), &format!("{name}.code")),
            line: number(field("line"), &format!("{name}.line")),
            column: number(field("column"), &format!("{name}.column")),
            also,
            known_bug: entry
                .value
                .get("known_bug")
                .map(|n| string(n, &format!("{name}.known_bug"))),
        };
        let previous = out.insert(name.clone(), expected);
        assert!(previous.is_none(), "expected.toml: `{name}` given twice");
    }
    out
}

/// What is wrong with `report` for `expected`, if anything.
fn problems(name: &str, report: &Report, expected: &Expected) -> Vec<String> {
    let mut problems = Vec::new();
    let is_primary = |d: &FileDiagnostic| {
        d.diagnostic.code.as_str() == expected.code
            && d.start.line == expected.line
            && d.start.column == expected.column
            && matches!(d.diagnostic.severity, Severity::Error | Severity::Warning)
    };
    let diagnostics: Vec<&FileDiagnostic> = report.diagnostics().collect();
    let primary = diagnostics.iter().position(|d| is_primary(d));
    if primary.is_none() {
        problems.push(format!(
            "no {} at {}:{}",
            expected.code, expected.line, expected.column
        ));
    }
    let mut warned = BTreeSet::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if Some(i) == primary {
            continue;
        }
        let code = d.diagnostic.code.as_str();
        let at = format!("{}:{}", d.start.line, d.start.column);
        match d.diagnostic.severity {
            Severity::Error => problems.push(format!("unexpected error {code} at {at}")),
            _ if expected.also.iter().any(|a| a == code) => {
                warned.insert(code.to_owned());
            }
            _ => problems.push(format!("unexpected warning {code} at {at} (not in `also`)")),
        }
    }
    for a in &expected.also {
        if !warned.contains(a) {
            problems.push(format!("`also` lists {a}, which is not reported"));
        }
    }
    if !problems.is_empty() {
        problems.push(format!(
            "{name} reported:\n    {}",
            diagnostic_lines(report).join("\n    ")
        ));
    }
    problems
}

#[test]
fn every_fixture_has_a_manifest_entry_and_every_entry_a_fixture() {
    let fixtures: BTreeSet<String> = fixture_names().into_iter().collect();
    let listed: BTreeSet<String> = manifest().into_keys().collect();
    let unlisted: Vec<&String> = fixtures.difference(&listed).collect();
    let missing: Vec<&String> = listed.difference(&fixtures).collect();
    assert!(
        unlisted.is_empty(),
        "fixtures without an entry in expected.toml: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "entries in expected.toml without a fixture: {missing:?}"
    );
}

#[test]
fn every_code_is_seeded_and_fixtures_are_named_after_their_code() {
    let manifest = manifest();
    for (name, e) in &manifest {
        let code = Code::parse(&e.code)
            .unwrap_or_else(|| panic!("{name}: `{}` is not a diagnostic code", e.code));
        assert_eq!(code.as_str(), e.code, "{name}: write the code as `GTCnnn`");
        assert!(
            name.starts_with(&format!("{}-", e.code)),
            "{name}: a fixture is named `<CODE>-<slug>.formula.<ext>` after its expected code"
        );
        for a in &e.also {
            assert!(Code::parse(a).is_some(), "{name}: `also` holds `{a}`");
        }
    }
    let seeded: BTreeSet<&str> = manifest.values().map(|e| e.code.as_str()).collect();
    // Codes only `gtc cook --mode runtime` reports (var values) are tested in compiler/tests/cli.rs.
    let runtime_only = [Code::MissingVarValue, Code::InvalidVarValue];
    let unseeded: Vec<&str> = ALL_CODES
        .iter()
        .filter(|c| !runtime_only.contains(c))
        .map(|c| c.as_str())
        .filter(|c| !seeded.contains(c))
        .collect();
    assert!(
        unseeded.is_empty(),
        "codes without a seeded fixture: {unseeded:?}"
    );
}

#[test]
fn seeded_fixtures_report_exactly_their_bug() {
    let manifest = manifest();
    let names = fixture_names();
    assert!(names.len() >= 66, "only {} seeded fixtures", names.len());
    let mut failures: Vec<String> = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(seeded_dir().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = check(&[(name.as_str(), text.as_str())]);
        let Some(expected) = manifest.get(name) else {
            failures.push(format!("{name}: no entry in expected.toml"));
            continue;
        };
        if expected.known_bug.is_none() {
            let found = problems(name, &report, expected);
            if !found.is_empty() {
                let failure = format!("{name}:\n  {}", found.join("\n  "));
                eprintln!("{failure}");
                failures.push(failure);
            }
        }
        let rendered = render_plain(&report);
        let description = match &expected.known_bug {
            Some(bug) => format!(
                "expected {} at {}:{} (known bug: {bug})",
                expected.code, expected.line, expected.column
            ),
            None => format!(
                "expected {} at {}:{}",
                expected.code, expected.line, expected.column
            ),
        };
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            snapshot_path => "snapshots/seeded",
            description => description,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name.as_str(), rendered);
        });
    }
    assert!(
        failures.is_empty(),
        "{} of {} seeded fixtures failed:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}

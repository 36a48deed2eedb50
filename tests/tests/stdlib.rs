//! The embedded standard library: every formula checks clean, every file of
//! `stdlib-formulas/` is embedded, each has a reviewed cooked snapshot (compile mode),
//! and each cooks to steps in runtime mode with values for its required vars.

use gtc::source::STDLIB;
use gtc_e2e::{check, cook_last, diagnostic_lines};

/// Cook the stdlib formula whose stem is `stem` (the whole stdlib as its workspace, that
/// formula last), in compile mode or with `vars`.
fn cook_stdlib(
    stem: &str,
    vars: Option<&[(&str, &str)]>,
) -> Result<gtc::cook::Resolved, Vec<String>> {
    let mut sources: Vec<(&str, &str)> = STDLIB.iter().map(|(n, t)| (*n, *t)).collect();
    let i = sources
        .iter()
        .position(|(n, _)| n.split('.').next() == Some(stem))
        .unwrap_or_else(|| panic!("{stem} is in the stdlib"));
    let own = sources.remove(i);
    sources.push(own);
    cook_last(&sources, vars)
}

/// The file name's stem: `mol-hanoi` of `mol-hanoi.formula.toml`.
fn stem(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

#[test]
fn every_stdlib_formula_checks_clean() {
    let sources: Vec<(&str, &str)> = STDLIB.iter().map(|(n, t)| (*n, *t)).collect();
    let got = diagnostic_lines(&check(&sources));
    assert!(got.is_empty(), "{got:#?}");
}

#[test]
fn every_file_in_stdlib_formulas_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib-formulas");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.contains(".formula."))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = STDLIB.iter().map(|(n, _)| (*n).to_owned()).collect();
    // Embedded in file-name order, so the binary's list is deterministic.
    assert_eq!(on_disk, embedded);
    assert!(embedded.len() >= 13, "{embedded:?}");
}

/// Each stdlib formula cooked in compile mode (the stdlib as its library), as JSON.
#[test]
fn every_stdlib_formula_has_a_cooked_snapshot() {
    for (name, _) in STDLIB {
        let stem = stem(name);
        let resolved =
            cook_stdlib(stem, None).unwrap_or_else(|e| panic!("{name} did not cook: {e:#?}"));
        if stem.starts_with("aspect-") {
            // An aspect is advice for other formulas: it has no steps of its own.
            assert!(resolved.steps.is_empty(), "{stem}");
            continue;
        }
        insta::with_settings!({ snapshot_path => "snapshots/stdlib", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(stem, gtc::cook::to_json(&resolved));
        });
    }
}

/// Values for the required vars of the workflows, as a user would pass them.
const VALUES: &[(&str, &[(&str, &str)])] = &[
    (
        "mol-bugfix",
        &[("bug", "login fails"), ("severity", "critical")],
    ),
    ("mol-code-review", &[("change", "feature/login")]),
    ("mol-deacon-patrol", &[]),
    ("mol-feature", &[("feature", "dark mode")]),
    ("mol-hanoi", &[("discs", "4")]),
    ("mol-polecat-work", &[("rig", "app")]),
    ("mol-refinery-patrol", &[("rig", "app")]),
    ("mol-release", &[("version", "1.2.3")]),
    ("mol-review-cycle", &[("change", "the parser")]),
    (
        "mol-tdd-cycle",
        &[("behaviour", "parsing dates"), ("cycles", "2")],
    ),
    ("mol-witness-patrol", &[("rig", "app")]),
];

#[test]
fn every_stdlib_workflow_cooks_to_steps_in_runtime_mode() {
    let mut cooked = 0;
    for (name, _) in STDLIB {
        let stem = stem(name);
        if stem.starts_with("aspect-") || stem.starts_with("exp-") {
            continue;
        }
        let Some((_, vars)) = VALUES.iter().find(|(n, _)| *n == stem) else {
            panic!("{stem}: give its required vars a value in VALUES");
        };
        let resolved = cook_stdlib(stem, Some(vars))
            .unwrap_or_else(|e| panic!("{stem} did not cook in runtime mode: {e:#?}"));
        let lines = gtc_e2e::titled(&resolved.steps);
        assert!(!lines.is_empty(), "{stem} cooks to no steps");
        let text = lines.join("\n");
        assert!(!text.contains("{{"), "{stem} keeps a {{{{var}}}}:\n{text}");
        cooked += 1;
    }
    assert!(cooked >= 11, "{cooked} workflows cooked");
}

#[test]
fn runtime_values_shape_the_stdlib_workflows() {
    let cook = |name: &str, vars: &[(&str, &str)]| {
        cook_stdlib(name, Some(vars)).map(|r| gtc_e2e::titled(&r.steps))
    };
    // Hanoi: 2^discs - 1 moves after the setup, in one chain.
    let moves = cook("mol-hanoi", &[("discs", "5")]).expect("cooks");
    assert_eq!(moves.len(), 1 + 31);
    assert_eq!(
        moves[31],
        "moves.iter31.move <- setup, moves.iter30.move: Move 31"
    );
    assert!(cook("mol-hanoi", &[("discs", "17")]).is_err());
    // The backport is there only for a critical bug.
    let critical = cook("mol-bugfix", &[("bug", "b"), ("severity", "critical")]).expect("cooks");
    let low = cook("mol-bugfix", &[("bug", "b"), ("severity", "low")]).expect("cooks");
    assert!(critical.iter().any(|l| l.starts_with("backport ")));
    assert!(!low.iter().any(|l| l.starts_with("backport ")));
    assert_eq!(critical.len(), low.len() + 1);
    // A release version must be MAJOR.MINOR.PATCH.
    assert!(cook("mol-release", &[("version", "v1")]).is_err());
    // TDD: three steps per cycle.
    let tdd = cook("mol-tdd-cycle", &[("behaviour", "x"), ("cycles", "4")]).expect("cooks");
    assert_eq!(tdd.len(), 1 + 3 * 4);
}

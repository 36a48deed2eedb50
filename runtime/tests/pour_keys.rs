//! What a formula says reaches the poured issues: step `metadata`, an advice step's
//! `type`, the root `pour` switch of a wisp, `--var` values in loop ranges; formulas
//! that would pour nothing are refused, and standalone expansions and convoys pour
//! their steps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use support::Project;

/// Formulas shared with the compiler's end-to-end tests.
const REVIEW_CONVOY: &str = include_str!("../../tests/fixtures/formulas/review.formula.toml");
const ROUNDS: &str = include_str!("../../tests/fixtures/formulas/rounds.formula.toml");
const EXP_REVIEW: &str = include_str!("../../tests/fixtures/formulas/exp-review.formula.toml");

/// A project with a ledger and `formulas` in `.beads/formulas/`.
fn project(formulas: &[(&str, &str)]) -> Project {
    let p = Project::new();
    let lib = p.path().join(".beads/formulas");
    std::fs::create_dir_all(&lib).unwrap();
    for (name, text) in formulas {
        std::fs::write(lib.join(format!("{name}.formula.toml")), text).unwrap();
    }
    p
}

/// `gt --json CMD ...`: the poured issues, root first.
fn issues(p: &Project, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    p.gt(&all).ok().json().as_array().unwrap().clone()
}

/// Run; assert exit 1; stderr.
fn refused(p: &Project, args: &[&str]) -> String {
    let out = p.gt(args);
    assert_eq!(out.code, 1, "gt {args:?}: {} {}", out.stdout, out.stderr);
    out.stderr
}

/// Issue ids relative to the root (the root itself is `""`).
fn rel_ids(issues: &[Value]) -> Vec<String> {
    let root = issues[0]["id"].as_str().unwrap().to_owned();
    issues
        .iter()
        .map(|i| {
            let id = i["id"].as_str().unwrap();
            id.strip_prefix(&root)
                .unwrap()
                .trim_start_matches('.')
                .to_owned()
        })
        .collect()
}

fn by_rel<'a>(issues: &'a [Value], rel: &str) -> &'a Value {
    let root = issues[0]["id"].as_str().unwrap().to_owned();
    let id = format!("{root}.{rel}");
    issues
        .iter()
        .find(|i| i["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no {id} in {issues:#?}"))
}

fn blockers(issue: &Value) -> Vec<String> {
    let mut out: Vec<String> = issue["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["type"] == "blocks")
        .map(|d| {
            let to = d["depends_on_id"].as_str().unwrap();
            to.rsplit_once('.').map_or(to, |(_, s)| s).to_owned()
        })
        .collect();
    out.sort();
    out
}

const META: &str = r#"formula = "mol-meta"

[[steps]]
id = "build"
title = "Build"
metadata = { owner = "ci", retries = 2 }

[[steps]]
id = "deploy"
title = "Deploy"
needs = ["build"]

[[advice]]
target = "deploy"
[advice.before]
id = "triage-{step.id}"
title = "Triage"
type = "bug"
"#;

#[test]
fn step_metadata_and_advice_type_reach_the_poured_issues() {
    let env = project(&[("mol-meta", META)]);
    let issues = issues(&env, &["pour", "mol-meta"]);
    assert_eq!(
        by_rel(&issues, "build")["metadata"],
        json!({"owner": "ci", "retries": 2})
    );
    assert!(by_rel(&issues, "deploy").get("metadata").is_none());
    assert_eq!(by_rel(&issues, "triage-deploy")["issue_type"], "bug");
    assert_eq!(by_rel(&issues, "deploy")["issue_type"], "task");
    // The root keeps its own record of the pour.
    assert_eq!(issues[0]["metadata"]["formula"], "mol-meta");
}

#[test]
fn root_pour_false_makes_a_wisp_root_only() {
    let body = "\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"a\"]\n";
    let env = project(&[
        ("mol-default", &format!("formula = \"mol-default\"\n{body}")),
        (
            "mol-on",
            &format!("formula = \"mol-on\"\npour = true\n{body}"),
        ),
        (
            "mol-off",
            &format!("formula = \"mol-off\"\npour = false\n{body}"),
        ),
    ]);
    assert_eq!(
        rel_ids(&issues(&env, &["wisp", "mol-default"])),
        ["", "a", "b"]
    );
    assert_eq!(rel_ids(&issues(&env, &["wisp", "mol-on"])), ["", "a", "b"]);
    assert_eq!(rel_ids(&issues(&env, &["wisp", "mol-off"])), [""]);
    // `pour` switches wisps only: a persistent pour materialises every step.
    assert_eq!(rel_ids(&issues(&env, &["pour", "mol-off"])), ["", "a", "b"]);
}

#[test]
fn a_formula_that_pours_nothing_is_refused() {
    let env = project(&[
        (
            "mol-empty",
            "formula = \"mol-empty\"\n\n[vars.x]\ndefault = \"1\"\n",
        ),
        (
            "mol-filtered",
            "formula = \"mol-filtered\"\n\n[vars.on]\ndefault = \"false\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\ncondition = \"{{on}}\"\n",
        ),
    ]);
    let err = refused(&env, &["pour", "mol-empty"]);
    assert!(err.contains("`mol-empty` pours nothing"), "{err}");
    let err = refused(&env, &["wisp", "mol-empty"]);
    assert!(err.contains("pours nothing"), "{err}");
    let err = refused(&env, &["pour", "mol-filtered"]);
    assert!(err.contains("`mol-filtered` pours nothing"), "{err}");
    // With the condition true it pours.
    assert_eq!(
        rel_ids(&issues(&env, &["pour", "mol-filtered", "--var", "on=true"])),
        ["", "a"]
    );
}

#[test]
fn var_values_reach_loop_ranges_when_pouring() {
    let env = project(&[("rounds", ROUNDS)]);
    let ids = rel_ids(&issues(&env, &["pour", "rounds"]));
    assert_eq!(ids, ["", "rounds.iter1.round", "rounds.iter2.round"]);
    let issues = issues(&env, &["pour", "rounds", "--var", "n=4"]);
    assert_eq!(rel_ids(&issues).len(), 5, "{:?}", rel_ids(&issues));
    assert_eq!(by_rel(&issues, "rounds.iter4.round")["title"], "Round 4");
    let err = refused(&env, &["pour", "rounds", "--var", "n=zero"]);
    assert!(err.contains("GTC033"), "{err}");
}

#[test]
fn a_standalone_expansion_pours_its_template() {
    let env = project(&[("exp-review", EXP_REVIEW)]);
    let issues = issues(&env, &["pour", "exp-review", "--var", "depth=deep"]);
    assert_eq!(rel_ids(&issues), ["", "main.draft", "main.check"]);
    assert_eq!(
        by_rel(&issues, "main.draft")["title"],
        "Draft exp-review (deep) for me"
    );
    assert_eq!(blockers(by_rel(&issues, "main.check")), ["draft"]);
}

#[test]
fn a_convoy_pours_its_legs_and_a_synthesis_that_needs_them() {
    let env = project(&[("review", REVIEW_CONVOY)]);
    let issues = issues(&env, &["pour", "review"]);
    assert_eq!(
        rel_ids(&issues),
        ["", "correctness", "style", "security", "synthesis"]
    );
    for leg in ["correctness", "style", "security"] {
        assert!(
            blockers(by_rel(&issues, leg)).is_empty(),
            "legs run in parallel"
        );
    }
    assert_eq!(
        blockers(by_rel(&issues, "synthesis")),
        ["correctness", "security"]
    );
}

#[test]
fn gt_pour_finds_town_formulas_through_gt_root_and_beads_dir() {
    let env = project(&[]);
    let town = tempfile::tempdir().unwrap();
    let lib = town.path().join(".beads/formulas");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("mol-town.formula.toml"),
        "formula = \"mol-town\"\n\n[[steps]]\nid = \"patrol\"\ntitle = \"Patrol\"\n",
    )
    .unwrap();
    let pour = |var: Option<(&str, &Path)>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gt"));
        cmd.args(["--json", "pour", "mol-town"])
            .current_dir(env.path())
            .env("HOME", env.path())
            .env("GT_ACTOR", "tester")
            .env_remove("BD_ACTOR")
            .env_remove("BEADS_DIR")
            .env_remove("GT_ROOT");
        if let Some((k, v)) = var {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    assert!(!pour(None).status.success(), "not found without GT_ROOT");
    let out = pour(Some(("GT_ROOT", town.path())));
    assert!(out.status.success(), "{out:?}");
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rel_ids(issues.as_array().unwrap()), ["", "patrol"]);
    let out = pour(Some(("BEADS_DIR", &town.path().join(".beads"))));
    assert!(out.status.success(), "{out:?}");
}

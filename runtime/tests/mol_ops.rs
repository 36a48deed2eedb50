//! `gt bond`, `gt squash`, `gt burn`, `gt distill`, driven through the built binary in
//! temporary ledgers.

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

const MOL_A: &str = r#"formula = "mol-a"
description = "Build {{thing}}."

[vars.thing]
default = "widget"

[[steps]]
id = "design"
title = "Design {{thing}}"
description = "Sketch it: \"boxes\" and \\ arrows.\nThen review."

[[steps]]
id = "build"
title = "Build"
needs = ["design"]

[[steps.children]]
id = "unit"
title = "Unit tests"
priority = 1
labels = ["ci"]

[[steps.children]]
id = "lint"
title = "Lint"
type = "chore"

[[steps]]
id = "collect"
title = "Collect results"
type = "bug"
assignee = "bob"
needs = ["build"]
waits_for = "all-children"

[[steps]]
id = "ship"
title = "Ship"
notes = "Only on green."
needs = ["collect"]

[steps.gate]
type = "human"
timeout = "30m"
"#;

const MOL_B: &str = r#"formula = "mol-b"

[[steps]]
id = "one"
title = "One"

[[steps]]
id = "two"
title = "Two"
needs = ["one"]
"#;

const MOL_C: &str = r#"formula = "mol-c"

[[steps]]
id = "solo"
title = "Solo"
"#;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let formulas = dir.path().join(".beads/formulas");
        std::fs::create_dir_all(&formulas).unwrap();
        for (name, text) in [("mol-a", MOL_A), ("mol-b", MOL_B), ("mol-c", MOL_C)] {
            std::fs::write(formulas.join(format!("{name}.formula.toml")), text).unwrap();
        }
        let env = Env { dir };
        env.ok(&["init", "--prefix", "t"]);
        env
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gt"))
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("GT_ACTOR", "tester")
            .env_remove("BD_ACTOR")
            .output()
            .unwrap()
    }

    /// Run; assert success; stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "gt {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Run; assert it fails with `code`; stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "gt {args:?}: stdout {} stderr {err}",
            String::from_utf8_lossy(&out.stdout)
        );
        err
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn issue(&self, id: &str) -> Value {
        self.json(&["show", id])[0].clone()
    }

    fn exists(&self, id: &str) -> bool {
        self.run(&["show", id]).status.success()
    }

    /// Pour (or wisp) `formula`; the root id.
    fn pour(&self, cmd: &str, formula: &str) -> String {
        str_of(&self.json(&[cmd, formula])[0], "id")
    }

    fn ready(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .json(&["ready"])
            .as_array()
            .unwrap()
            .iter()
            .map(|i| str_of(i, "id"))
            .collect();
        ids.sort();
        ids
    }

    /// Every edge inside the molecule rooted at `root`, with ids relative to it.
    fn edges(&self, root: &str) -> BTreeSet<(String, String, String)> {
        let issues = self.json(&["list", "--mol", root, "--all"]);
        let rel = |id: &str| id.strip_prefix(root).unwrap_or(id).to_owned();
        issues
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| deps(i).into_iter().map(move |d| (i, d)))
            .map(|(i, (to, kind))| (rel(&str_of(i, "id")), rel(&to), kind))
            .collect()
    }

    /// The ids of the molecule rooted at `root`, relative to it.
    fn rel_ids(&self, root: &str) -> BTreeSet<String> {
        self.json(&["list", "--mol", root, "--all"])
            .as_array()
            .unwrap()
            .iter()
            .map(|i| str_of(i, "id").strip_prefix(root).unwrap().to_owned())
            .collect()
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// (depends_on_id, type) of an issue record.
fn deps(issue: &Value) -> Vec<(String, String)> {
    issue["dependencies"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| (str_of(d, "depends_on_id"), str_of(d, "type")))
                .collect()
        })
        .unwrap_or_default()
}

fn has_dep(issue: &Value, to: &str, kind: &str) -> bool {
    deps(issue).iter().any(|(t, k)| t == to && k == kind)
}

fn ids(records: &Value) -> Vec<String> {
    records
        .as_array()
        .unwrap()
        .iter()
        .map(|i| str_of(i, "id"))
        .collect()
}

// ---------------------------------------------------------------- bond

#[test]
fn bond_two_formulas_makes_a_compound_and_orders_them() {
    let env = Env::new();
    let out = env.json(&["bond", "mol-b", "mol-c"]);
    let records = out.as_array().unwrap();
    let compound = &records[0];
    let c = str_of(compound, "id");
    assert!(c.starts_with("t-mol-"), "{c}");
    assert_eq!(str_of(compound, "title"), "Compound: mol-b + mol-c");
    assert_eq!(str_of(compound, "issue_type"), "molecule");
    assert_eq!(
        compound["bonded_from"],
        serde_json::json!([
            {"source_id": "mol-b", "bond_type": "sequential"},
            {"source_id": "mol-c", "bond_type": "sequential"},
        ])
    );
    // compound, mol-b's root + 2 steps, mol-c's root + 1 step; the roots were changed
    // (their parent edge) but are listed once.
    assert_eq!(records.len(), 6, "{:?}", ids(&out));
    let b = str_of(&records[1], "id");
    let cc = str_of(&records[4], "id");
    assert_eq!(ids(&out)[2..4], [format!("{b}.one"), format!("{b}.two")]);
    assert_eq!(ids(&out)[5], format!("{cc}.solo"));
    assert!(has_dep(&env.issue(&b), &c, "parent-child"));
    assert!(has_dep(&env.issue(&cc), &c, "parent-child"));
    // B after A: mol-c's entry waits for mol-b's final step only.
    let solo = env.issue(&format!("{cc}.solo"));
    assert_eq!(
        deps(&solo),
        [
            (cc.clone(), String::from("parent-child")),
            (format!("{b}.two"), String::from("blocks"))
        ]
    );
    assert_eq!(env.ready(), [format!("{b}.one")]);
    env.ok(&["close", &format!("{b}.one")]);
    env.ok(&["close", &format!("{b}.two")]);
    assert_eq!(env.ready(), [format!("{cc}.solo")]);
    // Closing the last step completes mol-c, then the compound (innermost first).
    let closed = env.json(&["close", &format!("{cc}.solo")]);
    assert_eq!(ids(&closed), [format!("{cc}.solo"), cc.clone(), c.clone()]);
    assert_eq!(str_of(&env.issue(&b), "status"), "closed");
}

#[test]
fn bond_parallel_with_a_title() {
    let env = Env::new();
    let out = env.json(&[
        "bond", "mol-b", "mol-c", "--type", "parallel", "--as", "Both",
    ]);
    let compound = &out[0];
    assert_eq!(str_of(compound, "title"), "Both");
    assert_eq!(compound["bonded_from"][1]["bond_type"], "parallel");
    let b = str_of(&out[1], "id");
    let c = str_of(&out[4], "id");
    let mut want = vec![format!("{b}.one"), format!("{c}.solo")];
    want.sort();
    assert_eq!(env.ready(), want);
    assert!(
        !env.edges(&str_of(compound, "id"))
            .iter()
            .any(|(from, to, kind)| { kind == "blocks" && from.contains(&c) && to.contains(&b) })
    );
}

#[test]
fn bond_formula_into_a_molecule_runs_after_it() {
    let env = Env::new();
    let m = env.pour("pour", "mol-b");
    let out = env.json(&["bond", &m, "mol-c"]);
    // created: mol-c's root and step; changed: the molecule root (bonded_from).
    let new_root = str_of(&out[0], "id");
    assert_eq!(
        ids(&out),
        [new_root.clone(), format!("{new_root}.solo"), m.clone()]
    );
    assert!(has_dep(&out[0], &m, "parent-child"));
    assert_eq!(
        out[2]["bonded_from"],
        serde_json::json!([{"source_id": "mol-c", "bond_type": "sequential"}])
    );
    assert_eq!(
        deps(&out[1]),
        [
            (new_root.clone(), String::from("parent-child")),
            (format!("{m}.two"), String::from("blocks"))
        ]
    );
    assert!(out[1].get("ephemeral").is_none());
}

#[test]
fn bond_formula_before_a_molecule_and_ephemerality_follows_the_wisp() {
    let env = Env::new();
    let w = env.pour("wisp", "mol-b");
    let out = env.json(&["bond", "mol-c", &w]);
    let new_root = str_of(&out[0], "id");
    assert!(new_root.starts_with("t-wisp-"), "{new_root}");
    assert_eq!(out[0]["ephemeral"], true);
    assert_eq!(out[1]["ephemeral"], true);
    assert!(has_dep(&out[0], &w, "parent-child"));
    // The wisp's first step now waits for the formula's step; `two` already waits for `one`.
    let one = env.issue(&format!("{w}.one"));
    assert!(has_dep(&one, &format!("{new_root}.solo"), "blocks"));
    let two = env.issue(&format!("{w}.two"));
    assert!(!has_dep(&two, &format!("{new_root}.solo"), "blocks"));
    // --pour into a wisp would leave a persistent issue depending on a wisp.
    let err = env.fails(1, &["bond", &w, "mol-c", "--pour"]);
    assert!(err.contains("a wisp that never reaches git"), "{err}");
}

#[test]
fn bond_two_molecules_conditional() {
    let env = Env::new();
    let x = env.pour("pour", "mol-b");
    let y = env.pour("pour", "mol-b");
    let out = env.json(&["bond", &x, &y, "--type", "conditional"]);
    assert_eq!(
        ids(&out),
        [y.clone(), format!("{y}.one"), x.clone()],
        "changed: B's root (its parent), B's entry (its blocker), A's root (bonded_from)"
    );
    assert!(has_dep(&out[0], &x, "parent-child"));
    assert!(has_dep(&out[1], &format!("{x}.two"), "conditional-blocks"));
    assert_eq!(env.ready(), [format!("{x}.one")]);
    assert_eq!(
        out[2]["bonded_from"],
        serde_json::json!([{"source_id": y, "bond_type": "conditional"}])
    );
}

#[test]
fn bond_two_single_issues() {
    let env = Env::new();
    let a = str_of(&env.json(&["create", "first"])[0], "id");
    let b = str_of(&env.json(&["create", "second"])[0], "id");
    let c = str_of(&env.json(&["create", "third"])[0], "id");
    // Sequential: only the order, no parent.
    let out = env.json(&["bond", &a, &b]);
    assert_eq!(ids(&out), [b.clone(), a.clone()]);
    assert_eq!(deps(&out[0]), [(a.clone(), String::from("blocks"))]);
    // Parallel: only the parent.
    let out = env.json(&["bond", &a, &c, "--type", "parallel"]);
    assert_eq!(deps(&out[0]), [(a.clone(), String::from("parent-child"))]);
}

#[test]
fn bond_refusals() {
    let env = Env::new();
    let x = env.pour("pour", "mol-b");
    let y = env.pour("pour", "mol-b");
    let w = env.pour("wisp", "mol-c");

    let err = env.fails(1, &["bond", &x, &x]);
    assert!(
        err.contains(&format!("cannot bond `{x}` to itself")),
        "{err}"
    );

    // A persistent molecule cannot hang below a wisp.
    let err = env.fails(1, &["bond", &w, &x]);
    assert!(err.contains("a wisp that never reaches git"), "{err}");

    // Unknown id: near matches.
    let last = if x.ends_with('z') { 'y' } else { 'z' };
    let typo = format!("{}{last}", &x[..x.len() - 1]);
    let err = env.fails(1, &["bond", &typo, "mol-c"]);
    assert!(err.contains(&format!("no issue `{typo}`")), "{err}");
    assert!(err.contains("did you mean") && err.contains(&x), "{err}");

    // Flags that do not apply.
    let err = env.fails(2, &["bond", &x, "mol-c", "--as", "Name"]);
    assert!(err.contains("--as names the compound root"), "{err}");
    let err = env.fails(2, &["bond", &x, &y, "--pour"]);
    assert!(err.contains("--ephemeral / --pour only apply"), "{err}");
    let err = env.fails(2, &["bond", &x, &y, "--var", "k=v"]);
    assert!(
        err.contains("--var only applies to formula operands"),
        "{err}"
    );
    let err = env.fails(2, &["bond", &x, &y, "--type", "later"]);
    assert!(err.contains("invalid bond type `later`"), "{err}");

    // A step of a molecule cannot be joined elsewhere.
    let err = env.fails(1, &["bond", &x, &format!("{y}.one")]);
    assert!(err.contains("already a child of"), "{err}");

    // Bonding into its own tree.
    env.ok(&["bond", &x, &y]);
    let err = env.fails(1, &["bond", &y, &x]);
    assert!(
        err.contains("so the molecule would contain itself"),
        "{err}"
    );
    let err = env.fails(1, &["bond", &x, &y]);
    assert!(err.contains("already part of that molecule"), "{err}");

    // Closed operands.
    let a = str_of(&env.json(&["create", "done"])[0], "id");
    env.ok(&["close", &a]);
    let err = env.fails(1, &["bond", &a, "mol-c"]);
    assert!(
        err.contains(&format!("cannot bond `{a}`: it is closed")),
        "{err}"
    );
}

#[test]
fn bond_refuses_cycles() {
    let env = Env::new();
    // Direct: b already blocks a.
    let a = str_of(&env.json(&["create", "a"])[0], "id");
    let b = str_of(&env.json(&["create", "b"])[0], "id");
    env.ok(&["dep", "add", &a, &b]);
    let err = env.fails(1, &["bond", &a, &b]);
    assert!(err.contains("would create a dependency cycle"), "{err}");

    // Through the readiness rules: X's root waits for Y's first step, so Y cannot join
    // X (its steps would wait for X's blockers, which include one of them).
    let x = env.pour("pour", "mol-b");
    let y = env.pour("pour", "mol-b");
    env.ok(&["dep", "add", &x, &format!("{y}.one")]);
    let err = env.fails(1, &["bond", &x, &y, "--type", "parallel"]);
    assert!(err.contains("would create a dependency cycle"), "{err}");
    assert!(
        err.contains(&format!("`{y}.one` is part of `{y}`")),
        "{err}"
    );
    // Nothing was written.
    assert!(!has_dep(&env.issue(&y), &x, "parent-child"));
}

// ---------------------------------------------------------------- squash

fn finish(env: &Env, root: &str, steps: &[&str]) {
    for s in steps {
        let id = format!("{root}.{s}");
        env.ok(&["claim", &id, "--as", "alice"]);
        env.ok(&["close", &id, "--reason", &format!("{s} done")]);
    }
}

#[test]
fn squash_a_wisp_deletes_its_steps_and_keeps_a_persistent_digest() {
    let env = Env::new();
    let w = env.pour("wisp", "mol-b");
    finish(&env, &w, &["one", "two"]);
    let out = env.json(&["squash", &w, "--summary", "All good."]);
    // The records written: the digest, then the closed root.
    assert_eq!(out[1]["id"], w.as_str());
    assert_eq!(out[1]["status"], "closed");
    assert!(!env.exists(&format!("{w}.one")) && !env.exists(&format!("{w}.two")));
    let digest = env.issue(&str_of(&out[0], "id"));
    assert_eq!(digest, out[0]);
    assert_eq!(str_of(&digest, "title"), "Digest: mol-b");
    assert_eq!(str_of(&digest, "status"), "closed");
    assert_eq!(str_of(&digest, "issue_type"), "task");
    assert_eq!(digest["labels"], serde_json::json!(["digest"]));
    assert!(digest.get("ephemeral").is_none());
    assert!(has_dep(&digest, &w, "parent-child"));
    let meta = &digest["metadata"];
    assert_eq!(meta["outcome"], "completed");
    assert_eq!(meta["summary"], "All good.");
    assert_eq!(meta["steps"][0]["assignee"], "alice");
    assert_eq!(meta["steps"][1]["id"], format!("{w}.two"));
    assert!(meta["steps"][1]["duration_s"].is_i64());
    let text = str_of(&digest, "description");
    assert!(text.starts_with("## Molecule Execution Summary\n\n**Molecule**: mol-b\n**Steps**: 2\n\n**Completed**: 2/2\n"), "{text}");
    assert!(text.contains("### Summary\n\nAll good.\n"), "{text}");
    assert!(text.contains("*Outcome: two done*"), "{text}");
    // The steps are gone, the root is closed and persistent now.
    assert!(!env.exists(&format!("{w}.one")));
    let root = env.issue(&w);
    assert_eq!(str_of(&root, "status"), "closed");
    assert!(root.get("ephemeral").is_none());
    // Twice is refused.
    let err = env.fails(1, &["squash", &w]);
    assert!(err.contains("already squashed into digest"), "{err}");
}

#[test]
fn squash_keep_and_persistent_molecules_keep_their_steps() {
    let env = Env::new();
    let w = env.pour("wisp", "mol-c");
    finish(&env, &w, &["solo"]);
    env.json(&["squash", &w, "--keep"]);
    assert_eq!(env.issue(&format!("{w}.solo"))["ephemeral"], true);

    let m = env.pour("pour", "mol-b");
    finish(&env, &m, &["one", "two"]);
    let out = env.json(&["squash", &m]);
    let steps: Vec<&str> = out[0]["metadata"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(steps, [format!("{m}.one"), format!("{m}.two")]);
    assert_eq!(str_of(&env.issue(&format!("{m}.one")), "status"), "closed");
}

#[test]
fn squash_refuses_unfinished_molecules_unless_forced() {
    let env = Env::new();
    let w = env.pour("wisp", "mol-b");
    finish(&env, &w, &["one"]);
    let err = env.fails(1, &["squash", &w]);
    assert!(
        err.contains(&format!(
            "cannot squash `{w}`: 1 of 2 steps are not closed (`{w}.two`)"
        )),
        "{err}"
    );
    assert!(env.exists(&format!("{w}.two")));
    let out = env.json(&["squash", &w, "--force"]);
    let digest = env.issue(&str_of(&out[0], "id"));
    assert_eq!(digest["metadata"]["outcome"], "incomplete");
    assert!(str_of(&digest, "description").contains("**[open]** Two"));
    // A single issue has nothing to squash.
    let a = str_of(&env.json(&["create", "alone"])[0], "id");
    let err = env.fails(1, &["squash", &a]);
    assert!(err.contains("has no steps"), "{err}");
}

/// A finished molecule with fixed times, so the digest is the same on every run.
const FIXED: &str = r#"{"id":"t-mol-fix","title":"Release 1.2","status":"in_progress","priority":1,"issue_type":"molecule","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T09:00:00Z","dependencies":[]}
{"id":"t-mol-fix.build","title":"Build artefacts","description":"Compile every target.\nUpload them.","status":"closed","priority":1,"issue_type":"task","assignee":"alice","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T09:20:00Z","started_at":"2026-01-05T09:05:00Z","closed_at":"2026-01-05T09:20:30Z","close_reason":"green","dependencies":[{"issue_id":"t-mol-fix.build","depends_on_id":"t-mol-fix","type":"parent-child"}]}
{"id":"t-mol-fix.notes","title":"Write release notes","status":"closed","priority":2,"issue_type":"task","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T10:00:00Z","closed_at":"2026-01-05T10:02:03Z","dependencies":[{"issue_id":"t-mol-fix.notes","depends_on_id":"t-mol-fix","type":"parent-child"},{"issue_id":"t-mol-fix.notes","depends_on_id":"t-mol-fix.build","type":"blocks"}]}
{"id":"t-mol-fix.tag","title":"Tag the release","status":"in_progress","priority":2,"issue_type":"task","assignee":"bob","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T10:05:00Z","started_at":"2026-01-05T10:05:00Z","dependencies":[{"issue_id":"t-mol-fix.tag","depends_on_id":"t-mol-fix","type":"parent-child"},{"issue_id":"t-mol-fix.tag","depends_on_id":"t-mol-fix.notes","type":"blocks"}]}
"#;

#[test]
fn squash_digest_snapshot() {
    let env = Env::new();
    let file = env.path().join("fixed.jsonl");
    std::fs::write(&file, FIXED).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    let out = env.json(&[
        "squash",
        "t-mol-fix",
        "--force",
        "--summary",
        "Shipped; tagging still running.",
    ]);
    let digest = env.issue(&str_of(&out[0], "id"));
    insta::assert_snapshot!("squash_digest", str_of(&digest, "description"));
    insta::assert_snapshot!(
        "squash_metadata",
        serde_json::to_string_pretty(&digest["metadata"]).unwrap()
    );
    assert_eq!(
        str_of(&env.issue("t-mol-fix"), "close_reason"),
        format!("Squashed: 3 steps -> digest {}", str_of(&out[0], "id"))
    );
}

// ---------------------------------------------------------------- burn

#[test]
fn burn_deletes_a_wisp_and_detaches_dependents() {
    let env = Env::new();
    let w = env.pour("wisp", "mol-b");
    let w2 = env.pour("wisp", "mol-c");
    let outside = str_of(&env.json(&["create", "waits on the wisp"])[0], "id");
    env.ok(&["dep", "add", &outside, &format!("{w}.two")]);
    assert!(!env.ready().contains(&outside));
    let out = env.json(&["burn", &w, &w2]);
    assert_eq!(out["total_deleted"], 5);
    assert_eq!(
        out["results"][0]["deleted_ids"],
        serde_json::json!([w.clone(), format!("{w}.one"), format!("{w}.two")])
    );
    assert_eq!(out["detached_ids"], serde_json::json!([outside.clone()]));
    for id in [&w, &format!("{w}.one"), &w2, &format!("{w2}.solo")] {
        assert!(!env.exists(id), "{id}");
    }
    assert!(deps(&env.issue(&outside)).is_empty());
    assert_eq!(env.ready(), [outside]);
}

#[test]
fn burn_refuses_persistent_molecules_unless_forced() {
    let env = Env::new();
    let m = env.pour("pour", "mol-b");
    let err = env.fails(1, &["burn", &m]);
    assert!(err.contains("is not a wisp"), "{err}");
    assert!(err.contains(&format!("use `gt squash {m}`")), "{err}");
    assert!(env.exists(&m));
    // A wisp holding a persistent issue is refused too.
    let w = env.pour("wisp", "mol-c");
    env.ok(&["bond", &w, "mol-b", "--ephemeral"]);
    let loose = str_of(
        &env.json(&["create", "persistent", "--parent", &w])[0],
        "id",
    );
    let err = env.fails(1, &["burn", &w]);
    assert!(
        err.contains(&format!("holds 1 persistent issue(s) (`{loose}`")),
        "{err}"
    );
    // Unknown ids name near matches.
    let err = env.fails(1, &["burn", &format!("{m}x")]);
    assert!(err.contains("did you mean"), "{err}");
    env.ok(&["burn", "--force", &m, &w]);
    assert!(!env.exists(&m) && !env.exists(&format!("{m}.one")) && !env.exists(&loose));
}

// ---------------------------------------------------------------- distill

fn check_formula(path: &str, text: &str) {
    let report = gtc::driver::check_sources(&[(path, text)]);
    let errors: Vec<String> = report
        .diagnostics()
        .filter(|d| d.diagnostic.severity == gtc::diagnostic::Severity::Error)
        .map(|d| format!("{:?}", d.diagnostic))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
}

#[test]
fn distill_writes_a_formula_that_checks_and_pours_the_same_molecule() {
    let env = Env::new();
    let m = env.pour("pour", "mol-a");
    let text = env.ok(&["distill", &m, "-o", "-"]);
    check_formula("mol-a.formula.toml", &text);
    insta::assert_snapshot!("distill_mol_a", text.replace(&m, "<ROOT>"));

    // The default name is the formula's, whose file exists: refused, then a new name.
    let err = env.fails(1, &["distill", &m]);
    assert!(err.contains("mol-a.formula.toml exists"), "{err}");
    let out = env.json(&["distill", &m, "mol-a2"]);
    assert_eq!(out["name"], "mol-a2");
    assert_eq!(out["steps"], 6);
    let written =
        std::fs::read_to_string(env.path().join(".beads/formulas/mol-a2.formula.toml")).unwrap();
    check_formula("mol-a2.formula.toml", &written);

    // Round trip: the same relative ids and edges.
    let again = env.pour("pour", "mol-a2");
    assert_eq!(env.rel_ids(&again), env.rel_ids(&m));
    assert_eq!(env.edges(&again), env.edges(&m));
    assert!(env.edges(&m).contains(&(
        String::from(".collect"),
        String::from(".build"),
        String::from("waits-for")
    )));
    // The gate came back as a gate.
    let gate = env.issue(&format!("{again}.gate-ship"));
    assert_eq!(str_of(&gate, "issue_type"), "gate");
    assert_eq!(gate["timeout"], 1_800_000_000_000_i64);
}

#[test]
fn distill_keeps_bonded_hierarchy_and_unique_ids() {
    let env = Env::new();
    let out = env.json(&["bond", "mol-b", "mol-b", "--as", "Twice over"]);
    let c = str_of(&out[0], "id");
    let first = str_of(&out[1], "id");
    let second = str_of(&out[4], "id");
    let text = env.ok(&["distill", &c, "-o", "-"]);
    check_formula("twice-over.formula.toml", &text);
    assert!(text.contains("formula = \"twice-over\""), "{text}");
    // Both bonded roots are steps with their own children; the second copy's step ids
    // are made unique with their parent's id.
    let a = first.strip_prefix("t-").unwrap();
    let b = second.strip_prefix("t-").unwrap();
    for needle in [
        format!("[[steps]]\nid = \"{a}\""),
        format!("[[steps]]\nid = \"{b}\""),
        String::from("[[steps.children]]\nid = \"one\""),
        format!("[[steps.children]]\nid = \"{b}-one\""),
        format!("needs = [\"{b}-one\"]"),
    ] {
        assert!(text.contains(&needle), "{needle}\n{text}");
    }
    // The cross-molecule order survived as a need.
    assert!(text.contains("needs = [\"two\"]"), "{text}");
    // Without a formula in its metadata, the name is the root title's slug.
    let single = str_of(&env.json(&["create", "Lone root!"])[0], "id");
    env.ok(&["create", "child", "--parent", &single]);
    let text = env.ok(&["distill", &single, "-o", "-"]);
    assert!(text.contains("formula = \"lone-root\""), "{text}");
    check_formula("lone-root.formula.toml", &text);
    let leaf = str_of(&env.json(&["create", "leaf"])[0], "id");
    let err = env.fails(1, &["distill", &leaf]);
    assert!(err.contains("has no steps"), "{err}");
    let err = env.fails(1, &["distill", &format!("{c}.nope")]);
    assert!(err.contains("no issue"), "{err}");
}

//! `gt run` on what the ledger used to only carry: gates of every kind, `until` loops,
//! `compose.gate` conditions, and steps with children, with the script agent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod town;

use std::time::Duration;
use town::{Town, finish};

const PLAIN: &str = "[rigs.plain]\ngit = false\n[village]\nheartbeat = \"200ms\"\ndeacon_cycle = \"100ms\"\ngh_poll = \"100ms\"\n";
const LIMIT: Duration = Duration::from_secs(90);

fn closed(issues: &[gt::ledger::Issue], suffix: &str) -> bool {
    issues
        .iter()
        .any(|i| i.id.ends_with(suffix) && i.status == "closed")
}

/// A step with children is never worked itself: it closes with its last child, and the
/// molecule completes. A `compose.gate` condition holds its step until it is true.
#[test]
fn an_epic_step_closes_with_its_children_and_a_condition_gate_holds_its_step() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-epic",
        r#"formula = "mol-epic"

[[steps]]
id = "build"
title = "Build"

[[steps]]
id = "test"
title = "Test"
needs = ["build"]

[[steps.children]]
id = "unit"
title = "Unit tests"

[[steps.children]]
id = "integration"
title = "Integration tests"
needs = ["unit"]

[[steps]]
id = "ship"
title = "Ship"

[compose]
[[compose.gate]]
before = "ship"
condition = "integration.status == 'complete'"
"#,
    );
    let out = town.run(&["mol-epic", "--polecats", "2"], LIMIT).ok();
    let mol = town.runs()[0].id.clone();
    assert!(
        out.stdout.contains(&format!("{mol} is complete")),
        "{}",
        out.stdout
    );
    let test = town.find(".test");
    assert_eq!(test.status, "closed");
    assert_eq!(test.close_reason.as_deref(), Some("all children complete"));
    assert!(
        !test
            .comments
            .iter()
            .any(|c| c.text.starts_with("[gt] attempt")),
        "the epic step was worked: {:?}",
        test.comments
    );
    let integration = town.find(".integration");
    let ship = town.find(".ship");
    assert!(
        ship.closed_at > integration.closed_at,
        "ship closed before its gate's condition held"
    );
    let gate = town.find(".gate-ship-when1");
    assert_eq!(gate.status, "closed");
    assert_eq!(gate.await_type.as_deref(), Some("condition"));
    for s in town.steps(&mol) {
        assert_eq!(s.status, "closed", "{s:?}");
    }
}

const LOOP: &str = r#"formula = "mol-loop"

[[steps]]
id = "retry"
title = "Retry"
[steps.loop]
until = "steps.complete >= UNTIL"
max = MAX
[[steps.loop.body]]
id = "attempt"
title = "Attempt"
[[steps.loop.body]]
id = "check"
title = "Check"
needs = ["attempt"]
"#;

/// The two-iteration loop with a timer gate of `timeout` on its first body step.
fn gated_loop(timeout: &str) -> String {
    let text = LOOP.replace("UNTIL", "4").replace("MAX", "3").replace(
        "id = \"attempt\"\ntitle = \"Attempt\"\n",
        &format!(
            "id = \"attempt\"\ntitle = \"Attempt\"\n[steps.loop.body.gate]\ntype = \"timer\"\ntimeout = \"{timeout}\"\n"
        ),
    );
    assert!(text.contains("timer"), "{text}");
    text
}

/// A gate on a loop's body step is poured again with each iteration.
#[test]
fn a_gate_in_a_loop_body_holds_every_iteration() {
    let town = Town::new(PLAIN);
    town.formula("mol-loop", &gated_loop("300ms"));
    town.run(&["mol-loop", "--polecats", "1"], LIMIT).ok();
    for k in [1, 2] {
        let gate = town.find(&format!(".gate-retry.iter{k}.attempt"));
        assert_eq!(gate.status, "closed", "{gate:?}");
        assert_eq!(gate.await_type.as_deref(), Some("timer"));
        let step = town.find(&format!(".retry.iter{k}.attempt"));
        assert!(
            step.dependencies.iter().any(|d| d.depends_on_id == gate.id),
            "{step:?}"
        );
        // Each iteration's timer ran from its own pour.
        let opened = gt::ledger::time::nanos(gate.closed_at.as_deref().unwrap()).unwrap();
        let poured = gt::ledger::time::nanos(&gate.created_at).unwrap();
        assert!(opened - poured >= 300_000_000, "iteration {k}: {gate:?}");
    }
    assert!(town.issues().iter().all(|i| !i.id.contains(".iter3.")));
}

/// An `until` loop pours iterations until its condition holds.
#[test]
fn an_until_loop_runs_until_its_condition_holds() {
    let town = Town::new(PLAIN);
    town.formula("mol-loop", &LOOP.replace("UNTIL", "4").replace("MAX", "5"));
    let out = town.run(&["mol-loop", "--polecats", "2"], LIMIT).ok();
    let mol = town.runs()[0].id.clone();
    assert!(
        out.stdout.contains(&format!("{mol} is complete")),
        "{}",
        out.stdout
    );
    let mut ids: Vec<String> = town.steps(&mol).into_iter().map(|s| s.id).collect();
    ids.sort();
    let want: Vec<String> = [
        "iter1.attempt",
        "iter1.check",
        "iter2.attempt",
        "iter2.check",
    ]
    .iter()
    .map(|s| format!("{mol}.retry.{s}"))
    .collect();
    assert_eq!(ids, want, "two iterations, no third");
    // Iteration 2 came after iteration 1.
    let first_done = town.find(".iter1.check").closed_at.unwrap();
    let second_started = town.find(".iter2.attempt").started_at.unwrap();
    assert!(first_done <= second_started);
}

/// Hitting `max` is an error: the last step is escalated, the overseer mailed, and the
/// run stops with status 3 saying so.
#[test]
fn an_until_loop_that_hits_its_max_is_escalated_not_quietly_stopped() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-loop",
        &LOOP.replace("UNTIL", "100").replace("MAX", "2"),
    );
    let out = town.run(&["mol-loop", "--polecats", "2"], LIMIT);
    assert_eq!(out.code, 3, "{out:?}");
    let check = town.find(".iter2.check");
    assert_eq!(check.status, "deferred");
    assert!(town.issues().iter().all(|i| !i.id.contains(".iter3.")));
    let mail = town.gt(&["mail", "inbox", "overseer"]).ok();
    assert!(
        mail.stdout
            .contains("still false after its max of 2 iteration(s)"),
        "{}",
        mail.stdout
    );
}

const GATES: &str = r#"formula = "mol-gates"

[vars.blocker]
description = "the issue the bead gate waits for"
required = true

[[steps]]
id = "timed"
title = "After a second"
[steps.gate]
type = "timer"
timeout = "1s"

[[steps]]
id = "approved"
title = "After a person approves"
[steps.gate]
type = "human"

[[steps]]
id = "told"
title = "After a message"
[steps.gate]
type = "mail"
id = "go ahead"

[[steps]]
id = "after"
title = "After another issue"
[steps.gate]
type = "bead"
id = "{{blocker}}"

[[steps]]
id = "ci"
title = "After CI"
[steps.gate]
type = "gh:run"
id = "4242"

[[steps]]
id = "pr"
title = "After the PR merges"
[steps.gate]
type = "gh:pr"
id = "7"
"#;

/// A fake `gh` that answers from files in `dir` (`run.json`, `pr.json`) and logs its calls.
fn fake_gh(dir: &std::path::Path) {
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{d}/calls'\ncase \"$1\" in\n  run) cat '{d}/run.json' ;;\n  pr) cat '{d}/pr.json' ;;\n  *) echo unknown >&2; exit 1 ;;\nesac\n",
        d = dir.display()
    );
    let gh = dir.join("gh");
    std::fs::write(&gh, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every gate kind holds its step until it opens: the timer runs out, a person
/// approves, a message arrives, an issue closes, `gh` says the run succeeded and the
/// pull request merged.
#[test]
fn every_gate_kind_holds_its_step_until_it_opens() {
    let town = Town::new(PLAIN);
    town.formula("mol-gates", GATES);
    let blocker = town.create("Outside work");
    let bin = tempfile::tempdir().unwrap();
    fake_gh(bin.path());
    std::fs::write(
        bin.path().join("run.json"),
        r#"{"status":"in_progress","conclusion":""}"#,
    )
    .unwrap();
    std::fs::write(bin.path().join("pr.json"), r#"{"state":"OPEN"}"#).unwrap();
    let var = format!("blocker={blocker}");
    let child = town.start_run_with_path(
        &["mol-gates", "--var", &var, "--polecats", "2", "--wait"],
        bin.path(),
    );
    let wait = Duration::from_secs(30);
    town.wait_until("the timer step closes", wait, |i| closed(i, ".timed"));
    let poured = town.runs()[0].created_at.clone();
    let timed = town.find(".timed");
    let gap = gt::ledger::time::nanos(&timed.closed_at.clone().unwrap()).unwrap()
        - gt::ledger::time::nanos(&poured).unwrap();
    assert!(gap >= 1_000_000_000, "the timer opened after {gap} ns");
    // Nothing else moved: each waits for its gate.
    std::thread::sleep(Duration::from_millis(500));
    let issues = town.issues();
    for s in [".approved", ".told", ".after", ".ci", ".pr"] {
        assert!(!closed(&issues, s), "{s} closed before its gate opened");
    }
    assert!(
        std::fs::read_to_string(bin.path().join("calls"))
            .unwrap()
            .contains("run view 4242 --json status,conclusion")
    );
    let human = town.find(".gate-approved");
    town.gt(&["gate", "approve", &human.id, "--reason", "looks good"])
        .ok();
    town.wait_until("the approved step closes", wait, |i| closed(i, ".approved"));
    town.gt(&["mail", "send", "anyone", "--subject", "go ahead"])
        .ok();
    town.wait_until("the told step closes", wait, |i| closed(i, ".told"));
    town.gt(&["close", &blocker]).ok();
    town.wait_until("the after step closes", wait, |i| closed(i, ".after"));
    std::fs::write(
        bin.path().join("run.json"),
        r#"{"status":"completed","conclusion":"success"}"#,
    )
    .unwrap();
    town.wait_until("the ci step closes", wait, |i| closed(i, ".ci"));
    std::fs::write(bin.path().join("pr.json"), r#"{"state":"MERGED"}"#).unwrap();
    let out = finish(child, LIMIT, &town.path()).ok();
    let mol = town.runs()[0].id.clone();
    assert!(
        out.stdout.contains(&format!("{mol} is complete")),
        "{}",
        out.stdout
    );
    assert_eq!(
        town.find(".gate-approved").close_reason.as_deref(),
        Some("approved by tester: looks good")
    );
}

/// A gate that can never open (a failed CI run, a pull request closed unmerged) is
/// marked failed, the overseer is mailed, and the run stops with status 3; approving
/// it lets a second run finish the molecule.
#[test]
fn a_gate_that_cannot_open_fails_loudly_and_a_person_settles_it() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-ci",
        r#"formula = "mol-ci"

[[steps]]
id = "ci"
title = "After CI"
[steps.gate]
type = "gh:run"
id = "99"

[[steps]]
id = "pr"
title = "After the PR"
[steps.gate]
type = "gh:pr"
id = "8"
"#,
    );
    let bin = tempfile::tempdir().unwrap();
    fake_gh(bin.path());
    std::fs::write(
        bin.path().join("run.json"),
        r#"{"status":"completed","conclusion":"failure"}"#,
    )
    .unwrap();
    std::fs::write(bin.path().join("pr.json"), r#"{"state":"CLOSED"}"#).unwrap();
    let child = town.start_run_with_path(&["mol-ci", "--polecats", "1"], bin.path());
    let out = finish(child, LIMIT, &town.path());
    assert_eq!(out.code, 3, "{out:?}");
    let gate = town.find(".gate-ci");
    assert_eq!(gate.status, "open");
    assert!(gate.labels.iter().any(|l| l == "gate-failed"), "{gate:?}");
    assert!(
        gate.comments
            .iter()
            .any(|c| c.text.contains("run 99 concluded failure"))
    );
    let pr = town.find(".gate-pr");
    assert!(
        pr.comments
            .iter()
            .any(|c| c.text.contains("pull request 8 is closed, not merged"))
    );
    let mail = town.gt(&["mail", "inbox", "overseer"]).ok();
    assert!(mail.stdout.contains("GATE FAILED"), "{}", mail.stdout);
    let list = town.gt(&["gate", "list"]).ok();
    assert!(list.stdout.contains("(failed)"), "{}", list.stdout);
    // Not a gate: refused.
    let step = town.find(".ci");
    let refused = town.gt(&["gate", "approve", &step.id]);
    assert_eq!(refused.code, 1, "{refused:?}");
    town.gt(&["gate", "approve", &gate.id]).ok();
    town.gt(&["gate", "approve", &pr.id]).ok();
    let again = town.gt(&["gate", "approve", &pr.id]);
    assert_eq!(again.code, 1, "approving an open gate twice is refused");
    let out = town.run(&["mol-ci", "--polecats", "1"], LIMIT).ok();
    assert!(out.stdout.contains("is complete"), "{}", out.stdout);
}

/// Without `gh` on PATH a gh gate fails with that reason (it never waits forever).
#[test]
fn a_gh_gate_without_gh_fails_saying_so() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-ci",
        "formula = \"mol-ci\"\n\n[[steps]]\nid = \"ci\"\ntitle = \"CI\"\n[steps.gate]\ntype = \"gh:run\"\nid = \"1\"\n",
    );
    let empty = tempfile::tempdir().unwrap();
    let mut c = town::gt_command(&town.path());
    c.env("PATH", empty.path())
        .args(["run", "mol-ci", "--plain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // gt itself is found by its absolute path; `gh` is not found.
    let out = finish(c.spawn().unwrap(), LIMIT, &town.path());
    assert_eq!(out.code, 3, "{out:?}");
    let gate = town.find(".gate-ci");
    assert!(
        gate.comments
            .iter()
            .any(|c| c.text.contains("cannot start `gh`")),
        "{gate:?}"
    );
}

const FAN_OUT: &str = r#"formula = "mol-plan"

[[steps]]
id = "plan"
title = "Plan"
metadata = { script = { output = { parts = OUTPUT } } }
[steps.on_complete]
for_each = "output.parts"
bond = "mol-part"
vars = { part = "{item.name}", n = "{index}" }

[[steps]]
id = "review"
title = "Review"
needs = ["plan"]
"#;

const PART: &str = r#"formula = "mol-part"

[vars.part]
required = true
[vars.n]
required = true

[[steps]]
id = "do"
title = "Build {{part}} ({{n}})"
"#;

/// `on_complete` bonds one molecule per item of the step's output; the molecule is
/// complete only when they are.
#[test]
fn on_complete_bonds_a_molecule_per_item_and_the_run_waits_for_them() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-plan",
        &FAN_OUT.replace("OUTPUT", r#"[{ name = "api" }, { name = "ui" }]"#),
    );
    town.formula("mol-part", PART);
    let out = town.run(&["mol-plan", "--polecats", "2"], LIMIT).ok();
    let mol = town.runs()[0].id.clone();
    assert!(
        out.stdout.contains(&format!("{mol} is complete")),
        "{}",
        out.stdout
    );
    let mut titles: Vec<String> = town
        .steps(&mol)
        .into_iter()
        .filter(|s| s.title.starts_with("Build "))
        .map(|s| {
            assert_eq!(s.status, "closed", "{s:?}");
            s.title
        })
        .collect();
    titles.sort();
    assert_eq!(titles, ["Build api (0)", "Build ui (1)"]);
    let bonded: Vec<_> = town
        .issues()
        .into_iter()
        .filter(|i| i.issue_type == "molecule" && i.parent() == Some(mol.as_str()))
        .collect();
    assert_eq!(bonded.len(), 2);
    assert!(bonded.iter().all(|b| b.status == "closed"));
}

/// A `for_each` that finds no list in the output is an error: the step is escalated.
#[test]
fn on_complete_without_a_list_escalates_the_step() {
    let town = Town::new(PLAIN);
    town.formula("mol-plan", &FAN_OUT.replace("OUTPUT", "\"not a list\""));
    town.formula("mol-part", PART);
    let out = town.run(&["mol-plan", "--polecats", "1"], LIMIT);
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(town.find(".plan").status, "deferred");
    let mail = town.gt(&["mail", "inbox", "overseer"]).ok();
    assert!(mail.stdout.contains("names no list"), "{}", mail.stdout);
}

/// A gate that does not open within its `timeout` fails, and a condition that cannot be
/// evaluated (ordering text) fails: both loudly (label, note, mail), never a quiet wait.
#[test]
fn a_gate_past_its_timeout_and_a_condition_that_cannot_evaluate_fail_loudly() {
    let town = Town::new(PLAIN);
    let blocker = town.create("Never done");
    town.formula(
        "mol-late",
        &format!(
            r#"formula = "mol-late"

[[steps]]
id = "late"
title = "Waits too long"
[steps.gate]
type = "bead"
id = "{blocker}"
timeout = "300ms"

[[steps]]
id = "first"
title = "First"
metadata = {{ script = {{ output = {{ v = "abc" }} }} }}

[[steps]]
id = "odd"
title = "Odd condition"

[compose]
[[compose.gate]]
before = "odd"
condition = "first.output.v < 3"
"#
        ),
    );
    let out = town.run(&["mol-late", "--polecats", "1"], LIMIT);
    assert_eq!(out.code, 3, "{out:?}");
    let late = town.find(".gate-late");
    assert!(late.labels.iter().any(|l| l == "gate-failed"), "{late:?}");
    assert!(
        late.comments
            .iter()
            .any(|c| c.text.contains("did not open within its timeout")),
        "{late:?}"
    );
    let odd = town.find(".gate-odd-when1");
    assert!(
        odd.comments
            .iter()
            .any(|c| c.text.contains("are not both numbers")),
        "{odd:?}"
    );
    let mail = town.gt(&["mail", "inbox", "overseer"]).ok();
    assert_eq!(
        mail.stdout.matches("GATE FAILED").count(),
        2,
        "{}",
        mail.stdout
    );
}

const GIT: &str = "[rigs.app]\npath = \".\"\nbranch = \"main\"\n[village]\nheartbeat = \"200ms\"\ndeacon_cycle = \"100ms\"\n";

/// With a real repository: a gated loop and an `on_complete` fan-out are merged by the
/// refinery into main first in first out, each step once, no branch deleted before its
/// merge landed, and the molecule digested.
#[test]
fn loops_gates_and_on_complete_merge_into_main_in_fifo_order() {
    let town = Town::new(GIT);
    town.formula("mol-loop", &gated_loop("100ms"));
    town.run(&["mol-loop", "--polecats", "2"], LIMIT).ok();
    let mol = town.runs()[0].id.clone();
    town::assert_merged_fifo(&town, &mol, "app");
    assert_eq!(town.steps(&mol).len(), 4);
    town.formula(
        "mol-plan",
        &FAN_OUT.replace(
            "OUTPUT",
            r#"[{ name = "api" }, { name = "ui" }, { name = "db" }]"#,
        ),
    );
    town.formula("mol-part", PART);
    town.run(&["mol-plan", "--polecats", "3"], LIMIT).ok();
    let plan = town.runs().into_iter().find(|r| r.id != mol).unwrap().id;
    town::assert_merged_fifo(&town, &plan, "app");
    assert_eq!(
        town.steps(&plan).len(),
        2 + 3,
        "plan, review and a step per bonded part"
    );
    for m in [&mol, &plan] {
        assert!(
            town.issues()
                .iter()
                .any(|i| i.labels.iter().any(|l| l == "digest") && i.parent() == Some(m.as_str())),
            "no digest of {m}"
        );
    }
}

/// A run that only a person can move on says how: the human gate's `gt gate approve`
/// command and how to resume; after the approval the same molecule resumes and completes.
#[test]
fn a_stalled_run_names_the_approve_command_and_resumes_after_it() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-approve",
        r#"formula = "mol-approve"

[[steps]]
id = "build"
title = "Build"

[[steps]]
id = "ship"
title = "Ship"
needs = ["build"]
[steps.gate]
type = "human"
"#,
    );
    let out = town.run(&["mol-approve", "--polecats", "1"], LIMIT);
    assert_eq!(out.code, 3, "{out:?}");
    let gate = town.find(".gate-ship");
    let mol = town.runs()[0].id.clone();
    assert!(
        out.stdout
            .contains(&format!("open it with `gt gate approve {}`", gate.id)),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("then `gt run {mol}`")),
        "{}",
        out.stdout
    );
    assert!(!closed(&town.issues(), ".ship"));
    town.gt(&["gate", "approve", &gate.id]).ok();
    let again = town.run(&[mol.as_str()], LIMIT);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(closed(&town.issues(), ".ship"));
}

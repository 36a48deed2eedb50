//! `gt run` and what agents do: every exit, a hanging agent detected, nudged and
//! replaced, stale lifecycle mail ignored, and the `exec` and `claude` adapters (the
//! latter a fake `claude` on `PATH`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod town;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};
use town::{Town, finish};

const PLAIN: &str = "[rigs.plain]\ngit = false\n[village]\nheartbeat = \"200ms\"\n";
const LIMIT: Duration = Duration::from_secs(90);

fn step_formula(name: &str, attempts: &str) -> String {
    format!(
        "formula = \"{name}\"\n\n[[steps]]\nid = \"work\"\ntitle = \"Work\"\nmetadata = {{ script = {{ attempts = {attempts} }} }}\n"
    )
}

/// REFACTOR splits the rest into new issues the step waits for; a failed attempt is
/// retried; COMPLETED completes.
#[test]
fn refactor_and_failure_then_completed_finish_the_molecule() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-split",
        &step_formula(
            "mol-split",
            r#"[{ exit = "refactor", parts = ["parse", "check"] }, "fail", "completed"]"#,
        ),
    );
    let out = town.run(&["mol-split", "--polecats", "2"], LIMIT).ok();
    assert!(out.stdout.contains("is complete"), "{}", out.stdout);
    let work = town.find(".work");
    assert_eq!(work.status, "closed");
    let notes: Vec<&str> = work.comments.iter().map(|c| c.text.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|c| c.starts_with("[gt] attempt 1: refactored")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|c| c.starts_with("[gt] attempt 2 failed")),
        "{notes:?}"
    );
    let issues = town.issues();
    for part in ["parse", "check"] {
        let p = issues
            .iter()
            .find(|i| i.title == part)
            .unwrap_or_else(|| panic!("no issue `{part}`"));
        assert_eq!(p.status, "closed", "{p:?}");
        assert!(p.closed_at < work.closed_at);
    }
}

/// BLOCKED files the blocker and the step waits for it; ESCALATE defers the step and
/// mails the overseer; the run stops with status 3 saying what it waits for, and goes
/// on once a person has acted.
#[test]
fn blocked_and_escalate_wait_for_people_and_the_run_resumes() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-people",
        r#"formula = "mol-people"

[[steps]]
id = "blocked"
title = "Needs a key"
metadata = { script = { attempts = [{ exit = "blocked", blocker = "Get the API key" }, "completed"] } }

[[steps]]
id = "unsure"
title = "Unsure"
metadata = { script = { attempts = [{ exit = "escalate", reason = "which region?" }, "completed"] } }
"#,
    );
    let out = town.run(&["mol-people", "--polecats", "2"], LIMIT);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stdout.contains("cannot move on without you"),
        "{}",
        out.stdout
    );
    let issues = town.issues();
    let key = issues
        .iter()
        .find(|i| i.title == "Get the API key")
        .unwrap();
    assert_eq!(key.status, "open");
    let blocked = town.find(".blocked");
    assert_eq!(blocked.status, "open");
    assert!(
        blocked
            .dependencies
            .iter()
            .any(|d| d.depends_on_id == key.id && d.kind == "blocks")
    );
    assert!(out.stdout.contains(&key.id), "{}", out.stdout);
    let unsure = town.find(".unsure");
    assert_eq!(unsure.status, "deferred");
    let mail = town.gt(&["mail", "inbox", "overseer"]).ok();
    assert!(
        mail.stdout
            .contains(&format!("ESCALATE {}: which region?", unsure.id)),
        "{}",
        mail.stdout
    );
    town.gt(&["close", &key.id]).ok();
    town.gt(&["update", &unsure.id, "--status", "open"]).ok();
    let out = town.run(&["mol-people", "--polecats", "2"], LIMIT).ok();
    assert!(out.stdout.contains("is complete"), "{}", out.stdout);
}

fn logs_contain(town: &Town, what: &str) -> bool {
    town.logs().contains(what)
}

/// A hanging agent is detected, nudged, killed and replaced within the configured
/// timeouts, and the replacement completes its step; a lifecycle message about an
/// earlier generation changes nothing.
#[test]
fn a_hanging_polecat_is_nudged_replaced_and_its_step_completed_stale_news_ignored() {
    let town = Town::new(
        "[rigs.plain]\ngit = false\n[village]\nheartbeat = \"100ms\"\npatrol = \"100ms\"\nstuck_after = \"1s\"\nkill_after = \"1s\"\n",
    );
    town.formula(
        "mol-hang",
        r#"formula = "mol-hang"

[[steps]]
id = "hangs"
title = "Hangs once"
metadata = { script = { attempts = ["hang", "completed"] } }

[[steps]]
id = "slow"
title = "Slow"
needs = ["hangs"]
metadata = { script = { delay = "3s" } }
"#,
    );
    let child = town.start_run(&["mol-hang", "--polecats", "1"]);
    town.wait_until("the hanging step is taken", LIMIT, |i| {
        i.iter()
            .any(|s| s.id.ends_with(".hangs") && s.status == "in_progress")
    });
    let taken = Instant::now();
    town.wait_until("the hanging step is completed", LIMIT, |i| {
        i.iter()
            .any(|s| s.id.ends_with(".hangs") && s.status == "closed")
    });
    let took = taken.elapsed();
    // stuck_after + kill_after, plus patrol cycles and a restart.
    assert!(took < Duration::from_secs(8), "replaced after {took:?}");
    assert!(
        logs_contain(&town, "is stuck (heartbeat"),
        "{}",
        town.logs()
    );
    assert!(
        logs_contain(&town, "nudged by the witness"),
        "{}",
        town.logs()
    );
    assert!(
        logs_contain(&town, "did not answer a nudge"),
        "{}",
        town.logs()
    );
    let hangs = town.find(".hangs");
    assert!(
        hangs
            .comments
            .iter()
            .any(|c| c.text.starts_with("[gt] attempt 1 failed")),
        "{:?}",
        hangs.comments
    );
    assert!(logs_contain(&town, "took t-"), "{}", town.logs());
    let p = serde_json::from_str::<serde_json::Value>(
        &town.gt(&["peek", "plain/polecat-1", "--json"]).ok().stdout,
    )
    .unwrap();
    let generation = p["generation"].as_u64().unwrap();
    assert!(generation >= 2, "the replacement is a new generation: {p}");
    // Stale news: a respawn request about generation 1 is ignored.
    let stale = format!("LIFECYCLE respawn plain/polecat-1 g{}", generation - 1);
    town.gt(&["mail", "send", "plain/witness", "--subject", &stale])
        .ok();
    town.wait_until("the stale message is handled", LIMIT, |i| {
        i.iter().any(|m| m.title == stale && m.status == "closed")
    });
    assert!(
        logs_contain(&town, &format!("ignored `{stale}`")),
        "{}",
        town.logs()
    );
    let out = finish(child, LIMIT, &town.path()).ok();
    assert!(out.stdout.contains("is complete"), "{}", out.stdout);
    let after = serde_json::from_str::<serde_json::Value>(
        &town.gt(&["peek", "plain/polecat-1", "--json"]).ok().stdout,
    )
    .unwrap();
    assert_eq!(after["generation"].as_u64(), Some(generation), "{after}");
}

fn executable(path: &std::path::Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The `exec` adapter runs the configured command per step, the step in `GT_*`
/// variables; its exit status decides.
#[test]
fn the_exec_adapter_runs_the_command_per_step() {
    let town = Town::new(&format!(
        "{PLAIN}[agents.exec]\ncommand = [\"{}/agent.sh\"]\n",
        "AGENT_DIR"
    ));
    let bin = tempfile::tempdir().unwrap();
    let cfg = town.path().join(".beads/config.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("AGENT_DIR", &bin.path().display().to_string()),
    )
    .unwrap();
    let seen = bin.path().join("seen");
    executable(
        &bin.path().join("agent.sh"),
        &format!("echo \"$GT_STEP_ID\" >> '{}'", seen.display()),
    );
    town.formula("mol-fan", &town::fan("mol-fan", 3));
    let out = town
        .run(&["mol-fan", "--polecats", "2", "--agent", "exec"], LIMIT)
        .ok();
    assert!(out.stdout.contains("is complete"), "{}", out.stdout);
    let mut seen: Vec<String> = std::fs::read_to_string(&seen)
        .unwrap()
        .lines()
        .map(|l| l.rsplit('.').next().unwrap().to_owned())
        .collect();
    seen.sort();
    assert_eq!(seen, ["join", "s1", "s2", "s3"]);
}

/// The `claude` adapter: Claude Code headless (here a fake `claude` on `PATH`), its
/// result event deciding the exit.
#[test]
fn the_claude_adapter_drives_a_fake_claude_on_path() {
    let town = Town::new(PLAIN);
    let bin = tempfile::tempdir().unwrap();
    let calls = bin.path().join("calls");
    executable(
        &bin.path().join("claude"),
        &format!(
            r#"echo "$@" >> '{}'
cat > /dev/null
printf '%s\n' '{{"type":"system","subtype":"init","session_id":"s1"}}'
printf '%s\n' '{{"type":"result","subtype":"success","is_error":false,"result":"Done."}}'"#,
            calls.display()
        ),
    );
    town.formula("mol-fan", &town::fan("mol-fan", 2));
    let child = town.start_run_with_path(
        &["mol-fan", "--polecats", "1", "--agent", "claude"],
        bin.path(),
    );
    let out = finish(child, LIMIT, &town.path()).ok();
    assert!(out.stdout.contains("is complete"), "{}", out.stdout);
    let calls = std::fs::read_to_string(&calls).unwrap();
    // One call per step (s1, s2, join), each headless with the role prompt.
    assert_eq!(
        calls
            .matches(
                "-p --output-format stream-json --verbose --append-system-prompt You are a polecat"
            )
            .count(),
        3,
        "{calls}"
    );
}

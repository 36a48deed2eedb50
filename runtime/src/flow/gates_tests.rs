//! `check_gh` against fake `gh` programs: each answer, a failure, a hang (the time limit),
//! a missing program.
#![allow(clippy::unwrap_used)]

use super::{Verdict, check_gh_with};
use crate::ledger::Issue;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn gate(kind: &str, target: &str) -> Issue {
    Issue {
        id: String::from("t-mol.gate-ci"),
        issue_type: String::from("gate"),
        await_type: Some(kind.to_owned()),
        await_id: Some(target.to_owned()),
        ..Issue::default()
    }
}

/// A `gh` named `name` that runs `body` (a shell script); each fake is its own file, so
/// none is rewritten after it has run.
fn fake(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let gh = dir.join(name);
    std::fs::write(&gh, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    gh
}

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn answers_open_wait_or_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let run = gate("gh:run", "42");
    let ok = fake(
        dir.path(),
        "ok",
        r#"echo '{"status":"completed","conclusion":"success"}'"#,
    );
    assert_eq!(
        check_gh_with(&run, dir.path(), &ok, LIMIT),
        Verdict::Open(String::from("run 42 succeeded"))
    );
    let going = fake(
        dir.path(),
        "going",
        r#"echo '{"status":"in_progress","conclusion":""}'"#,
    );
    assert_eq!(
        check_gh_with(&run, dir.path(), &going, LIMIT),
        Verdict::Wait
    );
    let garbage = fake(dir.path(), "garbage", "echo not json");
    let Verdict::Failed(why) = check_gh_with(&run, dir.path(), &garbage, LIMIT) else {
        panic!("not JSON must fail the gate");
    };
    assert!(why.contains("not JSON"), "{why}");
    let failing = fake(
        dir.path(),
        "failing",
        "echo 'HTTP 404: Not Found' >&2\nexit 1",
    );
    let Verdict::Failed(why) = check_gh_with(&run, dir.path(), &failing, LIMIT) else {
        panic!("a failing gh must fail the gate");
    };
    assert!(
        why.contains("`gh run view 42 --json status,conclusion` failed (exit status 1)")
            && why.contains("HTTP 404"),
        "{why}"
    );
    let pr = gate("gh:pr", "7");
    let merged = fake(dir.path(), "merged", r#"echo '{"state":"MERGED"}'"#);
    assert_eq!(
        check_gh_with(&pr, dir.path(), &merged, LIMIT),
        Verdict::Open(String::from("pull request 7 is merged"))
    );
}

/// A `gh` that never answers fails the gate at the time limit instead of stalling the
/// deacon that asked.
#[test]
fn a_hanging_gh_fails_the_gate_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let hang = fake(dir.path(), "hang", "sleep 30");
    let start = Instant::now();
    let verdict = check_gh_with(
        &gate("gh:pr", "7"),
        dir.path(),
        &hang,
        Duration::from_millis(300),
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let Verdict::Failed(why) = verdict else {
        panic!("a hang must fail the gate: {verdict:?}");
    };
    assert!(why.starts_with("`gh pr view 7 --json state` "), "{why}");
    assert!(why.contains("timed out"), "{why}");
}

#[test]
fn a_missing_gh_fails_saying_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-gh");
    let Verdict::Failed(why) = check_gh_with(&gate("gh:run", "1"), dir.path(), &missing, LIMIT)
    else {
        panic!("a missing gh must fail the gate");
    };
    assert!(why.contains("is it installed and on PATH?"), "{why}");
}

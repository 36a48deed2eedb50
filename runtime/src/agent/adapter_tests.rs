//! The exec and claude adapters against fake programs.

use super::claude::Claude;
use super::exec::Exec;
use super::{Agent, Outcome, Task, Watch};
use crate::ledger::Issue;
use crate::town::config::{ClaudeConfig, ExecConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    path
}

fn task(dir: &Path) -> Task {
    Task {
        agent: String::from("app/polecat-1"),
        role: String::from("polecat"),
        step: Issue {
            id: String::from("t-mol-1.build"),
            title: String::from("Build `it`; $(rm -rf /)"),
            description: Some(String::from("Compile the thing.")),
            ..Issue::default()
        },
        molecule: None,
        attempt: 2,
        workdir: dir.to_path_buf(),
        prompt_file: dir.join("prompt.md"),
        result_file: dir.join("result.json"),
        town: dir.to_path_buf(),
        vars: [(String::from("component"), String::from("auth"))]
            .into_iter()
            .collect(),
    }
}

fn exec(cmd: &Path, timeout: Duration) -> Exec {
    Exec::new(ExecConfig {
        command: vec![cmd.display().to_string(), String::from("--flag")],
        timeout,
    })
}

#[test]
fn exec_gets_the_step_as_data_and_reports_through_the_result_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cmd = script(
        dir.path(),
        "agent.sh",
        r#"printf '%s\n' "$GT_STEP_TITLE" > title.txt
echo "$1 $GT_STEP_ID $GT_ATTEMPT $GT_VAR_component" > env.txt
cp "$GT_PROMPT_FILE" seen-prompt.md
echo working
echo '{"exit":"blocked","blocker":"the staging database"}' > "$GT_RESULT_FILE""#,
    );
    let watch = Watch::default();
    let out = exec(&cmd, Duration::from_secs(30))
        .run(&task(dir.path()), &watch)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        Outcome::Blocked {
            blocker: String::from("the staging database"),
            detail: None
        }
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap_or_default();
    // The title reached the program verbatim: nothing in it was run by a shell.
    assert_eq!(read("title.txt"), "Build `it`; $(rm -rf /)\n");
    assert_eq!(read("env.txt"), "--flag t-mol-1.build 2 auth\n");
    assert!(read("seen-prompt.md").contains("Compile the thing."));
    assert!(watch.activity() >= 1, "a printed line is a sign of life");
    assert_eq!(watch.child(), None, "the child is forgotten once it ended");
}

#[test]
fn exec_exit_status_decides_without_a_result_and_a_stale_result_is_not_read() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = task(dir.path());
    std::fs::write(&t.result_file, r#"{"exit":"escalate","reason":"old"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let ok = script(dir.path(), "ok.sh", "exit 0");
    let out = exec(&ok, Duration::from_secs(30))
        .run(&t, &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(out, Outcome::Completed { .. }), "{out:?}");
    let bad = script(dir.path(), "bad.sh", "echo 'no such file' >&2\nexit 3");
    let out = exec(&bad, Duration::from_secs(30))
        .run(&t, &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    match out {
        Outcome::Failed { reason } => {
            assert!(
                reason.contains("status 3") && reason.contains("no such file"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    let line = script(
        dir.path(),
        "line.sh",
        "echo 'GT-EXIT: ESCALATE which licence?'",
    );
    let out = exec(&line, Duration::from_secs(30))
        .run(&t, &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        Outcome::Escalate {
            reason: String::from("which licence?")
        }
    );
    let junk = script(
        dir.path(),
        "junk.sh",
        r#"echo '{"exit":' > "$GT_RESULT_FILE""#,
    );
    let out = exec(&junk, Duration::from_secs(30))
        .run(&t, &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&out, Outcome::Failed { reason } if reason.contains("result.json")),
        "{out:?}"
    );
}

#[test]
fn exec_is_killed_at_its_timeout_or_when_stopped_with_what_it_started() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let slow = script(
        dir.path(),
        "slow.sh",
        "sleep 30 &\necho $! > child.pid\nwait",
    );
    let started = std::time::Instant::now();
    let out = exec(&slow, Duration::from_millis(300))
        .run(&task(dir.path()), &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        matches!(&out, Outcome::Failed { reason } if reason.contains("timed out")),
        "{out:?}"
    );
    let pid: u32 = std::fs::read_to_string(dir.path().join("child.pid"))
        .unwrap_or_default()
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let gone = crate::town::process::ProcId::of(pid)
            .ok()
            .flatten()
            .is_none_or(|p| p.state() != crate::town::process::ProcState::Alive);
        if gone {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the grandchild outlived the timeout"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let watch = Watch::default();
    watch.stop();
    let out = exec(&slow, Duration::from_secs(30))
        .run(&task(dir.path()), &watch)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, Outcome::Stopped);
    let missing = exec(&dir.path().join("nope"), Duration::from_secs(1))
        .run(&task(dir.path()), &Watch::default());
    assert!(missing.is_err());
}

/// A fake `claude`: records its arguments and input, streams events, ends with `$RESULT`.
fn fake_claude(dir: &Path, result_event: &str) -> PathBuf {
    script(
        dir,
        "claude",
        &format!(
            r#"printf '%s\n' "$@" > args.txt
cat > stdin.txt
printf '%s\n' '{{"type":"system","subtype":"init","session_id":"s1"}}'
printf '%s\n' '{{"type":"assistant","message":{{"content":[{{"type":"text","text":"on it"}}]}}}}'
printf '%s\n' '{result_event}'"#
        ),
    )
}

fn claude(cmd: &Path) -> Claude {
    Claude::new(ClaudeConfig {
        command: cmd.display().to_string(),
        args: vec![String::from("--model"), String::from("sonnet")],
        timeout: Duration::from_secs(30),
    })
}

#[test]
fn claude_runs_headless_with_the_role_prompt_and_the_step_on_stdin() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cmd = fake_claude(
        dir.path(),
        r#"{"type":"result","subtype":"success","is_error":false,"result":"Done.\nGT-EXIT: REFACTOR parser; checker"}"#,
    );
    let watch = Watch::default();
    let out = claude(&cmd)
        .run(&task(dir.path()), &watch)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        Outcome::Refactor {
            parts: vec![String::from("parser"), String::from("checker")]
        }
    );
    let args = std::fs::read_to_string(dir.path().join("args.txt")).unwrap_or_default();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(
        &args[..4],
        ["-p", "--output-format", "stream-json", "--verbose"]
    );
    assert_eq!(args[4], "--append-system-prompt");
    assert!(args.contains(&"You are a polecat: a worker in a village of agents that executes a molecule (a plan of steps) together. You work on exactly one step, in your own git worktree (the current directory), on a branch made for this step. Make the change the step asks for and leave it in the working tree; your polecat commits it and submits it to the merge queue. Other steps are other agents' work: do not start them."));
    assert_eq!(&args[args.len() - 2..], ["--model", "sonnet"]);
    let stdin = std::fs::read_to_string(dir.path().join("stdin.txt")).unwrap_or_default();
    assert!(stdin.starts_with("# Step t-mol-1.build: Build"), "{stdin}");
    assert!(watch.activity() >= 3, "each event is a sign of life");
}

#[test]
fn claude_success_error_and_silence() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ok = fake_claude(
        dir.path(),
        r#"{"type":"result","subtype":"success","is_error":false,"result":"All done."}"#,
    );
    let out = claude(&ok)
        .run(&task(dir.path()), &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        Outcome::Completed {
            output: None,
            summary: Some(String::from("All done."))
        }
    );
    let err = fake_claude(
        dir.path(),
        r#"{"type":"result","subtype":"error_max_turns","is_error":true,"result":"ran out"}"#,
    );
    let out = claude(&err)
        .run(&task(dir.path()), &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&out, Outcome::Failed { reason } if reason.contains("error_max_turns")),
        "{out:?}"
    );
    let silent = script(dir.path(), "silent", "echo hello");
    let out = claude(&silent)
        .run(&task(dir.path()), &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&out, Outcome::Failed { reason } if reason.contains("without a result event")),
        "{out:?}"
    );
}

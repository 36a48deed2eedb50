//! The built-in agent: deterministic, for tests and demos. It works a step for a delay
//! (showing a sign of life every tick), writes a file into the worktree so there is
//! something to merge, and ends the way the step's plan says for this attempt.
//!
//! The plan is the step's `metadata.script` (a formula sets it), over the town's
//! `[agents.script]` defaults:
//!
//! ```toml
//! [[steps]]
//! id = "flaky"
//! title = "Flaky"
//! metadata = { script = { delay = "50ms", attempts = ["fail", "completed"], output = { ok = true } } }
//! ```
//!
//! `attempts` lists what each attempt does (the last one repeats): `completed`, `fail`,
//! `hang` (no sign of life until stopped), `hang-until-nudged`, `crash` (the agent's
//! process exits at once, as a crash would), `blocked`, `refactor`, `escalate`, or a table
//! such as `{ exit = "refactor", parts = ["parse", "check"] }`, `{ exit = "blocked",
//! blocker = "..." }`, `{ exit = "escalate", reason = "..." }`, `{ exit = "fail",
//! reason = "..." }`. `output` is the step's output on completion; `write = false`
//! leaves the worktree untouched.

use super::{Agent, Outcome, Task, Watch};
use crate::error::{Error, Result};
use crate::town::config::{ScriptConfig, duration};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The longest pause between two signs of life while working.
const TICK: Duration = Duration::from_millis(50);

/// The script agent.
pub struct Script {
    defaults: ScriptConfig,
}

impl Script {
    pub fn new(defaults: ScriptConfig) -> Script {
        Script { defaults }
    }
}

/// What one attempt does.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    Complete,
    Fail(String),
    Hang { until_nudged: bool },
    Crash,
    Blocked(String),
    Refactor(Vec<String>),
    Escalate(String),
}

/// A step's plan.
#[derive(Clone, Debug, PartialEq)]
struct Plan {
    delay: Duration,
    write: bool,
    attempts: Vec<Action>,
    output: Option<Value>,
}

fn plan(task: &Task, defaults: &ScriptConfig) -> Result<Plan> {
    let bad =
        |what: String| Error::Invalid(format!("step `{}`: metadata.script: {what}", task.step.id));
    let mut p = Plan {
        delay: defaults.delay,
        write: defaults.write,
        attempts: Vec::new(),
        output: None,
    };
    let meta = task
        .step
        .metadata_value()
        .map_err(|e| bad(format!("the metadata is not JSON: {e}")))?;
    let Some(script) = meta.as_ref().and_then(|m| m.get("script")) else {
        return Ok(p);
    };
    let obj = script
        .as_object()
        .ok_or_else(|| bad(String::from("expected a table")))?;
    for (key, value) in obj {
        match key.as_str() {
            "delay" => {
                let s = value.as_str().ok_or_else(|| {
                    bad(String::from(
                        "`delay` is a duration string such as \"50ms\"",
                    ))
                })?;
                p.delay = duration(s).map_err(bad)?;
            }
            "write" => {
                p.write = value
                    .as_bool()
                    .ok_or_else(|| bad(String::from("`write` is true or false")))?;
            }
            "output" => p.output = Some(value.clone()),
            "attempts" => {
                let list = value
                    .as_array()
                    .ok_or_else(|| bad(String::from("`attempts` is a list")))?;
                for a in list {
                    p.attempts.push(action(a).map_err(bad)?);
                }
            }
            other => {
                return Err(bad(format!(
                    "unknown key `{other}` (keys: delay, write, attempts, output)"
                )));
            }
        }
    }
    Ok(p)
}

fn action(v: &Value) -> std::result::Result<Action, String> {
    let (exit, table) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(o) => (
            o.get("exit")
                .and_then(Value::as_str)
                .ok_or_else(|| String::from("an attempt table needs `exit`"))?,
            Some(o),
        ),
        _ => return Err(format!("an attempt is a name or a table, not {v}")),
    };
    let text = |key: &str, default: &str| -> String {
        table
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    Ok(match exit {
        "completed" => Action::Complete,
        "fail" => Action::Fail(text("reason", "the script says this attempt fails")),
        "hang" => Action::Hang {
            until_nudged: false,
        },
        "hang-until-nudged" => Action::Hang { until_nudged: true },
        "crash" => Action::Crash,
        "blocked" => Action::Blocked(text("blocker", "an outside dependency")),
        "escalate" => Action::Escalate(text("reason", "the script asks a person to decide")),
        "refactor" => {
            let parts: Vec<String> = match table.and_then(|t| t.get("parts")) {
                None => vec![String::from("first part"), String::from("second part")],
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|p| {
                        p.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| String::from("`parts` are titles (strings)"))
                    })
                    .collect::<std::result::Result<_, _>>()?,
                Some(_) => return Err(String::from("`parts` is a list of titles")),
            };
            if parts.is_empty() {
                return Err(String::from("`parts` is empty"));
            }
            Action::Refactor(parts)
        }
        other => {
            return Err(format!(
                "unknown attempt `{other}`: completed, fail, hang, hang-until-nudged, crash, blocked, refactor, escalate"
            ));
        }
    })
}

impl Agent for Script {
    fn run(&mut self, task: &Task, watch: &Watch) -> Result<Outcome> {
        let plan = plan(task, &self.defaults)?;
        let n = usize::try_from(task.attempt.max(1)).unwrap_or(usize::MAX) - 1;
        let action = plan
            .attempts
            .get(n)
            .or_else(|| plan.attempts.last())
            .cloned()
            .unwrap_or(Action::Complete);
        if let Action::Hang { until_nudged } = action {
            loop {
                if watch.stopping() {
                    return Ok(Outcome::Stopped);
                }
                if until_nudged && watch.take_nudge() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        watch.beat();
        let end = Instant::now() + plan.delay;
        loop {
            if watch.stopping() {
                return Ok(Outcome::Stopped);
            }
            let now = Instant::now();
            if now >= end {
                break;
            }
            std::thread::sleep(TICK.min(end - now));
            watch.beat();
        }
        Ok(match action {
            Action::Crash => {
                eprintln!(
                    "script agent: crashing on `{}` attempt {}, as its plan says",
                    task.step.id, task.attempt
                );
                std::process::exit(70);
            }
            Action::Complete | Action::Hang { .. } => {
                if plan.write {
                    write_work(task)?;
                }
                Outcome::Completed {
                    output: plan.output,
                    summary: None,
                }
            }
            Action::Fail(reason) => Outcome::Failed { reason },
            Action::Blocked(blocker) => Outcome::Blocked {
                blocker,
                detail: None,
            },
            Action::Refactor(parts) => Outcome::Refactor { parts },
            Action::Escalate(reason) => Outcome::Escalate { reason },
        })
    }
}

/// The step's work: `gt-work/<step id>.md` in the working directory.
fn write_work(task: &Task) -> Result<()> {
    let dir = task.workdir.join("gt-work");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name: String = task
        .step
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{name}.md"));
    let text = format!(
        "# {}\n\nstep {} (attempt {})\n",
        task.step.title, task.step.id, task.attempt
    );
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Issue;
    use crate::ledger::raw::RawJson;

    fn task(meta: Option<Value>, attempt: u32, dir: &std::path::Path) -> Task {
        Task {
            agent: String::from("app/polecat-1"),
            role: String::from("polecat"),
            step: Issue {
                id: String::from("t-mol-1.build"),
                title: String::from("Build"),
                metadata: meta.map(|m| RawJson::from_value(&m).unwrap_or_else(|e| panic!("{e}"))),
                ..Issue::default()
            },
            molecule: None,
            attempt,
            workdir: dir.to_path_buf(),
            prompt_file: dir.join("prompt.md"),
            result_file: dir.join("result.json"),
            town: dir.to_path_buf(),
            vars: Default::default(),
        }
    }

    fn run(meta: Value, attempt: u32) -> Result<Outcome> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        Script::new(ScriptConfig {
            delay: Duration::ZERO,
            write: false,
        })
        .run(&task(Some(meta), attempt, dir.path()), &Watch::default())
    }

    #[test]
    fn attempts_follow_the_plan_and_the_last_repeats() {
        let meta = serde_json::json!({"script": {"attempts": [
            "fail",
            {"exit": "refactor", "parts": ["a", "b"]},
            {"exit": "blocked", "blocker": "the key"},
            "escalate",
            "completed"
        ], "output": {"ok": true}}});
        assert!(matches!(run(meta.clone(), 1), Ok(Outcome::Failed { .. })));
        assert_eq!(
            run(meta.clone(), 2).ok(),
            Some(Outcome::Refactor {
                parts: vec![String::from("a"), String::from("b")]
            })
        );
        assert!(
            matches!(run(meta.clone(), 3), Ok(Outcome::Blocked { ref blocker, .. }) if blocker == "the key")
        );
        assert!(matches!(run(meta.clone(), 4), Ok(Outcome::Escalate { .. })));
        for n in [5, 9] {
            assert_eq!(
                run(meta.clone(), n).ok(),
                Some(Outcome::Completed {
                    output: Some(serde_json::json!({"ok": true})),
                    summary: None
                })
            );
        }
    }

    #[test]
    fn a_bad_plan_is_an_error_naming_the_step() {
        for bad in [
            serde_json::json!({"script": {"attempts": ["explode"]}}),
            serde_json::json!({"script": {"delay": "soon"}}),
            serde_json::json!({"script": {"colour": 1}}),
            serde_json::json!({"script": "fast"}),
            serde_json::json!({"script": {"attempts": [{"exit": "refactor", "parts": []}]}}),
        ] {
            let e = run(bad.clone(), 1)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                e.contains("t-mol-1.build") && e.contains("metadata.script"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn working_shows_signs_of_life_writes_the_work_and_stops_when_asked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut agent = Script::new(ScriptConfig {
            delay: Duration::from_millis(120),
            write: true,
        });
        let watch = Watch::default();
        let out = agent
            .run(&task(None, 1, dir.path()), &watch)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(out, Outcome::Completed { .. }));
        assert!(watch.activity() >= 3, "{}", watch.activity());
        assert!(dir.path().join("gt-work/t-mol-1.build.md").is_file());
        let hang = serde_json::json!({"script": {"attempts": ["hang"]}});
        let watch = Watch::default();
        watch.stop();
        let out = agent
            .run(&task(Some(hang), 1, dir.path()), &watch)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, Outcome::Stopped);
        assert_eq!(watch.activity(), 0, "a hung agent shows no sign of life");
    }

    #[test]
    fn a_nudge_wakes_an_agent_that_waits_for_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let meta =
            serde_json::json!({"script": {"attempts": ["hang-until-nudged"], "write": false}});
        let t = task(Some(meta), 1, dir.path());
        let watch = Watch::default();
        let out = std::thread::scope(|s| {
            let h = s.spawn(|| {
                Script::new(ScriptConfig {
                    delay: Duration::ZERO,
                    write: false,
                })
                .run(&t, &watch)
            });
            std::thread::sleep(Duration::from_millis(60));
            assert_eq!(watch.activity(), 0);
            watch.nudge();
            h.join()
        });
        assert!(matches!(out, Ok(Ok(Outcome::Completed { .. }))), "{out:?}");
    }
}

//! The exec adapter: a configured command runs each step.
//!
//! The command (`[agents.exec] command = ["./agent.sh", "--fast"]`, argv, never a shell
//! string) runs in the agent's worktree with the step in its environment:
//!
//! | variable | value |
//! | --- | --- |
//! | `GT_AGENT`, `GT_ROLE` | the agent's address and role |
//! | `GT_STEP_ID`, `GT_STEP_TITLE` | the step |
//! | `GT_MOLECULE` | the molecule root's id (empty for a single issue) |
//! | `GT_ATTEMPT` | 1 for the first attempt |
//! | `GT_WORKDIR`, `GT_TOWN` | where to work; the town's root |
//! | `GT_PROMPT_FILE` | the prompt (role instructions, then the step) |
//! | `GT_RESULT_FILE` | where to write the exit as JSON (see [`super::result`]) |
//! | `GT_VAR_<name>` | each of the molecule's var values |
//!
//! Every line it prints is a sign of life. Its exit comes from the result file, else a
//! `GT-EXIT:` line of its output, else its exit status (0: COMPLETED).

use super::{Agent, Outcome, Task, Watch, child, prompt, result};
use crate::error::{Error, Result};
use crate::town::config::ExecConfig;
use std::process::Command;

/// The exec adapter.
pub struct Exec {
    config: ExecConfig,
}

impl Exec {
    pub fn new(config: ExecConfig) -> Exec {
        Exec { config }
    }
}

/// The `GT_*` environment of `task`.
pub fn environment(task: &Task) -> Vec<(String, String)> {
    let mut env = vec![
        (String::from("GT_AGENT"), task.agent.clone()),
        (String::from("GT_ROLE"), task.role.clone()),
        (String::from("GT_STEP_ID"), task.step.id.clone()),
        (String::from("GT_STEP_TITLE"), task.step.title.clone()),
        (
            String::from("GT_MOLECULE"),
            task.molecule
                .as_ref()
                .map(|m| m.id.clone())
                .unwrap_or_default(),
        ),
        (String::from("GT_ATTEMPT"), task.attempt.to_string()),
        (
            String::from("GT_WORKDIR"),
            task.workdir.display().to_string(),
        ),
        (String::from("GT_TOWN"), task.town.display().to_string()),
        (
            String::from("GT_PROMPT_FILE"),
            task.prompt_file.display().to_string(),
        ),
        (
            String::from("GT_RESULT_FILE"),
            task.result_file.display().to_string(),
        ),
    ];
    for (k, v) in &task.vars {
        env.push((format!("GT_VAR_{k}"), v.clone()));
    }
    env
}

/// Clear a stale result file, so an old exit is never read as this attempt's.
pub fn clear_result(task: &Task) -> Result<()> {
    match std::fs::remove_file(&task.result_file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&task.result_file, e)),
    }
}

impl Agent for Exec {
    fn run(&mut self, task: &Task, watch: &Watch) -> Result<Outcome> {
        prompt::write(task)?;
        clear_result(task)?;
        let Some((program, args)) = self.config.command.split_first() else {
            return Err(Error::Invalid(String::from(
                "[agents.exec] command is empty",
            )));
        };
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(&task.workdir)
            .envs(environment(task));
        let done = child::run(cmd, None, watch, self.config.timeout)?;
        Ok(outcome(task, &done, program))
    }
}

/// The outcome of a finished program (result file, exit line, exit status).
pub fn outcome(task: &Task, done: &child::Finished, program: &str) -> Outcome {
    if done.ended.as_deref() == Some("stopped") {
        return Outcome::Stopped;
    }
    if let Some(why) = &done.ended {
        return Outcome::Failed {
            reason: format!("`{program}` {why}"),
        };
    }
    if let Some(o) = result::read_file(&task.result_file) {
        return o;
    }
    if let Some(o) = result::from_text(&done.stdout.join("\n")) {
        return o;
    }
    match done.code {
        Some(0) => Outcome::Completed {
            output: None,
            summary: None,
        },
        code => Outcome::Failed {
            reason: format!(
                "`{program}` exited with {}{}",
                code.map_or_else(|| String::from("a signal"), |c| format!("status {c}")),
                if done.stderr_tail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", done.stderr_tail.join(" | "))
                }
            ),
        },
    }
}

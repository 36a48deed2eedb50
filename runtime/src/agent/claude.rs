//! The claude adapter: the Claude Code CLI in headless mode.
//!
//! Runs `claude -p --output-format stream-json --verbose --append-system-prompt <role
//! instructions> [args from [agents.claude]]` in the agent's worktree, with the step
//! prompt on standard input and the exec adapter's `GT_*` environment. Every streamed
//! event is a sign of life. The exit comes from the result file (`$GT_RESULT_FILE`),
//! else a `GT-EXIT:` line of the final result text, else the final `result` event
//! (`is_error: false` is COMPLETED), else the exit status.

use super::{Agent, Outcome, Task, Watch, child, exec, prompt, result};
use crate::error::Result;
use crate::town::config::ClaudeConfig;
use serde_json::Value;
use std::process::Command;

/// The claude adapter.
pub struct Claude {
    config: ClaudeConfig,
}

impl Claude {
    pub fn new(config: ClaudeConfig) -> Claude {
        Claude { config }
    }
}

/// The arguments given to `claude` (before the configured extra ones).
pub fn arguments(task: &Task) -> Vec<String> {
    vec![
        String::from("-p"),
        String::from("--output-format"),
        String::from("stream-json"),
        String::from("--verbose"),
        String::from("--append-system-prompt"),
        prompt::role_prompt(&task.role),
    ]
}

impl Agent for Claude {
    fn run(&mut self, task: &Task, watch: &Watch) -> Result<Outcome> {
        prompt::write(task)?;
        exec::clear_result(task)?;
        let mut cmd = Command::new(&self.config.command);
        cmd.args(arguments(task))
            .args(&self.config.args)
            .current_dir(&task.workdir)
            .envs(exec::environment(task));
        let done = child::run(
            cmd,
            Some(&prompt::step_prompt(task)),
            watch,
            self.config.timeout,
        )?;
        if done.ended.is_some() {
            return Ok(exec::outcome(task, &done, &self.config.command));
        }
        if let Some(o) = result::read_file(&task.result_file) {
            return Ok(o);
        }
        let last = done
            .stdout
            .iter()
            .rev()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v.get("type").and_then(Value::as_str) == Some("result"));
        let Some(last) = last else {
            return Ok(match exec::outcome(task, &done, &self.config.command) {
                Outcome::Completed { .. } => Outcome::Failed {
                    reason: format!(
                        "`{}` ended without a result event (is it Claude Code, run with --output-format stream-json?)",
                        self.config.command
                    ),
                },
                other => other,
            });
        };
        let text = last
            .get("result")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(o) = result::from_text(text) {
            return Ok(o);
        }
        let is_error = last
            .get("is_error")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        Ok(if is_error || done.code != Some(0) {
            Outcome::Failed {
                reason: format!(
                    "claude reported an error ({}): {}",
                    last.get("subtype")
                        .and_then(Value::as_str)
                        .unwrap_or("no subtype"),
                    excerpt(text)
                ),
            }
        } else {
            Outcome::Completed {
                output: None,
                summary: (!text.trim().is_empty()).then(|| excerpt(text)),
            }
        })
    }
}

/// At most 500 characters of `text` on one line.
fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(500) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

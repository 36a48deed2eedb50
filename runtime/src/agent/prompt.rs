//! The prompt an external agent reads: the role's standing instructions, then the step
//! (title, description, notes, the molecule and its vars, earlier attempts), then how to
//! report the exit. Written to the task's prompt file before the agent starts.

use super::Task;
use crate::error::{Error, Result};

/// The standing instructions of `role`.
pub fn role_prompt(role: &str) -> String {
    let who = match role {
        "polecat" => {
            "You are a polecat: a worker in a village of agents that executes a molecule (a \
plan of steps) together. You work on exactly one step, in your own git worktree (the current \
directory), on a branch made for this step. Make the change the step asks for and leave it in \
the working tree; your polecat commits it and submits it to the merge queue. Other steps are \
other agents' work: do not start them."
        }
        "refinery" => {
            "You are the refinery of a village of agents: you keep the merge queue. The step is \
part of your patrol."
        }
        "witness" => {
            "You are the witness of a village of agents: you watch over the polecats. The step \
is part of your patrol."
        }
        _ => "You are an agent in a village of agents. The step is part of your patrol.",
    };
    format!(
        "{who}\n\nWhen you are done, say how the step ended: write a JSON object to the file named \
by $GT_RESULT_FILE, or end your last message with one line:\n\
- `GT-EXIT: COMPLETED` - the work is done;\n\
- `GT-EXIT: BLOCKED <what blocks it>` - something outside the step stands in the way;\n\
- `GT-EXIT: REFACTOR <part>; <part>; ...` - the step is too big: these parts come first;\n\
- `GT-EXIT: ESCALATE <question>` - a person must decide.\n"
    )
}

/// The step as the agent reads it.
pub fn step_prompt(task: &Task) -> String {
    let s = &task.step;
    let mut t = format!("# Step {}: {}\n\n", s.id, s.title);
    if let Some(d) = s.description.as_deref().filter(|d| !d.trim().is_empty()) {
        t.push_str(d.trim());
        t.push_str("\n\n");
    }
    if let Some(n) = s.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        t.push_str("## Notes\n\n");
        t.push_str(n.trim());
        t.push_str("\n\n");
    }
    if let Some(m) = &task.molecule {
        t.push_str(&format!("## Molecule\n\n{} ({})\n", m.title, m.id));
        if let Some(d) = m.description.as_deref().filter(|d| !d.trim().is_empty()) {
            t.push_str(&format!("{}\n", d.trim()));
        }
        t.push('\n');
    }
    if !task.vars.is_empty() {
        t.push_str("## Values\n\n");
        for (k, v) in &task.vars {
            t.push_str(&format!("- {k} = {v}\n"));
        }
        t.push('\n');
    }
    let history: Vec<&str> = s
        .comments
        .iter()
        .filter(|c| c.text.starts_with("[gt]"))
        .map(|c| c.text.as_str())
        .collect();
    if !history.is_empty() {
        t.push_str(&format!(
            "## Earlier attempts (this is attempt {})\n\n",
            task.attempt
        ));
        for h in history {
            t.push_str(&format!("- {h}\n"));
        }
        t.push('\n');
    }
    t
}

/// Write the whole prompt (role, then step) to the task's prompt file; the text.
pub fn write(task: &Task) -> Result<String> {
    let text = format!("{}\n{}", role_prompt(&task.role), step_prompt(task));
    if let Some(dir) = task.prompt_file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&task.prompt_file, &text).map_err(|e| Error::io(&task.prompt_file, e))?;
    Ok(text)
}

//! `gt distill MOL [NAME]`: a formula (TOML) written back from a molecule, the inverse
//! of pour (spec §5.8, with its bugs fixed: §8.1 item 15).
//!
//! * Steps are the root's descendants, **nested as they are** (`parent-child` becomes
//!   `children`), never flattened.
//! * A step's id is its issue id relative to its parent (`<root>.build.unit` under
//!   `<root>.build` is `unit`), so pouring the distilled formula gives the same relative
//!   ids; an issue whose id does not extend its parent's (a bonded molecule's root, an
//!   issue joined by hand) uses its id without the ledger prefix. Ids are made unique.
//! * `needs` come from `blocks` / `conditional-blocks` edges between steps (never from
//!   `parent-child`, never to the root); `waits-for` edges become
//!   `waits_for = "children-of(<step>)"`, or `"any-children"` when the edge says so and
//!   the spawner is among the needs (it is then listed first).
//! * A gate issue that blocks exactly one of its siblings becomes that step's `gate`
//!   (type, await_id, timeout), as pour made it.
//! * Titles, descriptions, notes, types (`task`/`bug`/`feature`/`epic`/`chore`, left out
//!   when implied), priorities (left out when 2), assignees and labels are kept; the
//!   labels pour adds (`gate:*`) and `template`, `mol:*`, `digest` are dropped. Digest
//!   issues are not steps. Var values are not turned back into `{{vars}}`.
//! * The name is `NAME`, else the root's `metadata.formula`, else its title as a slug.

use super::squash::DIGEST_LABEL;
use super::tree::Tree;
use crate::error::{Error, Result};
use crate::ledger::blocked::BLOCKING;
use crate::ledger::{Issue, Tx};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

const STEP_TYPES: &[&str] = &["task", "bug", "feature", "epic", "chore"];

/// A distilled formula.
#[derive(Debug, Clone)]
pub struct Distilled {
    /// The formula's name.
    pub name: String,
    /// The TOML text.
    pub text: String,
    /// How many steps (all levels).
    pub steps: usize,
}

struct Gate {
    ty: Option<String>,
    await_id: Option<String>,
    timeout: Option<i64>,
}

struct Step<'a> {
    id: String,
    issue: &'a Issue,
    needs: Vec<String>,
    waits_for: Option<String>,
    gate: Option<Gate>,
    children: Vec<usize>,
}

/// Distill the molecule rooted at `id`.
pub fn distill(tx: &Tx, id: &str, name: Option<&str>) -> Result<Distilled> {
    let tree = Tree::load(tx, id)?;
    let root = tree.root();
    let name = match name {
        Some(n) => n.to_owned(),
        None => root
            .metadata
            .as_ref()
            .and_then(|m| m.decode::<serde_json::Value>().ok())
            .and_then(|m| m.get("formula")?.as_str().map(str::to_owned))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| slug(&root.title)),
    };
    if name.trim().is_empty() || name.contains(['"', '\n', '/', '\\']) {
        return Err(Error::Invalid(format!(
            "invalid formula name `{name}`: use letters, digits and dashes"
        )));
    }

    // Which issues are steps: not digests (nor below them), not gates folded into a step.
    let mut skip: HashSet<&str> = HashSet::new();
    for s in tree.steps() {
        if s.labels.iter().any(|l| l == DIGEST_LABEL) {
            skip.insert(&s.id);
        }
    }
    for s in tree.steps() {
        if s.parent().is_some_and(|p| skip.contains(p)) {
            skip.insert(&s.id);
        }
    }
    let mut gate_of: HashMap<&str, &Issue> = HashMap::new();
    for g in tree.steps().iter().filter(|s| s.issue_type == "gate") {
        let waiting: Vec<&Issue> = tree
            .steps()
            .iter()
            .filter(|s| {
                s.dependencies
                    .iter()
                    .any(|d| d.kind == "blocks" && d.depends_on_id == g.id)
            })
            .collect();
        if let [one] = waiting.as_slice()
            && one.parent() == g.parent()
            && one.issue_type != "gate"
            && !gate_of.contains_key(one.id.as_str())
            && tree.children(&g.id).is_empty()
        {
            gate_of.insert(&one.id, g);
            skip.insert(&g.id);
        }
    }

    // Step ids, in tree order.
    let mut step_id: HashMap<&str, String> = HashMap::new();
    let mut used: HashSet<String> = HashSet::new();
    for s in tree
        .steps()
        .iter()
        .filter(|s| !skip.contains(s.id.as_str()))
    {
        let parent = s.parent().unwrap_or(&root.id);
        let local =
            s.id.strip_prefix(parent)
                .and_then(|r| r.strip_prefix('.'))
                .or_else(|| {
                    s.id.strip_prefix(&root.id)
                        .and_then(|r| r.strip_prefix('.'))
                })
                .or_else(|| {
                    s.id.strip_prefix(tx.prefix)
                        .and_then(|r| r.strip_prefix('-'))
                })
                .unwrap_or(&s.id);
        let mut candidate = sanitize(local);
        if used.contains(&candidate)
            && let Some(p) = step_id.get(parent)
        {
            candidate = format!("{p}-{candidate}");
        }
        let base = candidate.clone();
        let mut n = 2;
        while used.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        used.insert(candidate.clone());
        step_id.insert(&s.id, candidate);
    }

    // The steps with their edges; then the nesting.
    let mut steps: Vec<Step> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for s in tree
        .steps()
        .iter()
        .filter(|s| step_id.contains_key(s.id.as_str()))
    {
        let mut needs: Vec<String> = Vec::new();
        let mut waits: Option<(String, bool)> = None;
        for d in &s.dependencies {
            let Some(target) = step_id.get(d.depends_on_id.as_str()) else {
                continue;
            };
            if BLOCKING.contains(&d.kind.as_str()) {
                if !needs.contains(target) {
                    needs.push(target.clone());
                }
            } else if d.kind == "waits-for" && waits.is_none() {
                waits = Some((target.clone(), d.any_children()));
            }
        }
        let waits_for = waits.map(|(spawner, any)| {
            if any && let Some(i) = needs.iter().position(|n| *n == spawner) {
                let first = needs.remove(i);
                needs.insert(0, first);
                String::from("any-children")
            } else {
                format!("children-of({spawner})")
            }
        });
        let gate = gate_of.get(s.id.as_str()).map(|g| Gate {
            ty: g.await_type.clone(),
            await_id: g.await_id.clone(),
            timeout: g.timeout,
        });
        at.insert(&s.id, steps.len());
        steps.push(Step {
            id: step_id[s.id.as_str()].clone(),
            issue: s,
            needs,
            waits_for,
            gate,
            children: Vec::new(),
        });
    }
    let mut top: Vec<usize> = Vec::new();
    for i in 0..steps.len() {
        let parent = steps[i]
            .issue
            .parent()
            .and_then(|p| at.get(p).copied())
            .filter(|&p| p != i);
        match parent {
            Some(p) => steps[p].children.push(i),
            None => top.push(i),
        }
    }
    if top.is_empty() {
        return Err(Error::Refused(format!(
            "`{id}` has no steps: distill writes a formula from a molecule (a root with child steps)"
        )));
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Distilled by `gt distill` from molecule {} ({}).",
        root.id,
        one_line(&root.title)
    );
    let _ = writeln!(out, "formula = {}", quote(&name));
    if let Some(d) = root.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(out, "description = {}", quote(d));
    }
    out.push_str("version = 1\n");
    for &i in &top {
        emit(&mut out, &steps, i, "steps");
    }
    Ok(Distilled {
        name,
        text: out,
        steps: steps.len(),
    })
}

fn emit(out: &mut String, steps: &[Step], i: usize, path: &str) {
    let s = &steps[i];
    let issue = s.issue;
    let _ = write!(out, "\n[[{path}]]\nid = {}\n", quote(&s.id));
    let _ = writeln!(out, "title = {}", quote(&issue.title));
    if let Some(d) = issue.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(out, "description = {}", quote(d));
    }
    if let Some(n) = issue.notes.as_deref().filter(|n| !n.is_empty()) {
        let _ = writeln!(out, "notes = {}", quote(n));
    }
    let ty = issue.issue_type.as_str();
    let implied = ty == "task" || (ty == "epic" && !s.children.is_empty());
    if STEP_TYPES.contains(&ty) && !implied {
        let _ = writeln!(out, "type = {}", quote(ty));
    }
    if issue.priority != 2 && (0..=4).contains(&issue.priority) {
        let _ = writeln!(out, "priority = {}", issue.priority);
    }
    if let Some(a) = issue.assignee.as_deref().filter(|a| !a.is_empty()) {
        let _ = writeln!(out, "assignee = {}", quote(a));
    }
    let labels: Vec<&String> = issue
        .labels
        .iter()
        .filter(|l| {
            !(l.starts_with("gate:")
                || l.starts_with("mol:")
                || *l == "template"
                || *l == DIGEST_LABEL)
        })
        .collect();
    if !labels.is_empty() {
        let _ = writeln!(out, "labels = {}", list(labels.iter().map(|l| l.as_str())));
    }
    if !s.needs.is_empty() {
        let _ = writeln!(out, "needs = {}", list(s.needs.iter().map(String::as_str)));
    }
    if let Some(w) = &s.waits_for {
        let _ = writeln!(out, "waits_for = {}", quote(w));
    }
    if let Some(g) = &s.gate {
        let _ = write!(out, "\n[{path}.gate]\n");
        if let Some(t) = &g.ty {
            let _ = writeln!(out, "type = {}", quote(t));
        }
        if let Some(a) = &g.await_id {
            let _ = writeln!(out, "await_id = {}", quote(a));
        }
        if let Some(t) = g.timeout.filter(|t| *t > 0) {
            let _ = writeln!(out, "timeout = {}", quote(&go_duration(t)));
        }
    }
    let child_path = format!("{path}.children");
    for &c in &s.children {
        emit(out, steps, c, &child_path);
    }
}

/// A TOML basic string (the compiler's emitter's quoting).
fn quote(s: &str) -> String {
    gtc::syntax::emit::quoted(s)
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.map(quote).collect::<Vec<_>>().join(", "))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A step id from an id fragment: letters, digits, `-` and `_`; anything else is `-`.
fn sanitize(s: &str) -> String {
    let t = crate::ledger::ids::id_fragment(s);
    if t.is_empty() {
        String::from("step")
    } else {
        t
    }
}

/// A formula name from a title: lowercase, runs of other characters as one `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-');
    if t.is_empty() {
        String::from("untitled")
    } else {
        t.to_owned()
    }
}

/// Nanoseconds as a Go duration (`1h30m`, `45s`, `500ms`), as gates write timeouts.
fn go_duration(ns: i64) -> String {
    if ns % 1_000_000 != 0 {
        return format!("{ns}ns");
    }
    let ms = ns / 1_000_000;
    let (h, m, s, rest) = (
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000,
    );
    let mut out = String::new();
    for (v, u) in [(h, "h"), (m, "m"), (s, "s"), (rest, "ms")] {
        if v > 0 {
            let _ = write!(out, "{v}{u}");
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_names() {
        assert_eq!(go_duration(5_400_000_000_000), "1h30m");
        assert_eq!(go_duration(500_000_000), "500ms");
        assert_eq!(go_duration(45_000_000_000), "45s");
        assert_eq!(slug("Review: PR #42!"), "review-pr-42");
        assert_eq!(slug("***"), "untitled");
        assert_eq!(sanitize("a.b c"), "a-b-c");
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}

//! A cooked formula as a proto: the issues and edges a molecule is made of, in the
//! reference's order (pre-order over the steps, each step followed by its gate issue,
//! then its children; edges: parent-child while collecting, then needs and waits-for).
//!
//! Ids here are relative to the molecule root: `""` is the root, `build.unit` a child.
//! [`super::pour`] prefixes them with the new root's id.

use gtc::cook::{RStep, Resolved};
use gtc::expr::duration::parse_duration;
use gtc::expr::waits_for::{WaitsFor, parse_waits_for};
use std::collections::HashMap;

/// One issue of a proto.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProtoIssue {
    /// Relative id: `""` for the root, `a.b` for child `b` of step `a`.
    pub rel: String,
    pub title: String,
    pub description: Option<String>,
    pub notes: Option<String>,
    pub issue_type: String,
    pub priority: i64,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub await_type: Option<String>,
    pub await_id: Option<String>,
    /// Nanoseconds.
    pub timeout: Option<i64>,
    /// The step's `metadata` (a JSON object).
    pub metadata: Option<serde_json::Value>,
    /// `file:line path` of the step, for provenance.
    pub source_location: Option<String>,
}

/// One edge of a proto (relative ids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtoEdge {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    /// `{"gate":"all-children"|"any-children"}` for waits-for.
    pub metadata: Option<String>,
}

/// A proto: the root first, then the steps.
#[derive(Clone, Debug, Default)]
pub struct Proto {
    pub formula: String,
    pub phase: Option<String>,
    /// The formula's `pour`: `Some(false)` makes a wisp of the root only.
    pub pour: Option<bool>,
    pub issues: Vec<ProtoIssue>,
    pub edges: Vec<ProtoEdge>,
}

const STEP_TYPES: &[&str] = &["task", "bug", "feature", "epic", "chore"];

/// Build the proto of `r`. `title` / `desc` are the values of the formula's `title` and
/// `desc` vars when it declares them (the root then carries them).
pub fn build(r: &Resolved, title: Option<&str>, desc: Option<&str>) -> Proto {
    let mut p = Proto {
        formula: r.formula.clone(),
        phase: r.phase.clone(),
        pour: r.pour,
        ..Proto::default()
    };
    p.issues.push(ProtoIssue {
        rel: String::new(),
        title: title.unwrap_or(&r.formula).to_owned(),
        description: desc.map(str::to_owned).or_else(|| r.description.clone()),
        issue_type: String::from("molecule"),
        priority: 2,
        ..ProtoIssue::default()
    });
    // Step id -> relative issue id (ids share one namespace across nesting).
    let mut by_step: HashMap<&str, String> = HashMap::new();
    // Pre-order walk with an explicit stack: (step, parent rel id).
    let mut stack: Vec<(&RStep, String)> =
        r.steps.iter().rev().map(|s| (s, String::new())).collect();
    let mut order: Vec<(&RStep, String)> = Vec::new();
    while let Some((step, parent)) = stack.pop() {
        let rel = join(&parent, &step.id);
        by_step.insert(&step.id, rel.clone());
        p.issues.push(step_issue(step, &rel));
        p.edges.push(ProtoEdge {
            from: rel.clone(),
            to: parent.clone(),
            kind: "parent-child",
            metadata: None,
        });
        if let Some(gate) = &step.gate {
            let gate_rel = join(&parent, &format!("gate-{}", step.id));
            let kind = gate.ty.clone().unwrap_or_default();
            let target = gate.await_id.clone().or_else(|| gate.id.clone());
            let timeout = gate
                .timeout
                .as_deref()
                .and_then(parse_duration)
                .and_then(|n| i64::try_from(n).ok());
            let title = match &target {
                Some(t) => format!("Gate: {kind} {t}"),
                None => format!("Gate: {kind}"),
            };
            let issue = ProtoIssue {
                title,
                description: Some(format!("Async gate for step {}", step.id)),
                await_type: Some(kind),
                await_id: target,
                timeout,
                ..ProtoIssue::default()
            };
            push_gate(&mut p, issue, &gate_rel, &rel, &parent);
        }
        // `compose.gate` rules: a `gate:{"condition":...}` label becomes a gate issue of
        // kind `condition` that holds the step until the condition is true (the deacon
        // evaluates it each cycle).
        for (n, cond) in condition_gates(step).into_iter().enumerate() {
            let gate_rel = join(&parent, &format!("gate-{}-when{}", step.id, n + 1));
            let issue = ProtoIssue {
                title: format!("Gate: condition {cond}"),
                description: Some(format!("Condition gate for step {}", step.id)),
                await_type: Some(String::from("condition")),
                await_id: Some(cond),
                ..ProtoIssue::default()
            };
            push_gate(&mut p, issue, &gate_rel, &rel, &parent);
        }
        order.push((step, rel.clone()));
        for child in step.children.iter().rev() {
            stack.push((child, rel.clone()));
        }
    }
    for (step, rel) in &order {
        for need in &step.needs {
            if let Some(target) = by_step.get(need.as_str()) {
                p.edges.push(ProtoEdge {
                    from: rel.clone(),
                    to: target.clone(),
                    kind: "blocks",
                    metadata: None,
                });
            }
        }
        if let Some(w) = &step.waits_for
            && let Ok(parsed) = parse_waits_for(w)
        {
            let (spawner, gate) = match parsed {
                WaitsFor::ChildrenOf { step, .. } => (Some(step), "all-children"),
                WaitsFor::AllChildren => (step.needs.first().cloned(), "all-children"),
                WaitsFor::AnyChildren => (step.needs.first().cloned(), "any-children"),
            };
            if let Some(target) = spawner.and_then(|s| by_step.get(s.as_str()).cloned()) {
                p.edges.push(ProtoEdge {
                    from: rel.clone(),
                    to: target,
                    kind: "waits-for",
                    metadata: Some(format!("{{\"gate\":\"{gate}\"}}")),
                });
            }
        }
    }
    p
}

/// Add gate `issue` at `gate_rel` (a sibling of the step `step_rel`, under `parent`),
/// blocking the step.
fn push_gate(p: &mut Proto, mut issue: ProtoIssue, gate_rel: &str, step_rel: &str, parent: &str) {
    issue.rel = gate_rel.to_owned();
    issue.issue_type = String::from("gate");
    issue.priority = 2;
    p.issues.push(issue);
    p.edges.push(ProtoEdge {
        from: gate_rel.to_owned(),
        to: parent.to_owned(),
        kind: "parent-child",
        metadata: None,
    });
    p.edges.push(ProtoEdge {
        from: step_rel.to_owned(),
        to: gate_rel.to_owned(),
        kind: "blocks",
        metadata: None,
    });
}

/// The conditions of the step's `gate:{"condition":...}` labels (from `compose.gate`).
fn condition_gates(step: &RStep) -> Vec<String> {
    step.labels
        .iter()
        .filter_map(|l| l.strip_prefix("gate:"))
        .filter(|j| j.starts_with('{'))
        .filter_map(|j| serde_json::from_str::<serde_json::Value>(j).ok())
        .filter_map(|v| v.get("condition")?.as_str().map(str::to_owned))
        .collect()
}

fn join(parent: &str, id: &str) -> String {
    if parent.is_empty() {
        id.to_owned()
    } else {
        format!("{parent}.{id}")
    }
}

fn step_issue(step: &RStep, rel: &str) -> ProtoIssue {
    let ty = step.ty.as_deref().unwrap_or("task");
    let issue_type = if !step.children.is_empty() {
        "epic"
    } else if STEP_TYPES.contains(&ty) {
        ty
    } else {
        "task"
    };
    let mut labels = step.labels.clone();
    if let Some(oc) = &step.on_complete
        && oc.for_each.is_some()
    {
        // Kept for the runtime (`flow::on_complete`), as control flow's labels are.
        labels.push(format!("on_complete:{}", gtc::cook::go_json(oc)));
    }
    if let Some(w) = &step.waits_for {
        let label = format!("gate:{w}");
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    ProtoIssue {
        rel: rel.to_owned(),
        title: step.title.clone().unwrap_or_else(|| step.id.clone()),
        description: step.description.clone(),
        notes: step.notes.clone(),
        issue_type: issue_type.to_owned(),
        priority: step.priority.unwrap_or(2),
        assignee: step.assignee.clone(),
        labels,
        metadata: step.metadata.clone().map(serde_json::Value::Object),
        source_location: Some(format!(
            "{}:{} {}",
            step.source.file, step.source.line, step.source.path
        )),
        ..ProtoIssue::default()
    }
}

//! `gt create`, `show`, `list`, `update`, `close`, `claim`, `dep`.

use super::{Ctx, output};
use crate::error::{Error, Result};
use crate::ledger::blocked::blockers;
use crate::ledger::record::{DONE_STATUSES, STATUSES};
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use crate::ledger::{Dependency, Issue, Tx};
use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The title (1-500 characters).
    title: String,
    /// Description.
    #[arg(short, long)]
    description: Option<String>,
    /// Issue type (task, bug, feature, epic, chore, decision, message, ...).
    #[arg(short = 't', long = "type", default_value = "task")]
    issue_type: String,
    /// Priority, 0 (critical) to 4.
    #[arg(short, long, default_value_t = 2)]
    priority: i64,
    /// Labels (repeatable).
    #[arg(short, long = "label")]
    labels: Vec<String>,
    /// Assignee.
    #[arg(long)]
    assignee: Option<String>,
    /// Make it a child of this issue (a parent-child edge).
    #[arg(long)]
    parent: Option<String>,
    /// Blocked by these issues (repeatable).
    #[arg(long = "blocked-by", value_name = "ID")]
    blocked_by: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Issue ids (a unique suffix or prefix of an id is enough).
    #[arg(required = true)]
    ids: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only these statuses (repeatable or comma-separated).
    #[arg(short, long, value_delimiter = ',')]
    status: Vec<String>,
    /// Only these types (repeatable or comma-separated).
    #[arg(short = 't', long = "type", value_delimiter = ',')]
    types: Vec<String>,
    /// Only issues assigned to this agent.
    #[arg(long)]
    assignee: Option<String>,
    /// Only issues with every one of these labels.
    #[arg(short, long = "label")]
    labels: Vec<String>,
    /// Only this molecule's issues (the root and its descendants).
    #[arg(long, value_name = "ID")]
    mol: Option<String>,
    /// Include wisps (ephemeral) and templates.
    #[arg(long)]
    all: bool,
    /// At most this many.
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    id: String,
    #[arg(long)]
    title: Option<String>,
    #[arg(short, long)]
    description: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// open, in_progress, blocked, deferred, pinned, hooked, or a custom status (close with `gt close`).
    #[arg(long)]
    status: Option<String>,
    #[arg(short, long)]
    priority: Option<i64>,
    /// Set the assignee ("" clears it).
    #[arg(long)]
    assignee: Option<String>,
    #[arg(long = "add-label")]
    add_labels: Vec<String>,
    #[arg(long = "remove-label")]
    remove_labels: Vec<String>,
}

#[derive(Args, Debug)]
pub struct CloseArgs {
    #[arg(required = true)]
    ids: Vec<String>,
    /// Why it is closed.
    #[arg(long)]
    reason: Option<String>,
    /// Close even with open blockers or open children.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct ClaimArgs {
    id: String,
    /// The agent taking it (default: the actor).
    #[arg(long = "as", value_name = "AGENT")]
    agent: Option<String>,
    /// Claim even when it is not ready.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand, Debug)]
pub enum DepCommand {
    /// ISSUE depends on TARGET (by default: is blocked by it).
    Add {
        issue: String,
        target: String,
        /// blocks, parent-child, conditional-blocks, waits-for, related, ...
        #[arg(long = "type", default_value = "blocks")]
        kind: String,
    },
    /// Remove the edge from ISSUE to TARGET.
    Remove { issue: String, target: String },
}

pub fn create(a: CreateArgs, ctx: &Ctx) -> Result<()> {
    check_title(&a.title)?;
    check_priority(a.priority)?;
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.fresh_id("", &a.title)?;
        let stamp = now();
        let mut issue = Issue {
            id,
            title: a.title.clone(),
            description: a.description.clone(),
            status: String::from("open"),
            priority: a.priority,
            issue_type: a.issue_type.clone(),
            assignee: a.assignee.clone(),
            created_at: stamp.clone(),
            created_by: Some(tx.actor.to_owned()),
            updated_at: stamp,
            labels: sorted(a.labels.clone()),
            ..Issue::default()
        };
        if let Some(p) = &a.parent {
            let p = tx.resolve(p)?;
            add_edge(tx, &mut issue, &p, "parent-child")?;
        }
        for b in &a.blocked_by {
            let b = tx.resolve(b)?;
            add_edge(tx, &mut issue, &b, "blocks")?;
        }
        tx.put(&issue)?;
        Ok(issue)
    })?;
    output::one(ctx.json, &issue, || {
        format!("created {}", output::line(&issue))
    })
}

pub fn show(a: ShowArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issues = ledger.read(|tx| {
        a.ids
            .iter()
            .map(|id| tx.resolve(id).and_then(|id| tx.require(&id)))
            .collect::<Result<Vec<_>>>()
    })?;
    if ctx.json {
        return output::issues_json(&issues);
    }
    let mut text = String::new();
    for i in &issues {
        text.push_str(&output::line(i));
        text.push('\n');
        if let Some(d) = &i.description {
            text.push_str(&format!("  {}\n", d.replace('\n', "\n  ")));
        }
        if !i.labels.is_empty() {
            text.push_str(&format!("  labels: {}\n", i.labels.join(", ")));
        }
        for d in &i.dependencies {
            text.push_str(&format!("  {} -> {}\n", d.kind, d.depends_on_id));
        }
        if let Some(r) = &i.close_reason {
            text.push_str(&format!("  closed: {r}\n"));
        }
    }
    output::emit(text.trim_end())
}

pub fn list(a: ListArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let mut records = ledger.read(|tx| {
        let under = a.mol.as_deref().map(|m| tx.resolve(m)).transpose()?;
        tx.list_records(&Filter {
            statuses: a.status.clone(),
            types: a.types.clone(),
            assignee: a.assignee.clone(),
            labels: a.labels.clone(),
            under,
            ephemeral: a.all,
            templates: a.all,
        })
    })?;
    if let Some(n) = a.limit {
        records.truncate(n);
    }
    if ctx.json {
        let texts: Vec<String> = records.into_iter().map(|(_, r)| r).collect();
        return output::records_json(&texts);
    }
    let issues = records
        .iter()
        .map(|(id, text)| crate::ledger::store::decode(id, text))
        .collect::<Result<Vec<Issue>>>()?;
    output::issues_text(&issues, "no issues")
}

pub fn update(a: UpdateArgs, ctx: &Ctx) -> Result<()> {
    if let Some(t) = &a.title {
        check_title(t)?;
    }
    if let Some(p) = a.priority {
        check_priority(p)?;
    }
    if let Some(s) = &a.status {
        check_status(s)?;
    }
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        let mut issue = tx.require(&id)?;
        if let Some(t) = &a.title {
            issue.title = t.clone();
        }
        if let Some(d) = &a.description {
            issue.description = Some(d.clone());
        }
        if let Some(n) = &a.notes {
            issue.notes = Some(n.clone());
        }
        if let Some(s) = &a.status {
            if s == "in_progress" && issue.started_at.is_none() {
                issue.started_at = Some(now());
            }
            if issue.status == "closed" {
                issue.closed_at = None;
                issue.close_reason = None;
            }
            issue.status = s.clone();
        }
        if let Some(p) = a.priority {
            issue.priority = p;
        }
        if let Some(who) = &a.assignee {
            issue.assignee = (!who.is_empty()).then(|| who.clone());
        }
        issue.labels.extend(a.add_labels.iter().cloned());
        issue.labels.retain(|l| !a.remove_labels.contains(l));
        issue.labels = sorted(std::mem::take(&mut issue.labels));
        issue.updated_at = now();
        tx.put(&issue)?;
        Ok(issue)
    })?;
    output::one(ctx.json, &issue, || {
        format!("updated {}", output::line(&issue))
    })
}

pub fn close(a: CloseArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let closed = ledger.write(|tx| {
        let mut closed: Vec<Issue> = Vec::new();
        for id in &a.ids {
            let id = tx.resolve(id)?;
            // A molecule root that an earlier id of this command completed is done.
            if closed.iter().any(|c| c.id == id) {
                continue;
            }
            closed.extend(close_one(tx, &id, a.reason.as_deref(), a.force)?);
        }
        Ok(closed)
    })?;
    if ctx.json {
        return output::issues_json(&closed);
    }
    let text: Vec<String> = closed
        .iter()
        .map(|i| match i.close_reason.as_deref() {
            Some(AUTO_CLOSE) => format!("closed {} (molecule complete: all steps closed)", i.id),
            _ => format!("closed {}", i.id),
        })
        .collect();
    output::emit(&text.join("\n"))
}

const AUTO_CLOSE: &str = "all steps complete";

/// Close `id` (checks first), then the molecule it completes. Returns what was closed.
pub fn close_one(tx: &Tx, id: &str, reason: Option<&str>, force: bool) -> Result<Vec<Issue>> {
    let mut issue = tx.require(id)?;
    if issue.status == "closed" {
        return Err(Error::Refused(format!("`{id}` is already closed")));
    }
    if !force {
        let open_children: Vec<String> = tx
            .children(id)?
            .into_iter()
            .filter(|c| {
                tx.status(c)
                    .ok()
                    .flatten()
                    .is_some_and(|s| !DONE_STATUSES.contains(&s.as_str()))
            })
            .collect();
        if !open_children.is_empty() {
            return Err(Error::Refused(format!(
                "cannot close `{id}`: {} open child issue(s) ({}); close them first or use --force",
                open_children.len(),
                preview(&open_children)
            )));
        }
        let open: Vec<String> = blockers(tx, &issue)?
            .into_iter()
            .filter_map(|b| match b {
                crate::ledger::blocked::Blocker::Issue { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        if !open.is_empty() {
            return Err(Error::Refused(format!(
                "cannot close `{id}`: blocked by open issues {}; close them first or use --force",
                preview(&open)
            )));
        }
    }
    let stamp = now();
    issue.status = String::from("closed");
    issue.closed_at = Some(stamp.clone());
    issue.close_reason = reason.map(str::to_owned);
    issue.updated_at = stamp.clone();
    tx.put(&issue)?;
    let mut closed = vec![issue.clone()];
    for mut root in completed_roots(tx, &issue)? {
        root.status = String::from("closed");
        root.closed_at = Some(stamp.clone());
        root.close_reason = Some(String::from(AUTO_CLOSE));
        root.updated_at = stamp.clone();
        tx.put(&root)?;
        closed.push(root);
    }
    Ok(closed)
}

/// The molecule roots above `issue` that closing it completed, innermost first: each
/// ancestor that is a molecule (type molecule, or a wisp, or a template epic), not
/// closed, with every descendant closed. A molecule bonded into another one completes
/// first, then (if that was all) the one it was bonded into. The walk stops at the
/// first ancestor that is not complete.
fn completed_roots(tx: &Tx, issue: &Issue) -> Result<Vec<Issue>> {
    let mut out = Vec::new();
    let mut at = issue.clone();
    for _ in 0..50 {
        let Some(p) = at.parent() else { break };
        let Some(parent) = tx.get(p)? else { break };
        let is_mol = parent.issue_type == "molecule"
            || parent.is_ephemeral()
            || (parent.issue_type == "epic" && parent.labels.iter().any(|l| l == "template"));
        if parent.status != "closed" {
            let complete = tx
                .subtree(&parent.id)?
                .iter()
                .skip(1)
                .try_fold(true, |all, d| {
                    Ok::<bool, Error>(
                        all && (out.iter().any(|o: &Issue| o.id == *d)
                            || tx
                                .status(d)?
                                .is_none_or(|s| DONE_STATUSES.contains(&s.as_str()))),
                    )
                })?;
            if !complete {
                break;
            }
            if is_mol {
                out.push(parent.clone());
            }
        }
        at = parent;
    }
    Ok(out)
}

pub fn claim(a: ClaimArgs, ctx: &Ctx) -> Result<()> {
    let agent = a.agent.clone().unwrap_or_else(|| ctx.actor.clone());
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        let mut issue = tx.require(&id)?;
        let holder = issue.assignee.clone().filter(|h| !h.is_empty());
        if issue.status == "in_progress" && holder.as_deref() == Some(agent.as_str()) {
            // Exactly one claim succeeds, even for the same agent retrying.
            return Err(Error::Refused(format!(
                "`{id}` is already claimed by {agent}; nothing changed"
            )));
        }
        if let Some(h) = holder.as_deref().filter(|h| *h != agent) {
            return Err(Error::Refused(format!(
                "`{id}` is held by {h} (status {}); it was not claimed",
                issue.status
            )));
        }
        if issue.status != "open" {
            return Err(Error::Refused(format!(
                "`{id}` is {}, not open; only open issues can be claimed",
                issue.status
            )));
        }
        if !a.force {
            let reasons = crate::ledger::blocked::own_reasons(&issue);
            let blocking = blockers(tx, &issue)?;
            if let Some(first) = reasons.first() {
                return Err(Error::Refused(format!("`{id}` is not claimable: {first}")));
            }
            if !blocking.is_empty() {
                let list: Vec<String> = blocking.iter().map(ToString::to_string).collect();
                return Err(Error::Refused(format!(
                    "`{id}` is not ready: {}; see `gt why {id}` (or claim with --force)",
                    list.join("; ")
                )));
            }
        }
        let stamp = now();
        issue.status = String::from("in_progress");
        issue.assignee = Some(agent.clone());
        issue.started_at.get_or_insert_with(|| stamp.clone());
        issue.updated_at = stamp;
        tx.put(&issue)?;
        Ok(issue)
    })?;
    output::one(ctx.json, &issue, || {
        format!("claimed {} for {agent}", issue.id)
    })
}

pub fn dep(c: DepCommand, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| match &c {
        DepCommand::Add {
            issue,
            target,
            kind,
        } => {
            if kind.is_empty() || kind.len() > 50 {
                return Err(Error::Invalid(format!(
                    "invalid edge type `{kind}`: 1-50 characters"
                )));
            }
            let id = tx.resolve(issue)?;
            let target = tx.resolve(target)?;
            let mut issue = tx.require(&id)?;
            add_edge(tx, &mut issue, &target, kind)?;
            issue.updated_at = now();
            tx.put(&issue)?;
            Ok(issue)
        }
        DepCommand::Remove { issue, target } => {
            let id = tx.resolve(issue)?;
            let mut issue = tx.require(&id)?;
            let before = issue.dependencies.len();
            issue.dependencies.retain(|d| d.depends_on_id != *target);
            if issue.dependencies.len() == before {
                return Err(Error::Refused(format!("`{id}` has no edge to `{target}`")));
            }
            issue.updated_at = now();
            tx.put(&issue)?;
            Ok(issue)
        }
    })?;
    output::one(ctx.json, &issue, || {
        format!("updated {}", output::line(&issue))
    })
}

/// Add an edge after the ledger's checks (no self edge, no duplicate, no cycle).
pub fn add_edge(tx: &Tx, issue: &mut Issue, target: &str, kind: &str) -> Result<()> {
    let mut dep = Dependency::new(&issue.id, target, kind);
    tx.check_new_edge(issue, &dep)?;
    dep.created_at = Some(now());
    dep.created_by = Some(tx.actor.to_owned());
    if kind == "waits-for" {
        dep.metadata = Some(String::from("{\"gate\":\"all-children\"}"));
    }
    issue.dependencies.push(dep);
    Ok(())
}

fn preview(ids: &[String]) -> String {
    let mut s = ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        s.push_str(&format!(" and {} more", ids.len() - 5));
    }
    s
}

fn sorted(mut labels: Vec<String>) -> Vec<String> {
    labels.sort();
    labels.dedup();
    labels
}

pub fn check_title(t: &str) -> Result<()> {
    let n = t.chars().count();
    if t.trim().is_empty() {
        return Err(Error::Invalid(String::from("the title is empty")));
    }
    if n > 500 {
        return Err(Error::Invalid(format!(
            "the title has {n} characters; at most 500"
        )));
    }
    Ok(())
}

pub fn check_priority(p: i64) -> Result<()> {
    if !(0..=4).contains(&p) {
        return Err(Error::Invalid(format!(
            "priority {p} is out of range: 0 (critical) to 4 (backlog)"
        )));
    }
    Ok(())
}

fn check_status(s: &str) -> Result<()> {
    if s == "closed" {
        return Err(Error::Invalid(String::from(
            "close issues with `gt close ID [--reason R]` (it checks blockers and completes molecules)",
        )));
    }
    let custom = s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if STATUSES.contains(&s) || custom {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid status `{s}`: one of {} (or a custom name like `review`)",
            STATUSES.join(", ")
        )))
    }
}

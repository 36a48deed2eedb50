//! `gt create`, `show`, `list`, `update`, `close`, `claim`, `release`, `delete`, `dep`.

use super::{Ctx, output};
use crate::error::Result;
use crate::ledger::Issue;
use crate::ledger::store::Filter;
use crate::ledger::time::now;
use crate::work;
use crate::work::update::{Change, check_priority, check_title, sorted};
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
    /// Change the assignee or set in_progress even though another agent holds it.
    #[arg(long)]
    force: bool,
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
    /// Claim even when it is not ready (never from another agent, never twice).
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct ReleaseArgs {
    id: String,
    /// The agent giving it back (default: the actor).
    #[arg(long = "as", value_name = "AGENT")]
    agent: Option<String>,
    /// Release it even though another agent holds it.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    #[arg(required = true)]
    ids: Vec<String>,
    /// Why (kept in the tombstone).
    #[arg(long)]
    reason: Option<String>,
    /// Delete even issues with children (they keep their records, without the edge).
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
            work::dep::add_edge(tx, &mut issue, &p, "parent-child")?;
        }
        for b in &a.blocked_by {
            let b = tx.resolve(b)?;
            work::dep::add_edge(tx, &mut issue, &b, "blocks")?;
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
    let json = ctx.json;
    ledger.read(|tx| {
        let under = a.mol.as_deref().map(|m| tx.resolve(m)).transpose()?;
        let filter = Filter {
            statuses: a.status.clone(),
            types: a.types.clone(),
            assignee: a.assignee.clone(),
            labels: a.labels.clone(),
            under,
            ephemeral: a.all,
            templates: a.all,
        };
        let limit = a.limit.unwrap_or(usize::MAX);
        let mut n = 0usize;
        // Streamed: a long list is never held in memory.
        if json {
            let mut out = output::RecordsJson::start()?;
            tx.for_each_record(&filter, |_, text| {
                if n >= limit {
                    return Ok(false);
                }
                n += 1;
                out.push(text)?;
                Ok(true)
            })?;
            out.finish()
        } else {
            let mut out = output::IssueLines::start("no issues");
            tx.for_each_record(&filter, |id, text| {
                if n >= limit {
                    return Ok(false);
                }
                n += 1;
                out.push(&crate::ledger::store::decode(id, text)?)?;
                Ok(true)
            })?;
            out.finish()
        }
    })
}

pub fn update(a: UpdateArgs, ctx: &Ctx) -> Result<()> {
    let change = Change {
        title: a.title,
        description: a.description,
        notes: a.notes,
        status: a.status,
        priority: a.priority,
        assignee: a.assignee,
        add_labels: a.add_labels,
        remove_labels: a.remove_labels,
    };
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        work::update::update(tx, &id, &change, a.force)
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
            closed.extend(work::close::close(tx, &id, a.reason.as_deref(), a.force)?);
        }
        Ok(closed)
    })?;
    if ctx.json {
        return output::issues_json(&closed);
    }
    let text: Vec<String> = closed
        .iter()
        .map(|i| match i.close_reason.as_deref() {
            Some(work::close::AUTO_CLOSE) => {
                format!("closed {} (molecule complete: all steps closed)", i.id)
            }
            _ => format!("closed {}", i.id),
        })
        .collect();
    output::emit(&text.join("\n"))
}

pub fn delete(a: DeleteArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let done = ledger.write(|tx| {
        let ids = a
            .ids
            .iter()
            .map(|i| tx.resolve(i))
            .collect::<Result<Vec<_>>>()?;
        work::delete::delete(tx, &ids, a.reason.as_deref(), a.force)
    })?;
    if ctx.json {
        return output::issues_json(&done.tombstones);
    }
    let mut text: Vec<String> = done
        .tombstones
        .iter()
        .map(|t| format!("deleted {} (a tombstone records it; sync carries it)", t.id))
        .collect();
    text.extend(done.removed.iter().map(|id| format!("deleted {id}")));
    for d in &done.detached {
        text.push(format!("  {} lost its edges to deleted issues", d.id));
    }
    output::emit(&text.join("\n"))
}

pub fn claim(a: ClaimArgs, ctx: &Ctx) -> Result<()> {
    let agent = a.agent.clone().unwrap_or_else(|| ctx.actor.clone());
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        work::claim::claim(tx, &id, &agent, a.force)
    })?;
    output::one(ctx.json, &issue, || {
        format!("claimed {} for {agent}", issue.id)
    })
}

pub fn release(a: ReleaseArgs, ctx: &Ctx) -> Result<()> {
    let agent = a.agent.clone().unwrap_or_else(|| ctx.actor.clone());
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        work::claim::release(tx, &id, &agent, a.force)
    })?;
    output::one(ctx.json, &issue, || format!("released {}", issue.id))
}

pub fn dep(c: DepCommand, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let issue = ledger.write(|tx| match &c {
        DepCommand::Add {
            issue,
            target,
            kind,
        } => {
            let id = tx.resolve(issue)?;
            let target = tx.resolve(target)?;
            work::dep::add(tx, &id, &target, kind)
        }
        DepCommand::Remove { issue, target } => {
            let id = tx.resolve(issue)?;
            work::dep::remove(tx, &id, target)
        }
    })?;
    output::one(ctx.json, &issue, || {
        format!("updated {}", output::line(&issue))
    })
}

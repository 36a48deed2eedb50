//! `gt gate list|approve` (see [`crate::flow::gates`]).

use super::{Ctx, output};
use crate::error::Result;
use crate::flow::gates;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum GateCommand {
    /// The open gates: kind, what each waits for, failed ones marked.
    List,
    /// Open a gate as a person: a `human` gate, or any gate that failed.
    Approve {
        /// The gate's id (`gt why STEP` names the gates holding a step).
        id: String,
        /// Why (kept as the gate's close reason).
        #[arg(short, long)]
        reason: Option<String>,
    },
}

pub fn gate(c: GateCommand, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    match c {
        GateCommand::List => {
            let open = ledger.read(|tx| {
                let mut all = gates::pending(tx)?;
                all.extend(tx.list(&crate::ledger::store::Filter {
                    types: vec![String::from("gate")],
                    statuses: vec![String::from("open")],
                    labels: vec![String::from(gates::FAILED)],
                    ephemeral: true,
                    ..Default::default()
                })?);
                all.sort_by(|a, b| a.id.cmp(&b.id));
                Ok(all)
            })?;
            if ctx.json {
                return output::issues_json(&open);
            }
            let lines: Vec<String> = open
                .iter()
                .map(|g| {
                    format!(
                        "{}  {}{}{}",
                        g.id,
                        g.await_type.as_deref().unwrap_or("?"),
                        g.await_id
                            .as_deref()
                            .map(|a| format!(" {a}"))
                            .unwrap_or_default(),
                        if gates::is_failed(g) {
                            "  (failed)"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            if lines.is_empty() {
                output::emit("no open gates")
            } else {
                output::emit(&lines.join("\n"))
            }
        }
        GateCommand::Approve { id, reason } => {
            let gate = ledger.write(|tx| {
                let id = tx.resolve(&id)?;
                gates::approve(tx, &id, reason.as_deref())
            })?;
            output::one(ctx.json, &gate, || format!("opened gate {}", gate.id))
        }
    }
}

//! `gt pour` and `gt wisp`.

use super::{Ctx, output, parse_vars};
use crate::error::Result;
use crate::mol::pour::{cook, instantiate};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PourArgs {
    /// A formula name (resolved through .beads/formulas/, ~/.beads/formulas/, the stdlib) or a file.
    formula: String,
    /// A var value (repeatable): --var component=auth.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Assign the molecule root to this agent.
    #[arg(long)]
    assignee: Option<String>,
    /// More directories to search for formulas (before the defaults).
    #[arg(long = "search-path", value_name = "DIR")]
    search_path: Vec<PathBuf>,
}

pub fn pour(a: PourArgs, ctx: &Ctx, ephemeral: bool) -> Result<()> {
    let vars = parse_vars(&a.vars)?;
    let mut ledger = ctx.ledger()?;
    let opts = gtc::driver::LoadOptions {
        search_path: a.search_path.clone(),
        cwd: ledger.root().to_path_buf(),
        home: std::env::var_os("HOME").map(PathBuf::from),
    };
    let (proto, values) = cook(&a.formula, &vars, &opts)?;
    if !ephemeral && proto.phase.as_deref() == Some("vapor") {
        eprintln!(
            "warning: formula `{}` asks for the vapor phase (ephemeral); `gt wisp {}` keeps it out of git",
            proto.formula, a.formula
        );
    }
    let poured =
        ledger.write(|tx| instantiate(tx, &proto, &values, ephemeral, a.assignee.as_deref()))?;
    if ctx.json {
        return output::issues_json(&poured.issues);
    }
    let what = if ephemeral { "wisp" } else { "molecule" };
    output::emit(&format!(
        "poured {what} {} from {}: {} issues ({} steps)\nnext: gt ready --mol {}",
        poured.new_epic_id,
        proto.formula,
        poured.created,
        poured.created.saturating_sub(1),
        poured.new_epic_id
    ))
}

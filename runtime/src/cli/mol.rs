//! `gt pour`, `gt wisp`, `gt bond`, `gt squash`, `gt burn`, `gt distill`.

use super::{Ctx, output, parse_vars};
use crate::error::{Error, Result};
use crate::mol::bond::{BondOptions, BondType, Operand, bond};
use crate::mol::burn::burn;
use crate::mol::distill::distill;
use crate::mol::pour::{cook, instantiate};
use crate::mol::squash::squash;
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

#[derive(Args, Debug)]
pub struct BondArgs {
    /// The first operand: an issue id (a molecule root or a single issue) or a formula (name or file).
    a: String,
    /// The second operand; with sequential/conditional it runs after A.
    b: String,
    /// sequential (B after A), parallel (no order) or conditional (B after A, conditional-blocks).
    #[arg(long = "type", default_value = "sequential", value_name = "TYPE")]
    kind: String,
    /// Title of the compound root (when both operands are formulas).
    #[arg(long = "as", value_name = "TITLE")]
    title: Option<String>,
    /// A var value for formula operands (repeatable): --var component=auth.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Instantiate formula operands as wisps (default: follow the molecule bonded to).
    #[arg(long, conflicts_with = "pour")]
    ephemeral: bool,
    /// Instantiate formula operands as persistent issues (default: follow the molecule bonded to).
    #[arg(long)]
    pour: bool,
    /// More directories to search for formulas (before the defaults).
    #[arg(long = "search-path", value_name = "DIR")]
    search_path: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SquashArgs {
    /// The molecule (or wisp) root.
    id: String,
    /// A summary to put at the top of the digest.
    #[arg(long)]
    summary: Option<String>,
    /// Keep the wisp's steps (by default a wisp's ephemeral steps are deleted).
    #[arg(long)]
    keep: bool,
    /// Squash even when steps are not closed.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct BurnArgs {
    /// Wisp roots (each is deleted with all its descendants).
    #[arg(required = true)]
    ids: Vec<String>,
    /// Also burn persistent molecules (their history is in git; `gt squash` keeps a digest).
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct DistillArgs {
    /// The molecule root.
    id: String,
    /// The formula name (default: the formula it was poured from, else its title as a slug).
    name: Option<String>,
    /// Write here (`-` for standard output); default .beads/formulas/NAME.formula.toml.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

fn load_options(
    ledger: &crate::ledger::Ledger,
    search_path: &[PathBuf],
) -> gtc::driver::LoadOptions {
    gtc::driver::LoadOptions {
        search_path: search_path.to_vec(),
        cwd: ledger.root().to_path_buf(),
        home: std::env::var_os("HOME").map(PathBuf::from),
    }
}

/// An operand of `gt bond`: an issue of the ledger (exact or partial id), else a
/// formula on the search path (cooked with `vars`), else the ledger's not-found error
/// with its near matches.
fn operand(
    ledger: &mut crate::ledger::Ledger,
    text: &str,
    vars: &std::collections::BTreeMap<String, String>,
    opts: &gtc::driver::LoadOptions,
) -> Result<Operand> {
    let missing = match ledger.read(|tx| tx.resolve(text)) {
        Ok(id) => return Ok(Operand::Issue(id)),
        Err(e) => e,
    };
    let db = gtc::db::Database::default();
    if gtc::driver::find_formula(&db, text, opts).is_err() {
        return Err(missing);
    }
    let (proto, vars) = cook(text, vars, opts)?;
    Ok(Operand::Formula { proto, vars })
}

pub fn bond_cmd(a: BondArgs, ctx: &Ctx) -> Result<()> {
    let kind = BondType::parse(&a.kind)?;
    if let Some(t) = &a.title {
        crate::work::update::check_title(t)?;
    }
    let vars = parse_vars(&a.vars)?;
    let mut ledger = ctx.ledger()?;
    let opts = load_options(&ledger, &a.search_path);
    let left = operand(&mut ledger, &a.a, &vars, &opts)?;
    let right = operand(&mut ledger, &a.b, &vars, &opts)?;
    if !vars.is_empty() && matches!((&left, &right), (Operand::Issue(_), Operand::Issue(_))) {
        return Err(Error::Invalid(String::from(
            "--var only applies to formula operands; both operands are already in the ledger",
        )));
    }
    let ephemeral = match (a.ephemeral, a.pour) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let bonded = ledger.write(|tx| {
        bond(
            tx,
            &left,
            &right,
            &BondOptions {
                kind,
                title: a.title.as_deref(),
                ephemeral,
            },
        )
    })?;
    if ctx.json {
        return output::issues_json(&bonded.issues);
    }
    let name = |o: &Operand| match o {
        Operand::Issue(id) => id.clone(),
        Operand::Formula { proto, .. } => proto.formula.clone(),
    };
    let mut text = format!(
        "bonded {} + {} ({}) into {}: {} issue(s) created, {} edge(s) added",
        name(&left),
        name(&right),
        kind.as_str(),
        bonded.result_id,
        bonded.created,
        bonded.edges.len()
    );
    for (from, to, k) in &bonded.edges {
        text.push_str(&format!("\n  {from} -> {to} ({k})"));
    }
    text.push_str(&format!("\nnext: gt ready --mol {}", bonded.result_id));
    output::emit(&text)
}

pub fn squash_cmd(a: SquashArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let done = ledger.write(|tx| {
        let id = tx.resolve(&a.id)?;
        squash(tx, &id, a.summary.as_deref(), a.keep, a.force)
    })?;
    if ctx.json {
        // The records it wrote: the digest, then the closed root.
        return output::issues_json(&[done.digest.clone(), done.root.clone()]);
    }
    output::emit(&format!(
        "squashed {} into digest {}: {} step(s) recorded, {} deleted{}",
        done.molecule_id,
        done.digest_id,
        done.squashed_ids.len(),
        done.deleted_ids.len(),
        if done.kept_children { " (--keep)" } else { "" }
    ))
}

pub fn burn_cmd(a: BurnArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let report = ledger.write(|tx| {
        let ids = a
            .ids
            .iter()
            .map(|i| tx.resolve(i))
            .collect::<Result<Vec<_>>>()?;
        burn(tx, &ids, a.force)
    })?;
    if ctx.json {
        return output::json(&report);
    }
    let mut lines: Vec<String> = report
        .results
        .iter()
        .map(|r| {
            format!(
                "burned {}: {} issue(s) deleted",
                r.molecule_id,
                r.deleted_ids.len()
            )
        })
        .collect();
    if !report.detached_ids.is_empty() {
        lines.push(format!(
            "removed edges into them from {}",
            report.detached_ids.join(", ")
        ));
    }
    output::emit(&lines.join("\n"))
}

pub fn distill_cmd(a: DistillArgs, ctx: &Ctx) -> Result<()> {
    let mut ledger = ctx.ledger()?;
    let distilled = ledger.read(|tx| {
        let id = tx.resolve(&a.id)?;
        distill(tx, &id, a.name.as_deref())
    })?;
    let file = format!("{}.formula.toml", distilled.name);
    let path = match &a.output {
        Some(p) if p.as_os_str() == "-" => None,
        Some(p) => Some(p.clone()),
        None => Some(ledger.dir.join("formulas").join(&file)),
    };
    let shown = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or(file);
    let report = gtc::driver::check_sources(&[(shown.as_str(), distilled.text.as_str())]);
    if report.count(gtc::diagnostic::Severity::Error) > 0 {
        let mut out = Vec::new();
        let _ = gtc::diagnostic::render_human(&report, false, &mut out);
        return Err(Error::Refused(format!(
            "{}error: the distilled formula does not check (a gt bug; nothing was written)",
            String::from_utf8_lossy(&out)
        )));
    }
    let Some(path) = path else {
        return output::emit(distilled.text.trim_end());
    };
    if path.exists() && !a.force {
        return Err(Error::Refused(format!(
            "{} exists; choose another NAME or -o FILE, or overwrite it with --force",
            path.display()
        )));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    crate::ledger::write_atomic(&path, distilled.text.as_bytes())?;
    if ctx.json {
        return output::json(&serde_json::json!({
            "name": distilled.name,
            "path": path.display().to_string(),
            "steps": distilled.steps,
        }));
    }
    output::emit(&format!(
        "distilled {} into formula `{}` ({} steps): {}\nnext: gt pour {}",
        a.id,
        distilled.name,
        distilled.steps,
        path.display(),
        distilled.name
    ))
}

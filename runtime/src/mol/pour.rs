//! `gt pour` / `gt wisp`: a cooked formula instantiated as a molecule: a root issue plus
//! one issue per step (`<root>.<step>`), gate issues, and the proto's edges, written in
//! one transaction.

use super::proto::{Proto, build};
use crate::error::{Error, Result};
use crate::ledger::raw::RawJson;
use crate::ledger::time::now;
use crate::ledger::{Dependency, Issue, Tx};
use std::collections::BTreeMap;

/// What a pour created.
#[derive(Debug, serde::Serialize)]
pub struct Poured {
    /// The molecule root.
    pub new_epic_id: String,
    /// Proto-relative id ("" for the root) -> new id.
    pub id_mapping: BTreeMap<String, String>,
    /// How many issues.
    pub created: usize,
    /// `liquid` (pour) or `vapor` (wisp).
    pub phase: &'static str,
    /// The issues, root first.
    #[serde(skip)]
    pub issues: Vec<Issue>,
}

/// Cook `formula` with `vars` (runtime mode) and build its proto.
pub fn cook(
    formula: &str,
    vars: &BTreeMap<String, String>,
    opts: &gtc::driver::LoadOptions,
) -> Result<(Proto, BTreeMap<String, String>)> {
    let (resolved, warnings) =
        gtc::driver::cook_formula(formula, Some(vars.clone()), opts).map_err(Error::Refused)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let mut values: BTreeMap<String, String> = resolved
        .vars
        .iter()
        .filter_map(|(k, v)| v.default.clone().map(|d| (k.clone(), d)))
        .collect();
    values.extend(vars.clone());
    let title = resolved
        .vars
        .contains_key("title")
        .then(|| values.get("title").map(String::as_str))
        .flatten();
    let desc = resolved
        .vars
        .contains_key("desc")
        .then(|| values.get("desc").map(String::as_str))
        .flatten();
    let mut proto = build(&resolved, title, desc);
    if proto.issues.len() <= 1 {
        return Err(Error::Refused(format!(
            "formula `{}` pours nothing: after composition and step conditions it has no steps\nhelp: a molecule needs at least one step; `gtc cook {formula} --mode runtime` shows what the formula resolves to with these values",
            resolved.formula
        )));
    }
    // Provenance relative to the project, so ledgers do not depend on where it lives.
    let root = format!("{}/", opts.cwd.display());
    for issue in &mut proto.issues {
        if let Some(loc) = &mut issue.source_location
            && let Some(rest) = loc.strip_prefix(&root)
        {
            *loc = rest.to_owned();
        }
    }
    Ok((proto, values))
}

/// Write `proto` as a new molecule (`ephemeral`: a wisp). `vars` are recorded in the
/// root's metadata, with the formula's name.
pub fn instantiate(
    tx: &Tx,
    proto: &Proto,
    vars: &BTreeMap<String, String>,
    ephemeral: bool,
    assignee: Option<&str>,
) -> Result<Poured> {
    let kind = if ephemeral { "wisp" } else { "mol" };
    let root = tx.fresh_id(kind, &proto.formula)?;
    let stamp = now();
    // `pour = false` asks for a wisp of the root only (Gas Town's materialisation switch).
    let root_only = ephemeral && proto.pour == Some(false);
    let issues_in = if root_only {
        &proto.issues[..proto.issues.len().min(1)]
    } else {
        &proto.issues[..]
    };
    let mut mapping = BTreeMap::new();
    for p in issues_in {
        let id = if p.rel.is_empty() {
            root.clone()
        } else {
            format!("{root}.{}", p.rel)
        };
        mapping.insert(p.rel.clone(), id);
    }
    let mut issues: Vec<Issue> = Vec::with_capacity(issues_in.len());
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for p in issues_in {
        let id = mapping[&p.rel].clone();
        let is_root = p.rel.is_empty();
        let metadata = if is_root {
            Some(serde_json::json!({ "formula": proto.formula, "vars": vars }))
        } else {
            p.metadata.clone()
        };
        let metadata = match metadata {
            Some(value) => Some(RawJson::from_value(&value).map_err(|e| {
                Error::Invalid(format!(
                    "the metadata of `{}` cannot be written: {e}",
                    p.rel
                ))
            })?),
            None => None,
        };
        index.insert(&p.rel, issues.len());
        issues.push(Issue {
            id,
            title: p.title.clone(),
            description: p.description.clone(),
            notes: p.notes.clone(),
            status: String::from("open"),
            priority: p.priority,
            issue_type: p.issue_type.clone(),
            assignee: if is_root {
                assignee.map(str::to_owned)
            } else {
                p.assignee.clone()
            },
            created_at: stamp.clone(),
            created_by: Some(tx.actor.to_owned()),
            updated_at: stamp.clone(),
            metadata,
            labels: p.labels.clone(),
            ephemeral: ephemeral.then_some(true),
            await_type: p.await_type.clone(),
            await_id: p.await_id.clone(),
            timeout: p.timeout,
            source_formula: Some(proto.formula.clone()),
            source_location: p.source_location.clone(),
            ..Issue::default()
        });
    }
    for e in &proto.edges {
        let (Some(&at), Some(to)) = (index.get(e.from.as_str()), mapping.get(&e.to)) else {
            continue;
        };
        let issue = &mut issues[at];
        if issue
            .dependencies
            .iter()
            .any(|d| d.depends_on_id == *to && d.kind == e.kind)
        {
            continue;
        }
        let mut dep = Dependency::new(&issue.id, to, e.kind);
        dep.created_at = Some(stamp.clone());
        dep.created_by = Some(tx.actor.to_owned());
        dep.metadata = e.metadata.clone();
        issue.dependencies.push(dep);
    }
    tx.put_many(&issues)?;
    Ok(Poured {
        new_epic_id: root,
        created: issues.len(),
        id_mapping: mapping,
        phase: if ephemeral { "vapor" } else { "liquid" },
        issues,
    })
}

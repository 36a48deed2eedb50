//! `on_complete` at run time. The pour keeps a step's `on_complete` as the label
//! `on_complete:{json}`; when the step completes, `for_each` (`output.<path>`) is read
//! from its output and must be a list: for each item, the formula `bond` is cooked with
//! `vars` (`{item}`, `{item.field}` and `{index}` filled in) and bonded into the
//! step's molecule: alongside (`parallel`, the default) or each after the previous one
//! (`sequential`). The molecule is complete only when they are too.
//!
//! A `for_each` that names no list in the output is an error: the step is escalated
//! (see [`super::complete`]), not completed with nothing spawned.

use crate::error::{Error, Result};
use crate::ledger::{Issue, Tx};
use crate::mol::bond::{BondOptions, BondType, Operand, bond};
use serde_json::Value;
use std::collections::BTreeMap;

/// The label prefix.
pub const LABEL: &str = "on_complete:";

/// A step's `on_complete`, as the pour recorded it.
#[derive(Debug, serde::Deserialize)]
struct Spec {
    for_each: String,
    bond: String,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    sequential: bool,
}

/// Why the step's `on_complete` cannot be carried out (an error for a person), or the
/// roots it bonded into molecule `root`.
pub enum Spawned {
    None,
    Roots(Vec<String>),
    Failed(String),
}

/// Carry out `step`'s `on_complete` (if any) below molecule `root`.
pub fn run(tx: &Tx, root: &str, step: &Issue, ctx: &super::FlowCtx) -> Result<Spawned> {
    let Some(json) = step.labels.iter().find_map(|l| l.strip_prefix(LABEL)) else {
        return Ok(Spawned::None);
    };
    let spec: Spec = serde_json::from_str(json).map_err(|e| {
        Error::Invalid(format!(
            "`{}`: its label `{LABEL}{json}` is not an on_complete: {e}",
            step.id
        ))
    })?;
    let output = super::complete::output(step)?;
    let Some(path) = spec.for_each.strip_prefix("output.") else {
        return Ok(Spawned::Failed(format!(
            "on_complete.for_each `{}` does not start with `output.`",
            spec.for_each
        )));
    };
    let mut at = output.as_ref();
    for seg in path.split('.') {
        at = at.and_then(|v| v.get(seg));
    }
    let Some(Value::Array(items)) = at else {
        return Ok(Spawned::Failed(format!(
            "on_complete.for_each `{}` names no list in the step's output",
            spec.for_each
        )));
    };
    let mut roots = Vec::with_capacity(items.len());
    let mut previous: Option<String> = None;
    for (index, item) in items.iter().enumerate() {
        let vars: BTreeMap<String, String> = spec
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), fill(v, item, index)))
            .collect();
        let (proto, values) = crate::mol::pour::cook(&spec.bond, &vars, &ctx.load)?;
        let (host, kind) = match (&previous, spec.sequential) {
            (Some(p), true) => (p.clone(), BondType::Sequential),
            _ => (root.to_owned(), BondType::Parallel),
        };
        let bonded = bond(
            tx,
            &Operand::Issue(host),
            &Operand::Formula {
                proto,
                vars: values,
            },
            &BondOptions {
                kind,
                title: None,
                ephemeral: None,
            },
        )?;
        let spawned = bonded.spawned.first().cloned().ok_or_else(|| {
            Error::Invalid(format!(
                "bonding `{}` for `{}` instantiated nothing",
                spec.bond, step.id
            ))
        })?;
        previous = Some(spawned.clone());
        roots.push(spawned);
    }
    Ok(Spawned::Roots(roots))
}

/// `{item}`, `{item.field}` and `{index}` in `text` filled in.
fn fill(text: &str, item: &Value, index: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let value = if name == "index" {
            Some(index.to_string())
        } else if name == "item" {
            Some(plain(item))
        } else if let Some(field) = name.strip_prefix("item.") {
            let mut at = Some(item);
            for seg in field.split('.') {
                at = at.and_then(|v| v.get(seg));
            }
            at.map(plain)
        } else {
            None
        };
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::fill;
    use serde_json::json;

    #[test]
    fn items_fields_and_indexes_are_filled_and_the_rest_kept() {
        let item = json!({"name": "api", "n": 3});
        assert_eq!(
            fill("{item.name}-{index} {{var}} {other} {", &item, 2),
            "api-2 {{var}} {other} {"
        );
        assert_eq!(fill("{item}", &json!("x"), 0), "x");
        assert_eq!(fill("{item.missing}", &item, 0), "{item.missing}");
        assert_eq!(fill("{item.n}", &item, 0), "3");
    }
}

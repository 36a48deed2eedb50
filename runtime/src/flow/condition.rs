//! Evaluating the runtime condition language (`loop.until`, `compose.gate` conditions)
//! over a molecule in the ledger. The language is parsed by the compiler
//! ([`gtc::expr::condition`]); this is its only evaluator.
//!
//! - A step named in a condition is the molecule's member whose id ends with
//!   `.<step>`; inside a loop iteration, that iteration's member is preferred, else the
//!   latest iteration's.
//! - Statuses read as the executor names them: `open` is `pending`, `closed` is
//!   `complete` (`done` and `closed` compare equal to it), others as in the ledger.
//! - `output.a.b` reads the step's `metadata.output`; a missing field is `null`:
//!   `==` is false, `!=` true, an ordering false. Ordering two values that are not both
//!   numbers is an error.
//! - `file.exists('p')` is relative to the town's root, `{{var}}` filled from the
//!   molecule's vars; `env.X` reads the evaluating process's environment (unset: `null`).

use crate::error::{Error, Result};
use crate::ledger::{Issue, Tx};
use gtc::expr::condition::{
    AggFunc, CmpOp, Comparison, Condition, Field, Over, StepRef, StepStatus, parse_condition,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Where a condition is evaluated.
pub struct Scope<'a> {
    /// The molecule root.
    pub root: &'a str,
    /// The step that `step.…`, `status` and `output.…` read.
    pub current: &'a str,
    /// The town's root.
    pub town: &'a Path,
}

/// Evaluate `text` in `scope`.
pub fn eval(tx: &Tx, text: &str, scope: &Scope<'_>) -> Result<bool> {
    let cond = parse_condition(text)
        .map_err(|e| Error::Invalid(format!("condition `{text}`: {}", e.message)))?;
    let members = Members::read(tx, scope.root)?;
    let current = tx.require(scope.current)?;
    let step = |r: &StepRef| -> Result<Issue> {
        match r {
            StepRef::Current => Ok(current.clone()),
            StepRef::Id { id, .. } => members.find(id, &current.id).cloned().ok_or_else(|| {
                Error::Invalid(format!(
                    "condition `{text}`: molecule `{}` has no step `{id}`",
                    scope.root
                ))
            }),
        }
    };
    match &cond {
        Condition::FileExists { path, .. } => {
            let vars = molecule_vars(&tx.require(scope.root)?)?;
            let filled = gtc::expr::template::substitute(path, &|n| vars.get(n).cloned());
            Ok(scope.town.join(filled).exists())
        }
        Condition::Env {
            name, op, value, ..
        } => {
            let got = std::env::var(name).ok().map(Value::String);
            compare(got.as_ref(), *op, &value.text, text)
        }
        Condition::Field { step: r, cmp } => test(&step(r)?, cmp, text),
        Condition::Aggregate {
            over,
            step: r,
            func,
            each,
            count,
        } => {
            let set: Vec<&Issue> = match over {
                Over::Steps => members.steps.iter().collect(),
                Over::Children => {
                    let of = step(r)?;
                    members
                        .steps
                        .iter()
                        .filter(|i| i.parent() == Some(of.id.as_str()))
                        .collect()
                }
                Over::Descendants => {
                    let of = step(r)?;
                    let below: std::collections::HashSet<String> =
                        tx.subtree(&of.id)?.into_iter().skip(1).collect();
                    members
                        .steps
                        .iter()
                        .filter(|i| below.contains(&i.id))
                        .collect()
                }
            };
            let mut hits = 0u64;
            for i in &set {
                if test(i, each, text)? {
                    hits += 1;
                }
            }
            match (func, count) {
                (AggFunc::All, _) => Ok(!set.is_empty() && hits == set.len() as u64),
                (AggFunc::Any, _) => Ok(hits > 0),
                (AggFunc::Count, Some((op, n))) => Ok(order(*op, hits.cmp(n))),
                (AggFunc::Count, None) => Err(Error::Invalid(format!(
                    "condition `{text}`: count(...) needs a comparison"
                ))),
            }
        }
        Condition::StepsCount {
            status, op, count, ..
        } => {
            let want = match status {
                StepStatus::Pending => "pending",
                StepStatus::InProgress => "in_progress",
                StepStatus::Complete => "complete",
                StepStatus::Failed => "failed",
            };
            let n = members
                .steps
                .iter()
                .filter(|i| status_name(&i.status) == want)
                .count() as u64;
            Ok(order(*op, n.cmp(count)))
        }
    }
}

/// The molecule's vars (recorded in its root's metadata at pour).
pub fn molecule_vars(root: &Issue) -> Result<BTreeMap<String, String>> {
    let meta = root
        .metadata_value()
        .map_err(|e| Error::Invalid(format!("`{}`: its metadata is not JSON: {e}", root.id)))?;
    let mut out = BTreeMap::new();
    if let Some(vars) = meta
        .as_ref()
        .and_then(|m| m.get("vars"))
        .and_then(|v| v.as_object())
    {
        for (k, v) in vars {
            if let Some(s) = v.as_str() {
                out.insert(k.clone(), s.to_owned());
            }
        }
    }
    Ok(out)
}

/// The steps of a molecule (its members that are work: no gates, digests or roots).
struct Members {
    root: String,
    steps: Vec<Issue>,
}

impl Members {
    fn read(tx: &Tx, root: &str) -> Result<Members> {
        let mut steps = Vec::new();
        for id in tx.subtree(root)?.into_iter().skip(1) {
            if let Some(i) = tx.get(&id)?
                && !crate::ledger::record::NOT_WORK_TYPES.contains(&i.issue_type.as_str())
                && !i.labels.iter().any(|l| l == "digest")
            {
                steps.push(i);
            }
        }
        Ok(Members {
            root: root.to_owned(),
            steps,
        })
    }

    /// The member for step id `id`, seen from `from` (see the module docs).
    fn find(&self, id: &str, from: &str) -> Option<&Issue> {
        let suffix = format!(".{id}");
        let matches: Vec<&Issue> = self
            .steps
            .iter()
            .filter(|i| i.id.ends_with(&suffix) && i.id.starts_with(&self.root))
            .collect();
        if let Some(iter) = super::loops::iteration_of(from)
            && let Some(m) = matches.iter().find(|i| i.id.starts_with(&iter))
        {
            return Some(m);
        }
        matches
            .into_iter()
            .max_by_key(|i| super::loops::iteration_of(&i.id).map(|p| super::loops::number(&p)))
    }
}

/// The executor's name for a ledger status.
fn status_name(s: &str) -> &str {
    match s {
        "open" => "pending",
        "closed" => "complete",
        other => other,
    }
}

fn test(step: &Issue, cmp: &Comparison, text: &str) -> Result<bool> {
    match &cmp.field {
        Field::Status => {
            let got = status_name(&step.status);
            let want = match cmp.value.text.as_str() {
                "done" | "closed" => "complete",
                "open" => "pending",
                w => w,
            };
            compare(Some(&Value::String(got.to_owned())), cmp.op, want, text)
        }
        Field::Output(path) => {
            let out = super::complete::output(step)?;
            let mut at = out.as_ref();
            for seg in path {
                at = at.and_then(|v| match v {
                    Value::Object(m) => m.get(seg),
                    Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                    _ => None,
                });
            }
            compare(at, cmp.op, &cmp.value.text, text)
        }
    }
}

/// `got <op> want`; see the module docs for `null` and orderings.
fn compare(got: Option<&Value>, op: CmpOp, want: &str, text: &str) -> Result<bool> {
    let Some(got) = got.filter(|v| !v.is_null()) else {
        return Ok(op == CmpOp::Ne);
    };
    let got_text = match got {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let numbers = got_text
        .trim()
        .parse::<f64>()
        .ok()
        .zip(want.trim().parse::<f64>().ok());
    match (op, numbers) {
        (CmpOp::Eq, Some((a, b))) => Ok(a == b),
        (CmpOp::Ne, Some((a, b))) => Ok(a != b),
        (CmpOp::Eq, None) => Ok(got_text == want),
        (CmpOp::Ne, None) => Ok(got_text != want),
        (_, Some((a, b))) => match a.partial_cmp(&b) {
            Some(o) => Ok(order(op, o)),
            None => Err(Error::Invalid(format!(
                "condition `{text}`: cannot order {got_text} and {want}"
            ))),
        },
        (_, None) => Err(Error::Invalid(format!(
            "condition `{text}`: `{got_text}` and `{want}` are not both numbers, so they cannot be ordered"
        ))),
    }
}

fn order(op: CmpOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Le => o != Greater,
        CmpOp::Gt => o == Greater,
        CmpOp::Ge => o != Less,
    }
}

#[cfg(test)]
mod tests {
    use super::{compare, order};
    use gtc::expr::condition::CmpOp;
    use serde_json::json;

    #[test]
    fn numbers_compare_as_numbers_strings_as_text_and_null_only_differs() {
        assert!(compare(Some(&json!(3)), CmpOp::Eq, "3.0", "c").unwrap_or(false));
        assert!(compare(Some(&json!("10")), CmpOp::Gt, "9", "c").unwrap_or(false));
        assert!(compare(Some(&json!("yes")), CmpOp::Eq, "yes", "c").unwrap_or(false));
        assert!(compare(Some(&json!("yes")), CmpOp::Ne, "no", "c").unwrap_or(false));
        assert!(!compare(None, CmpOp::Eq, "x", "c").unwrap_or(true));
        assert!(compare(None, CmpOp::Ne, "x", "c").unwrap_or(false));
        assert!(!compare(Some(&json!(null)), CmpOp::Gt, "1", "c").unwrap_or(true));
        assert!(order(CmpOp::Le, std::cmp::Ordering::Equal));
        assert!(!order(CmpOp::Lt, std::cmp::Ordering::Equal));
    }

    #[test]
    fn ordering_what_is_not_a_number_is_an_error_naming_the_condition() {
        let e = compare(Some(&json!("abc")), CmpOp::Lt, "3", "x.output.v < 3");
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("x.output.v < 3"), "{msg}");
        assert!(msg.contains("not both numbers"), "{msg}");
    }
}

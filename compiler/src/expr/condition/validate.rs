//! Checks a raw condition (operators, fields, statuses, counts) and builds the [`Condition`].

use super::super::ExprError;
use super::syntax::{Piece, Raw, RawCmp};
use super::{AggFunc, CmpOp, Comparison, Condition, Field, Over, StepRef, StepStatus, Value};
use std::ops::Range;

/// Validates an operator.
fn cmp_op((text, range): &Piece<'_>) -> Result<CmpOp, ExprError> {
    let suggestion = match *text {
        "==" => return Ok(CmpOp::Eq),
        "!=" => return Ok(CmpOp::Ne),
        "<" => return Ok(CmpOp::Lt),
        "<=" => return Ok(CmpOp::Le),
        ">" => return Ok(CmpOp::Gt),
        ">=" => return Ok(CmpOp::Ge),
        "=" | "===" => Some("=="),
        "=<" => Some("<="),
        "=>" => Some(">="),
        "<>" | "!==" | "=!" => Some("!="),
        _ => None,
    };
    let err = ExprError::new(range.clone(), format!("unknown operator `{text}`"));
    Err(match suggestion {
        Some(s) => err.with_help(format!("did you mean `{s}`? (operators: == != < <= > >=)")),
        None => err.with_help("operators are == != < <= > >="),
    })
}

/// Validates a whole-number count.
fn count_value(value: &Value) -> Result<u64, ExprError> {
    match value.text.parse::<u64>() {
        Ok(n) if !value.quoted => Ok(n),
        _ => Err(ExprError::new(
            value.range.clone(),
            format!("expected a whole number, found `{}`", value.text),
        )
        .with_help("counts are compared with non-negative integers, e.g. `>= 3`")),
    }
}

/// Turns `status` / `output.a.b` segments into a [`Field`]; `whole` is the full path's range.
fn field_of(segs: &[Piece<'_>], whole: &Range<usize>) -> Result<Field, ExprError> {
    match segs {
        [("status", _)] => Ok(Field::Status),
        [("output", _), rest @ ..] if !rest.is_empty() => Ok(Field::Output(
            rest.iter().map(|(s, _)| s.to_string()).collect(),
        )),
        [("output", r)] => Err(ExprError::new(r.clone(), "`output` needs a path")
            .with_help("e.g. `output.approved` or `review.output.score`")),
        _ => {
            let start = segs.first().map_or(whole.start, |(_, r)| r.start);
            let shown: Vec<&str> = segs.iter().map(|(s, _)| *s).collect();
            Err(ExprError::new(
                start..whole.end,
                format!("unknown field `{}`", shown.join(".")),
            )
            .with_help("a step field is `status` or `output.<path>`"))
        }
    }
}

/// Validates a comparison read from `step` (or from each aggregated step when `each`).
fn comparison<'s>(raw: &RawCmp<'s>, each: bool) -> Result<(StepRef, Comparison), ExprError> {
    let whole = match (raw.path.first(), raw.path.last()) {
        (Some((_, a)), Some((_, b))) => a.start..b.end,
        _ => raw.op.1.clone(),
    };
    let (step, segs) = match raw.path.as_slice() {
        [("step", _), rest @ ..] if !rest.is_empty() => (StepRef::Current, rest),
        [("status" | "output", _), ..] => (StepRef::Current, raw.path.as_slice()),
        [(id, r), rest @ ..] if !rest.is_empty() && !each => (
            StepRef::Id {
                id: id.to_string(),
                range: r.clone(),
            },
            rest,
        ),
        _ => (StepRef::Current, raw.path.as_slice()),
    };
    let field = field_of(segs, &whole).map_err(|e| {
        if each {
            e.with_help(
                "inside an aggregate, compare a field of each step: `status` or `output.<path>`",
            )
        } else {
            e
        }
    })?;
    let op = cmp_op(&raw.op)?;
    Ok((
        step,
        Comparison {
            field,
            field_range: whole,
            op,
            value: raw.value.clone(),
        },
    ))
}

/// Validates the raw parse and builds the [`Condition`].
pub(super) fn build(raw: Raw<'_>) -> Result<Condition, ExprError> {
    Ok(match raw {
        Raw::File((s, r)) => {
            let path = s.get(1..s.len() - 1).unwrap_or_default();
            let path_range = r.start + 1..r.end - 1;
            if path.is_empty() {
                return Err(ExprError::new(r, "`file.exists` needs a path"));
            }
            Condition::FileExists {
                path: path.to_string(),
                path_range,
            }
        }
        Raw::Env((name, name_range), op, value) => Condition::Env {
            name: name.to_string(),
            name_range,
            op: cmp_op(&op)?,
            value,
        },
        Raw::Field(cmp) => {
            let (step, cmp) = comparison(&cmp, false)?;
            Condition::Field { step, cmp }
        }
        Raw::Steps((stat, status_range), op, n) => {
            let status = match stat {
                "pending" => StepStatus::Pending,
                "in_progress" => StepStatus::InProgress,
                "complete" => StepStatus::Complete,
                "failed" => StepStatus::Failed,
                _ => {
                    return Err(ExprError::new(status_range, format!("unknown step status `{stat}`"))
                        .with_help("`steps.<status>` counts steps that are pending, in_progress, complete or failed"));
                }
            };
            Condition::StepsCount {
                status,
                status_range,
                op: cmp_op(&op)?,
                count: count_value(&n)?,
            }
        }
        Raw::Agg((over, _), (arg, arg_range), (func, func_range), inner, tail) => {
            let over = match over {
                "children" => Over::Children,
                "descendants" => Over::Descendants,
                _ => Over::Steps,
            };
            let step = match arg {
                "step" => StepRef::Current,
                _ => StepRef::Id {
                    id: arg.to_string(),
                    range: arg_range,
                },
            };
            let (_, each) = comparison(&inner, true)?;
            let func = match func {
                "all" => AggFunc::All,
                "any" => AggFunc::Any,
                _ => AggFunc::Count,
            };
            let count = match (func, tail) {
                (AggFunc::Count, Some((op, n))) => Some((cmp_op(&op)?, count_value(&n)?)),
                (AggFunc::Count, None) => {
                    let end = func_range.end;
                    return Err(ExprError::new(
                        func_range.start..end,
                        "`count(...)` must be compared with a number",
                    )
                    .with_help("e.g. `steps(x).count(status == 'complete') >= 3`"));
                }
                (_, Some((op, n))) => {
                    return Err(ExprError::new(
                        op.1.start..n.range.end,
                        "only `count(...)` can be compared with a number",
                    )
                    .with_help("`all(...)` and `any(...)` are already true or false"));
                }
                (_, None) => None,
            };
            Condition::Aggregate {
                over,
                step,
                func,
                each,
                count,
            }
        }
    })
}

//! The runtime condition language of `loop.until` and `compose.gate[].condition`.
//!
//! One condition is one of:
//! * `file.exists('path')` (the path may contain `{{var}}`),
//! * `env.NAME <op> value`,
//! * `children(x).all(cmp)`, `descendants(x).any(cmp)`, `steps(x).count(cmp) <op> N`,
//! * `steps.<status> <op> N`,
//! * a field comparison: `status`, `step.status`, `output.<path>`, `<stepid>.status` or
//!   `<stepid>.output.<path>`, then `<op> value`.
//!
//! Operators are `== != < <= > >=`; a value is a quoted string, a number or a bare word. The
//! reference accepts much more (`=<`, `a == 'x' && b < 3`, trailing junk after aggregates) and
//! fails later or never; those are errors here.

mod syntax;
#[cfg(test)]
mod tests;
mod validate;

use super::ExprError;
use super::template::{VarRef, var_refs};
use std::ops::Range;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The value with one pair of quotes removed (`-3` for a negative number).
    pub text: String,
    /// Whether it was written in quotes.
    pub quoted: bool,
    /// Byte range as written, quotes included.
    pub range: Range<usize>,
}

/// Which step a field comparison reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepRef {
    /// The current step (`step.…`, `output.…`, `status`, or the argument `step`).
    Current,
    /// Another step, by id.
    Id {
        /// The step id.
        id: String,
        /// Byte range of the id.
        range: Range<usize>,
    },
}

/// The field a comparison reads from a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// `status`.
    Status,
    /// `output.a.b`: the path segments after `output`.
    Output(Vec<String>),
}

/// `field <op> value`, read from one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The field.
    pub field: Field,
    /// Byte range of the whole dotted path as written.
    pub field_range: Range<usize>,
    /// The operator.
    pub op: CmpOp,
    /// The value compared against.
    pub value: Value,
}

/// What an aggregate ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Over {
    /// `children(x)`
    Children,
    /// `descendants(x)`
    Descendants,
    /// `steps(x)` (the reference ignores `x` and uses every step).
    Steps,
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggFunc {
    /// `.all(...)` (false over an empty set, as in the reference).
    All,
    /// `.any(...)`
    Any,
    /// `.count(...) <op> N`
    Count,
}

/// An executor step status, as counted by `steps.<status>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepStatus {
    /// `pending`
    Pending,
    /// `in_progress`
    InProgress,
    /// `complete`
    Complete,
    /// `failed`
    Failed,
}

/// A parsed runtime condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `file.exists('path')`.
    FileExists {
        /// The path between the quotes.
        path: String,
        /// Byte range of the path, quotes excluded.
        path_range: Range<usize>,
    },
    /// `env.NAME <op> value`.
    Env {
        /// The environment variable name.
        name: String,
        /// Byte range of the name.
        name_range: Range<usize>,
        /// The operator.
        op: CmpOp,
        /// The value.
        value: Value,
    },
    /// A field of one step compared with a value.
    Field {
        /// The step read.
        step: StepRef,
        /// The comparison.
        cmp: Comparison,
    },
    /// `children(x).all(cmp)`, `descendants(x).any(cmp)`, `steps(x).count(cmp) <op> N`, ...
    Aggregate {
        /// What is aggregated.
        over: Over,
        /// The argument step.
        step: StepRef,
        /// The function.
        func: AggFunc,
        /// The comparison applied to each step.
        each: Comparison,
        /// For `count`: the comparison of the count.
        count: Option<(CmpOp, u64)>,
    },
    /// `steps.<status> <op> N`.
    StepsCount {
        /// The status counted.
        status: StepStatus,
        /// Byte range of the status word.
        status_range: Range<usize>,
        /// The operator.
        op: CmpOp,
        /// The number compared against.
        count: u64,
    },
}

/// Parses a runtime condition. Ranges are relative to `text` (before trimming).
pub fn parse_condition(text: &str) -> Result<Condition, ExprError> {
    if text.trim().is_empty() {
        return Err(ExprError::new(0..text.len(), "empty condition").with_help(
            "e.g. `step.status == 'complete'` or `children(step).all(status == 'complete')`",
        ));
    }
    validate::build(syntax::parse(text)?)
}

/// Step ids the condition refers to (`<id>.status`, `<id>.output…`, aggregate arguments).
pub fn step_refs(cond: &Condition) -> Vec<(String, Range<usize>)> {
    let step = match cond {
        Condition::Field { step, .. } | Condition::Aggregate { step, .. } => step,
        _ => return Vec::new(),
    };
    match step {
        StepRef::Id { id, range } => vec![(id.clone(), range.clone())],
        StepRef::Current => Vec::new(),
    }
}

/// `{{var}}` references inside a `file.exists` path, with ranges relative to the condition.
pub fn var_refs_in(cond: &Condition) -> Vec<VarRef> {
    match cond {
        Condition::FileExists { path, path_range } => var_refs(path)
            .into_iter()
            .map(|r| VarRef {
                name: r.name,
                range: r.range.start + path_range.start..r.range.end + path_range.start,
            })
            .collect(),
        _ => Vec::new(),
    }
}

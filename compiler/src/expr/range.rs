//! Loop range expressions (`range = "1..2^{disks}"`): `start..end`, each side an arithmetic
//! expression over numbers and `{name}` variables with `+ - * / ^`, unary minus and parentheses.
//!
//! Precedence, loosest first: `+ -`, then `* /`, then `^` (right-associative), then unary minus,
//! so `-2^2` is `(-2)^2` as in the reference. Results are truncated to integers.

mod syntax;
#[cfg(test)]
mod tests;

use super::ExprError;
use std::ops::Range;

/// A parsed `start..end` range.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeExpr {
    /// The expression before `..`.
    pub start: Expr,
    /// The expression after `..`.
    pub end: Expr,
}

/// An arithmetic expression. Every `range` covers the node's text, operands included.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal (digits with an optional fraction).
    Num {
        /// Its value.
        value: f64,
        /// Byte range of the literal.
        range: Range<usize>,
    },
    /// A `{name}` variable.
    Var {
        /// The name, without braces.
        name: String,
        /// Byte range of `{name}`, braces included.
        range: Range<usize>,
    },
    /// Unary minus.
    Neg {
        /// The negated expression.
        operand: Box<Expr>,
        /// Byte range from the `-` to the end of the operand.
        range: Range<usize>,
    },
    /// `lhs + rhs`.
    Add {
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Byte range of the whole sum.
        range: Range<usize>,
    },
    /// `lhs - rhs`.
    Sub {
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Byte range of the whole difference.
        range: Range<usize>,
    },
    /// `lhs * rhs`.
    Mul {
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Byte range of the whole product.
        range: Range<usize>,
    },
    /// `lhs / rhs`.
    Div {
        /// Dividend.
        lhs: Box<Expr>,
        /// Divisor.
        rhs: Box<Expr>,
        /// Byte range of the whole quotient.
        range: Range<usize>,
    },
    /// `lhs ^ rhs` (power, right-associative).
    Pow {
        /// Base.
        lhs: Box<Expr>,
        /// Exponent.
        rhs: Box<Expr>,
        /// Byte range of the whole power.
        range: Range<usize>,
    },
}

impl Expr {
    /// The byte range of this expression in the parsed string.
    pub fn range(&self) -> Range<usize> {
        match self {
            Expr::Num { range, .. }
            | Expr::Var { range, .. }
            | Expr::Neg { range, .. }
            | Expr::Add { range, .. }
            | Expr::Sub { range, .. }
            | Expr::Mul { range, .. }
            | Expr::Div { range, .. }
            | Expr::Pow { range, .. } => range.clone(),
        }
    }

    /// The operator and operands of a binary node.
    fn binary(&self) -> Option<(BinOp, &Expr, &Expr)> {
        match self {
            Expr::Add { lhs, rhs, .. } => Some((BinOp::Add, lhs, rhs)),
            Expr::Sub { lhs, rhs, .. } => Some((BinOp::Sub, lhs, rhs)),
            Expr::Mul { lhs, rhs, .. } => Some((BinOp::Mul, lhs, rhs)),
            Expr::Div { lhs, rhs, .. } => Some((BinOp::Div, lhs, rhs)),
            Expr::Pow { lhs, rhs, .. } => Some((BinOp::Pow, lhs, rhs)),
            _ => None,
        }
    }
}

/// The binary operators, used while parsing and evaluating.
#[derive(Clone, Copy, Debug, PartialEq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// Parses a range expression such as `1..10`, `0..(n-1)*2` or `1..2^{disks}`.
pub fn parse_range(text: &str) -> Result<RangeExpr, ExprError> {
    if text.trim().is_empty() {
        return Err(ExprError::new(0..text.len(), "empty range expression")
            .with_help("a range is `start..end`, e.g. `1..10` or `1..2^{n}`"));
    }
    syntax::parse(text)
}

/// Evaluates `expr`, truncating the result to an integer.
pub fn eval(expr: &Expr, vars: &dyn Fn(&str) -> Option<f64>) -> Result<i64, ExprError> {
    let value = eval_f64(expr, vars)?.trunc();
    // i64::MAX as f64 rounds up to 2^63, which is out of range: compare against that bound.
    if value >= -(2f64.powi(63)) && value < 2f64.powi(63) {
        Ok(value as i64)
    } else {
        Err(ExprError::new(
            expr.range(),
            "result does not fit in a 64-bit integer",
        ))
    }
}

/// Evaluates both ends; fails when the end is before the start (as the reference does).
pub fn eval_bounds(
    range: &RangeExpr,
    vars: &dyn Fn(&str) -> Option<f64>,
) -> Result<(i64, i64), ExprError> {
    let start = eval(&range.start, vars)?;
    let end = eval(&range.end, vars)?;
    if end < start {
        let r = range.start.range().start..range.end.range().end;
        return Err(ExprError::new(
            r,
            format!("range end ({end}) is less than start ({start})"),
        ));
    }
    Ok((start, end))
}

/// Evaluates in floating point, failing on unknown variables, division by zero and non-finite values.
fn eval_f64(expr: &Expr, vars: &dyn Fn(&str) -> Option<f64>) -> Result<f64, ExprError> {
    let value = match expr {
        Expr::Num { value, .. } => *value,
        Expr::Var { name, range } => vars(name).ok_or_else(|| {
            ExprError::new(range.clone(), format!("unknown variable `{name}`"))
                .with_help("range variables come from the loop's own vars or the formula's vars")
        })?,
        Expr::Neg { operand, .. } => -eval_f64(operand, vars)?,
        _ => {
            let Some((op, lhs, rhs)) = expr.binary() else {
                return Err(ExprError::new(expr.range(), "unsupported expression"));
            };
            let (a, b) = (eval_f64(lhs, vars)?, eval_f64(rhs, vars)?);
            match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div if b == 0.0 => {
                    return Err(ExprError::new(rhs.range(), "division by zero"));
                }
                BinOp::Div => a / b,
                BinOp::Pow => a.powf(b),
            }
        }
    };
    if value.is_nan() {
        Err(ExprError::new(expr.range(), "result is not a number"))
    } else if value.is_infinite() {
        Err(ExprError::new(expr.range(), "result is too large"))
    } else {
        Ok(value)
    }
}

/// Every `{name}` variable in the range, in source order, with its range (braces included).
pub fn vars_in(range: &RangeExpr) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut stack = vec![&range.end, &range.start];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Num { .. } => {}
            Expr::Var { name, range } => out.push((name.clone(), range.clone())),
            Expr::Neg { operand, .. } => stack.push(operand),
            _ => {
                if let Some((_, lhs, rhs)) = e.binary() {
                    stack.push(rhs);
                    stack.push(lhs);
                }
            }
        }
    }
    out
}

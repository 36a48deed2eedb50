//! Lexer and chumsky grammar of range expressions.

use super::super::{
    ExprError, MAX_DEPTH, Spanned, first_error, lex, syntax_error, unexpected_char,
};
use super::{BinOp, Expr, RangeExpr};
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;
use logos::Logos;
use std::fmt;
use std::ops::Range;

/// Most tokens a range expression may have (keeps the tree, and its evaluation, shallow).
const MAX_TOKENS: usize = 512;

/// Tokens of the range language.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n]+")]
enum Tok<'s> {
    #[regex(r"[0-9]+(\.[0-9]+)?")]
    Num(&'s str),
    #[regex(r"\{[A-Za-z0-9_]+\}")]
    Var(&'s str),
    #[regex(r"\{\{[A-Za-z0-9_]+\}\}")]
    DoubleVar(&'s str),
    #[token("..")]
    DotDot,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("^")]
    Caret,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Tok::Num(s) | Tok::Var(s) | Tok::DoubleVar(s) => s,
            Tok::DotDot => "..",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Caret => "^",
            Tok::LParen => "(",
            Tok::RParen => ")",
        };
        f.write_str(s)
    }
}

/// An expression with its full extent (parentheses included).
type Node = (Expr, Range<usize>);

/// Builds a binary node covering both operands.
fn bin(op: BinOp, (lhs, l): Node, (rhs, r): Node) -> Node {
    let range = l.start..r.end;
    let (lhs, rhs) = (Box::new(lhs), Box::new(rhs));
    let expr = match op {
        BinOp::Add => Expr::Add {
            lhs,
            rhs,
            range: range.clone(),
        },
        BinOp::Sub => Expr::Sub {
            lhs,
            rhs,
            range: range.clone(),
        },
        BinOp::Mul => Expr::Mul {
            lhs,
            rhs,
            range: range.clone(),
        },
        BinOp::Div => Expr::Div {
            lhs,
            rhs,
            range: range.clone(),
        },
        BinOp::Pow => Expr::Pow {
            lhs,
            rhs,
            range: range.clone(),
        },
    };
    (expr, range)
}

/// The chumsky grammar: `expr '..' expr`.
fn parser<'t, 's: 't, I>() -> impl Parser<'t, I, RangeExpr, extra::Err<Rich<'t, Tok<'s>>>>
where
    I: ValueInput<'t, Token = Tok<'s>, Span = SimpleSpan>,
{
    let expr = recursive(|expr| {
        let num = select! { Tok::Num(s) => s }.map_with(|s: &str, e| {
            let span: SimpleSpan = e.span();
            // `check_tokens` has already rejected numbers that do not parse to a finite value.
            let value = s.parse::<f64>().unwrap_or(0.0);
            (
                Expr::Num {
                    value,
                    range: span.into_range(),
                },
                span.into_range(),
            )
        });
        let var = select! { Tok::Var(s) => s }.map_with(|s: &str, e| {
            let span: SimpleSpan = e.span();
            let range = span.into_range();
            let name = s.get(1..s.len() - 1).unwrap_or_default().to_string();
            (
                Expr::Var {
                    name,
                    range: range.clone(),
                },
                range,
            )
        });
        let paren = expr
            .delimited_by(just(Tok::LParen), just(Tok::RParen))
            .map_with(|(inner, _): Node, e| {
                let span: SimpleSpan = e.span();
                (inner, span.into_range())
            });
        let primary = choice((num, var, paren));
        let unary = just(Tok::Minus)
            .map_with(|_, e| {
                let span: SimpleSpan = e.span();
                span.start
            })
            .repeated()
            .foldr(primary, |start, (operand, r): Node| {
                let range = start..r.end;
                let neg = Expr::Neg {
                    operand: Box::new(operand),
                    range: range.clone(),
                };
                (neg, range)
            })
            .labelled("a number, `{var}`, `(` or `-`");
        let pow = unary
            .separated_by(just(Tok::Caret))
            .at_least(1)
            .collect::<Vec<Node>>()
            .map(|items| {
                let mut items = items.into_iter().rev();
                let last = items.next().unwrap_or((
                    Expr::Num {
                        value: 0.0,
                        range: 0..0,
                    },
                    0..0,
                ));
                items.fold(last, |rhs, lhs| bin(BinOp::Pow, lhs, rhs))
            });
        let mul_op = just(Tok::Star)
            .to(BinOp::Mul)
            .or(just(Tok::Slash).to(BinOp::Div));
        let term = pow
            .clone()
            .foldl(mul_op.then(pow).repeated(), |l, (op, r)| bin(op, l, r));
        let add_op = just(Tok::Plus)
            .to(BinOp::Add)
            .or(just(Tok::Minus).to(BinOp::Sub));
        term.clone()
            .foldl(add_op.then(term).repeated(), |l, (op, r)| bin(op, l, r))
    });
    expr.clone()
        .then_ignore(just(Tok::DotDot))
        .then(expr)
        .then_ignore(end())
        .map(|((start, _), (end, _))| RangeExpr { start, end })
}

/// Lexes, checks and parses `text` (known to be non-blank).
pub(super) fn parse(text: &str) -> Result<RangeExpr, ExprError> {
    let tokens: Vec<Spanned<Tok>> = lex(text).map_err(|r| {
        let err = unexpected_char(text, &r);
        match text.get(err.range.clone()).and_then(|s| s.chars().next()) {
            Some('{') => err.with_help(
                "variables are written `{name}`, with a name of letters, digits and `_`",
            ),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                err.with_help("variables are written in braces, e.g. `1..{n}`")
            }
            _ => err,
        }
    })?;
    check_tokens(&tokens)?;
    let eoi = SimpleSpan::from(text.len()..text.len());
    parser()
        .parse(tokens.as_slice().split_token_span(eoi))
        .into_result()
        .map_err(|errs| match first_error(errs) {
            Some(e) => describe(&e),
            None => ExprError::new(0..text.len(), "invalid range expression"),
        })
}

/// Rejects bad literals and inputs that would build an over-deep tree: nesting past
/// [`MAX_DEPTH`], or too many tokens.
fn check_tokens(tokens: &[Spanned<Tok>]) -> Result<(), ExprError> {
    let mut depth = 0usize;
    for (tok, span) in tokens {
        match tok {
            Tok::Num(s) if !s.parse::<f64>().is_ok_and(f64::is_finite) => {
                return Err(ExprError::new(
                    span.into_range(),
                    format!("number `{s}` is too large"),
                ));
            }
            Tok::DoubleVar(s) => {
                let name = s.get(2..s.len() - 2).unwrap_or_default();
                return Err(ExprError::new(
                    span.into_range(),
                    format!("range variables use single braces: write `{{{name}}}`, not `{s}`"),
                ));
            }
            Tok::LParen => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ExprError::new(
                        span.into_range(),
                        format!("parentheses nested more than {MAX_DEPTH} deep"),
                    ));
                }
            }
            Tok::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let Some((_, span)) = tokens.get(MAX_TOKENS) {
        return Err(ExprError::new(
            span.start..tokens.last().map_or(span.end, |(_, s)| s.end),
            format!("range expression is too long (more than {MAX_TOKENS} tokens)"),
        ));
    }
    Ok(())
}

/// Turns a chumsky error into an [`ExprError`] with range-specific wording.
fn describe(err: &Rich<'_, Tok<'_>>) -> ExprError {
    let base = syntax_error(err);
    let wants_dotdot = err
        .expected()
        .any(|p| matches!(p, chumsky::error::RichPattern::Token(t) if **t == Tok::DotDot));
    match err.found() {
        None if wants_dotdot => ExprError::new(
            base.range,
            "missing `..` between the start and end of the range",
        )
        .with_help("a range is `start..end`, e.g. `1..10` or `1..2^{n}`"),
        Some(Tok::DotDot) => base.with_help("a range has exactly one `..`"),
        _ => base,
    }
}

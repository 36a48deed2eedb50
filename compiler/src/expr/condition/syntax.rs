//! Lexer and chumsky grammar of the condition language, producing an unvalidated [`Raw`] tree.

use super::super::{
    ExprError, Spanned, first_error, found_text, lex, syntax_error, unexpected_char,
};
use super::Value;
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;
use logos::Logos;
use std::fmt;
use std::ops::Range;

/// Tokens of the condition language.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n]+")]
enum Tok<'s> {
    #[regex(r"[0-9]*[A-Za-z_][A-Za-z0-9_]*")]
    Word(&'s str),
    #[regex(r"[0-9]+(\.[0-9]+)?")]
    Num(&'s str),
    #[regex(r#"'[^']*'|"[^"]*""#)]
    Str(&'s str),
    #[regex(r"[=!<>]+")]
    Op(&'s str),
    #[token(".")]
    Dot,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("-")]
    Minus,
    #[token(",")]
    Comma,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Tok::Word(s) | Tok::Num(s) | Tok::Str(s) | Tok::Op(s) => s,
            Tok::Dot => ".",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Minus => "-",
            Tok::Comma => ",",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
        };
        f.write_str(s)
    }
}

/// A chumsky span as a byte range.
fn rng(span: SimpleSpan) -> Range<usize> {
    span.into_range()
}

/// A token's text with its byte range.
pub(super) type Piece<'s> = (&'s str, Range<usize>);

/// A comparison before validation.
#[derive(Clone)]
pub(super) struct RawCmp<'s> {
    pub(super) path: Vec<Piece<'s>>,
    pub(super) op: Piece<'s>,
    pub(super) value: Value,
}

/// A condition before validation.
#[derive(Clone)]
pub(super) enum Raw<'s> {
    File(Piece<'s>),
    Env(Piece<'s>, Piece<'s>, Value),
    Agg(
        Piece<'s>,
        Piece<'s>,
        Piece<'s>,
        RawCmp<'s>,
        Option<(Piece<'s>, Value)>,
    ),
    Steps(Piece<'s>, Piece<'s>, Value),
    Field(RawCmp<'s>),
}

/// The chumsky grammar (one condition, then end of input).
fn parser<'t, 's: 't, I>() -> impl Parser<'t, I, Raw<'s>, extra::Err<Rich<'t, Tok<'s>>>>
where
    I: ValueInput<'t, Token = Tok<'s>, Span = SimpleSpan>,
{
    let piece = |s: &'s str, span: SimpleSpan| (s, rng(span));
    let word = select! { Tok::Word(w) = e => piece(w, e.span()) }.labelled("a name");
    let kw = move |k: &'static str| just(Tok::Word(k)).map_with(move |_, e| piece(k, e.span()));
    let op = select! { Tok::Op(o) = e => piece(o, e.span()) }.labelled("a comparison operator");
    let value = choice((
        select! { Tok::Str(s) = e => Value {
            text: s.get(1..s.len() - 1).unwrap_or_default().to_string(),
            quoted: true,
            range: rng(e.span()),
        } },
        just(Tok::Minus)
            .ignore_then(select! { Tok::Num(n) => n })
            .map_with(|n, e| Value {
                text: format!("-{n}"),
                quoted: false,
                range: rng(e.span()),
            }),
        select! {
            Tok::Num(s) = e => Value { text: s.to_string(), quoted: false, range: rng(e.span()) },
            Tok::Word(s) = e => Value { text: s.to_string(), quoted: false, range: rng(e.span()) },
        },
    ))
    .labelled("a value");
    let path = word
        .separated_by(just(Tok::Dot))
        .at_least(1)
        .collect::<Vec<_>>();
    let cmp = path
        .then(op)
        .then(value.clone())
        .map(|((path, op), value)| RawCmp { path, op, value });
    let file = kw("file")
        .ignore_then(just(Tok::Dot))
        .ignore_then(kw("exists"))
        .ignore_then(
            select! { Tok::Str(s) = e => piece(s, e.span()) }
                .labelled("a quoted path")
                .delimited_by(just(Tok::LParen), just(Tok::RParen)),
        )
        .map(Raw::File);
    let env = kw("env")
        .ignore_then(just(Tok::Dot))
        .ignore_then(word)
        .then(op)
        .then(value.clone())
        .map(|((name, op), value)| Raw::Env(name, op, value));
    let agg = choice((kw("children"), kw("descendants"), kw("steps")))
        .then(word.delimited_by(just(Tok::LParen), just(Tok::RParen)))
        .then_ignore(just(Tok::Dot))
        .then(choice((kw("all"), kw("any"), kw("count"))))
        .then(
            cmp.clone()
                .delimited_by(just(Tok::LParen), just(Tok::RParen)),
        )
        .then(op.then(value.clone()).or_not())
        .map(|((((over, arg), func), inner), tail)| Raw::Agg(over, arg, func, inner, tail));
    let steps = kw("steps")
        .ignore_then(just(Tok::Dot))
        .ignore_then(word)
        .then(op)
        .then(value)
        .map(|((stat, op), n)| Raw::Steps(stat, op, n));
    let field = word
        .filter(|(w, _)| !matches!(*w, "file" | "env" | "steps"))
        .rewind()
        .ignore_then(cmp)
        .map(Raw::Field);
    choice((file, env, agg, steps, field)).then_ignore(end())
}

/// Lexes and parses `text` (known to be non-blank) into the raw tree.
pub(super) fn parse(text: &str) -> Result<Raw<'_>, ExprError> {
    let tokens: Vec<Spanned<Tok>> = lex(text).map_err(|r| lex_error(text, &r))?;
    let eoi = SimpleSpan::from(text.len()..text.len());
    parser()
        .parse(tokens.as_slice().split_token_span(eoi))
        .into_result()
        .map_err(|errs| match first_error(errs) {
            Some(e) => describe(&e, &tokens),
            None => ExprError::new(0..text.len(), "invalid condition"),
        })
}

/// The error for input logos cannot lex.
fn lex_error(text: &str, r: &Range<usize>) -> ExprError {
    let err = unexpected_char(text, r);
    match text.get(err.range.clone()) {
        Some("'" | "\"") => ExprError::new(r.start..text.len(), "unclosed string"),
        Some("{") => {
            err.with_help("`{{var}}` is only substituted inside `file.exists('...')` paths")
        }
        Some("&" | "|") => {
            err.with_help("conditions cannot be combined; one condition is one comparison")
        }
        _ => err,
    }
}

/// Wording for syntax errors, with help for the common mistakes.
fn describe(err: &Rich<'_, Tok<'_>>, tokens: &[Spanned<Tok>]) -> ExprError {
    let base = syntax_error(err);
    let combine = "a condition is a single comparison: use one gate per condition, or an aggregate such as `children(x).all(status == 'complete')`";
    match err.found() {
        Some(Tok::AndAnd | Tok::OrOr) | Some(Tok::Word("and" | "or")) => ExprError::new(
            base.range,
            format!("conditions cannot be combined with {}", found_text(err)),
        )
        .with_help(combine),
        Some(Tok::LParen) if after_aggregate_word(tokens, err.span().start) => base.with_help(
            "aggregates cannot be nested: inside `all(...)`, `any(...)` or `count(...)`, compare a field of each step",
        ),
        Some(Tok::Minus) if glued_to_words(tokens, err.span().start) => base.with_help(
            "step ids containing `-` cannot be referenced here: the reference tool only accepts letters, digits and `_`",
        ),
        _ => base,
    }
}

/// Whether the token starting at `at` follows `children`, `descendants` or `steps`.
fn after_aggregate_word(tokens: &[Spanned<Tok>], at: usize) -> bool {
    tokens.windows(2).any(|w| {
        w[1].1.start == at && matches!(w[0].0, Tok::Word("children" | "descendants" | "steps"))
    })
}

/// Whether the token starting at `at` sits between two words with no space (`review-code`).
fn glued_to_words(tokens: &[Spanned<Tok>], at: usize) -> bool {
    tokens.windows(3).any(|w| {
        matches!((&w[0].0, &w[2].0), (Tok::Word(_), Tok::Word(_)))
            && w[1].1.start == at
            && w[0].1.end == at
            && w[2].1.start == w[1].1.end
    })
}

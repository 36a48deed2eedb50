//! Step-id glob patterns (advice `target`, `compose.map` `select`, pointcut `glob`).
//!
//! [`Glob::matches`] reproduces the reference `MatchGlob` exactly: Go `filepath.Match` (`*` is
//! any run of non-`/` characters, `?` one non-`/` character, `[...]`/`[^...]` classes with
//! ranges, `\` escapes), or the pattern is `*`, or `*.x` and the id ends in `.x`, or `x.*` and the
//! id starts with `x.`, or the pattern equals the id. Malformed patterns, which Go reports lazily
//! or not at all, are rejected by [`parse_glob`].

#[cfg(test)]
mod tests;

use super::{ExprError, Spanned, first_error, lex, syntax_error, unexpected_char};
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;
use logos::{Lexer, Logos};
use std::fmt;
use std::ops::Range;

/// A parsed glob pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    /// The pattern as written (the reference's extra rules compare this text).
    raw: String,
    /// The pattern split like Go's `scanChunk`: each chunk is its leading star plus literals.
    chunks: Vec<Chunk>,
}

/// One element of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Elem {
    /// `*`
    Star,
    /// `?`
    Any,
    /// A literal (possibly escaped) character.
    Lit(char),
    /// `[...]` or `[^...]`: inclusive character ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Go's unit of matching: optional leading `*`, then star-free elements.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Chunk {
    star: bool,
    elems: Vec<Elem>,
}

/// Tokens of the glob language.
#[derive(Logos, Clone, Debug, PartialEq)]
enum Tok {
    #[token("*")]
    Star,
    #[token("?")]
    Quest,
    #[token("[")]
    LBrack,
    #[token("]")]
    RBrack,
    #[token("^")]
    Caret,
    #[token("-")]
    Dash,
    /// A `\` with nothing after it (an escape is lexed as [`Tok::Escaped`] by the callback).
    #[token("\\", escape)]
    Backslash,
    Escaped(char),
    #[regex(r"[^*?\[\]\\^\-]", |lex| lex.slice().chars().next())]
    Char(char),
}

/// Lexes `\x` as `Escaped(x)`, or a trailing `\` as `Backslash`.
fn escape(lex: &mut Lexer<Tok>) -> Tok {
    match lex.remainder().chars().next() {
        Some(c) => {
            lex.bump(c.len_utf8());
            Tok::Escaped(c)
        }
        None => Tok::Backslash,
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Star => f.write_str("*"),
            Tok::Quest => f.write_str("?"),
            Tok::LBrack => f.write_str("["),
            Tok::RBrack => f.write_str("]"),
            Tok::Caret => f.write_str("^"),
            Tok::Dash => f.write_str("-"),
            Tok::Backslash => f.write_str("\\"),
            Tok::Escaped(c) => write!(f, "\\{c}"),
            Tok::Char(c) => write!(f, "{c}"),
        }
    }
}

/// One class entry as parsed: a character, or the two ends of a range, with their ranges.
type ClassItem = ((char, Range<usize>), Option<(char, Range<usize>)>);

/// A parsed element before validation (classes still need checking).
#[derive(Clone)]
enum RawElem {
    Elem(Elem),
    Class {
        open: Range<usize>,
        negated: bool,
        items: Vec<ClassItem>,
        close: Option<Range<usize>>,
    },
}

/// The chumsky grammar: a sequence of elements.
fn parser<'t, I>() -> impl Parser<'t, I, Vec<RawElem>, extra::Err<Rich<'t, Tok>>>
where
    I: ValueInput<'t, Token = Tok, Span = SimpleSpan>,
{
    let lit = select! {
        Tok::Char(c) => c,
        Tok::Escaped(c) => c,
        Tok::RBrack => ']',
        Tok::Caret => '^',
        Tok::Dash => '-',
    };
    let class_char = select! {
        Tok::Char(c) => c,
        Tok::Escaped(c) => c,
        Tok::Star => '*',
        Tok::Quest => '?',
        Tok::LBrack => '[',
        Tok::Caret => '^',
    }
    .map_with(|c, e| {
        let span: SimpleSpan = e.span();
        (c, span.into_range())
    });
    let item = class_char.then(just(Tok::Dash).ignore_then(class_char).or_not());
    let spanned_tok = |t: Tok| {
        just(t).map_with(|_, e| {
            let span: SimpleSpan = e.span();
            span.into_range()
        })
    };
    let class = spanned_tok(Tok::LBrack)
        .then(just(Tok::Caret).or_not().map(|c| c.is_some()))
        .then(item.repeated().collect::<Vec<_>>())
        .then(spanned_tok(Tok::RBrack).map(Some).or(end().to(None)))
        .map(|(((open, negated), items), close)| RawElem::Class {
            open,
            negated,
            items,
            close,
        });
    let elem = choice((
        just(Tok::Star).to(RawElem::Elem(Elem::Star)),
        just(Tok::Quest).to(RawElem::Elem(Elem::Any)),
        class,
        lit.map(|c| RawElem::Elem(Elem::Lit(c))),
    ));
    elem.repeated().collect().then_ignore(end())
}

/// Parses a glob pattern, rejecting what Go's `filepath.Match` would call a bad pattern.
pub fn parse_glob(text: &str) -> Result<Glob, ExprError> {
    if text.is_empty() {
        return Err(ExprError::new(0..0, "empty glob pattern")
            .with_help("use `*` to match every step, or a step id"));
    }
    let tokens: Vec<Spanned<Tok>> = lex(text).map_err(|r| unexpected_char(text, &r))?;
    let eoi = SimpleSpan::from(text.len()..text.len());
    let raw = parser()
        .parse(tokens.as_slice().split_token_span(eoi))
        .into_result()
        .map_err(|errs| match first_error(errs) {
            Some(e) => describe(&e, &tokens),
            None => ExprError::new(0..text.len(), "invalid glob pattern"),
        })?;
    let mut elems = Vec::with_capacity(raw.len());
    for r in raw {
        elems.push(validate(r)?);
    }
    Ok(Glob {
        raw: text.to_string(),
        chunks: chunks(elems),
    })
}

/// Wording for the syntax errors the grammar can produce (all of them are inside a class,
/// except a trailing backslash).
fn describe(err: &Rich<'_, Tok>, tokens: &[Spanned<Tok>]) -> ExprError {
    let base = syntax_error(err);
    let at = base.range.start;
    let dash_msg = "`-` in a character class must sit between two characters";
    let dash_help = "escape a literal dash as `\\-`";
    match err.found() {
        Some(Tok::Backslash) => ExprError::new(base.range, "trailing `\\` escapes nothing")
            .with_help("write `\\\\` for a literal backslash"),
        Some(Tok::Dash) => ExprError::new(base.range, dash_msg).with_help(dash_help),
        // `[a-]`: the range has no end; point at the dash before the `]`.
        Some(Tok::RBrack) => {
            ExprError::new(at.saturating_sub(1)..at, dash_msg).with_help(dash_help)
        }
        // `[a-` at the end of the pattern: the class is never closed.
        None => match open_class(tokens) {
            Some(open) => unclosed(open),
            None => base,
        },
        _ => base,
    }
}

/// The span of the `[` of a class still open at the end of the tokens, if any.
fn open_class(tokens: &[Spanned<Tok>]) -> Option<Range<usize>> {
    let mut open: Option<(Range<usize>, usize)> = None; // (span of `[`, items seen)
    for (tok, span) in tokens {
        open = match (open, tok) {
            (None, Tok::LBrack) => Some((span.into_range(), 0)),
            (None, _) => None,
            (Some((o, 0)), Tok::Caret) if o.end == span.start => Some((o, 0)),
            (Some((_, n)), Tok::RBrack) if n > 0 => None,
            (Some((o, n)), _) => Some((o, n + 1)),
        };
    }
    open.map(|(o, _)| o)
}

/// The error for a class without its `]`.
fn unclosed(open: Range<usize>) -> ExprError {
    ExprError::new(open, "unclosed `[`")
        .with_help("close the character class with `]`, or escape a literal bracket as `\\[`")
}

/// Checks a class (closed, non-empty, ranges in order) and turns it into an [`Elem`].
fn validate(raw: RawElem) -> Result<Elem, ExprError> {
    let RawElem::Class {
        open,
        negated,
        items,
        close,
    } = raw
    else {
        return match raw {
            RawElem::Elem(e) => Ok(e),
            RawElem::Class { open, .. } => Err(ExprError::new(open, "invalid class")),
        };
    };
    let Some(close) = close else {
        return Err(unclosed(open));
    };
    if items.is_empty() {
        return Err(
            ExprError::new(open.start..close.end, "empty character class")
                .with_help("a class needs at least one character; escape a literal `]` as `\\]`"),
        );
    }
    let mut ranges = Vec::with_capacity(items.len());
    for ((lo, lo_range), hi) in items {
        let (hi, hi_range) = hi.unwrap_or((lo, lo_range.clone()));
        if hi < lo {
            let msg = format!("character range `{lo}-{hi}` is empty (its start is after its end)");
            return Err(ExprError::new(lo_range.start..hi_range.end, msg));
        }
        ranges.push((lo, hi));
    }
    Ok(Elem::Class { negated, ranges })
}

/// Splits elements into Go's chunks: leading stars, then everything up to the next star.
fn chunks(elems: Vec<Elem>) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let mut star = false;
    let mut cur = Vec::new();
    for e in elems {
        if e == Elem::Star {
            if !cur.is_empty() {
                out.push(Chunk {
                    star,
                    elems: std::mem::take(&mut cur),
                });
            }
            star = true;
        } else {
            cur.push(e);
        }
    }
    if star || !cur.is_empty() {
        out.push(Chunk { star, elems: cur });
    }
    out
}

/// Matches star-free `elems` at the start of `s`; returns the rest of `s` on success.
fn match_chunk<'a>(elems: &[Elem], mut s: &'a str) -> Option<&'a str> {
    for e in elems {
        let c = s.chars().next()?;
        let ok = match e {
            Elem::Lit(l) => c == *l,
            Elem::Any => c != '/',
            Elem::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
            Elem::Star => false,
        };
        if !ok {
            return None;
        }
        s = s.get(c.len_utf8()..)?;
    }
    Some(s)
}

/// Go's `filepath.Match`: each chunk takes its leftmost match; a star never skips `/`.
fn go_match(chunks: &[Chunk], mut name: &str) -> bool {
    for (k, chunk) in chunks.iter().enumerate() {
        let last = k + 1 == chunks.len();
        if chunk.star && chunk.elems.is_empty() {
            return !name.contains('/');
        }
        if let Some(rest) = match_chunk(&chunk.elems, name)
            && (rest.is_empty() || !last)
        {
            name = rest;
            continue;
        }
        if !chunk.star {
            return false;
        }
        let mut found = None;
        for (i, c) in name.char_indices() {
            if c == '/' {
                break;
            }
            let skipped = name.get(i + c.len_utf8()..).unwrap_or("");
            if let Some(rest) = match_chunk(&chunk.elems, skipped) {
                if last && !rest.is_empty() {
                    continue;
                }
                found = Some(rest);
                break;
            }
        }
        match found {
            Some(rest) => name = rest,
            None => return false,
        }
    }
    name.is_empty()
}

impl Glob {
    /// Whether `id` matches, with exactly the reference `MatchGlob` semantics.
    pub fn matches(&self, id: &str) -> bool {
        let p = self.raw.as_str();
        go_match(&self.chunks, id)
            || p == "*"
            || match p.strip_prefix('*') {
                Some(suffix) if suffix.starts_with('.') => id.ends_with(suffix),
                _ => match p.strip_suffix('*') {
                    Some(prefix) if prefix.ends_with('.') => id.starts_with(prefix),
                    _ => p == id,
                },
            }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether the pattern has no wildcards, classes or escapes (it matches only itself).
    pub fn is_literal(&self) -> bool {
        !self.raw.contains(['*', '?', '[', '\\'])
    }
}

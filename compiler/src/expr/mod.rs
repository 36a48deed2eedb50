//! The small languages that live inside formula strings: `{{var}}` references, `{name}`
//! placeholders, step conditions, runtime conditions, range expressions, glob pointcuts and
//! `waits_for` values.
//!
//! Every parser here works on one string and reports [`ExprError`]s whose byte ranges are
//! relative to that string, so the caller can shift them into the file.

pub mod condition;
pub mod duration;
pub mod glob;
pub mod placeholder;
pub mod range;
pub mod step_condition;
pub mod template;
pub mod waits_for;

use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::span::SimpleSpan;
use logos::Logos;
use std::fmt;
use std::ops::Range;

/// A problem in an embedded expression, located by a byte range of the parsed string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte range of the offending text, relative to the parsed string.
    pub range: Range<usize>,
    /// What is wrong, in one line.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl ExprError {
    /// An error without a help line.
    pub fn new(range: Range<usize>, message: impl Into<String>) -> ExprError {
        ExprError {
            range,
            message: message.into(),
            help: None,
        }
    }

    /// The same error with a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> ExprError {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExprError {}

/// Deepest parenthesis nesting any expression may use.
pub(crate) const MAX_DEPTH: usize = 64;

/// A token with its byte span, as fed to the chumsky parsers.
pub(crate) type Spanned<T> = (T, SimpleSpan);

/// Lexes all of `text`; on failure returns the byte range logos could not lex.
pub(crate) fn lex<'s, T>(text: &'s str) -> Result<Vec<Spanned<T>>, Range<usize>>
where
    T: Logos<'s, Source = str>,
    T::Extras: Default,
{
    let mut out = Vec::new();
    for (tok, span) in T::lexer(text).spanned() {
        match tok {
            Ok(tok) => out.push((tok, SimpleSpan::from(span))),
            Err(_) => return Err(span),
        }
    }
    Ok(out)
}

/// The range of the character that starts at byte `at` (empty at the end of the text).
pub(crate) fn char_range(text: &str, at: usize) -> Range<usize> {
    let len = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    at..at + len
}

/// The standard "unexpected character" error for a lexing failure at `range.start`.
pub(crate) fn unexpected_char(text: &str, range: &Range<usize>) -> ExprError {
    let at = char_range(text, range.start);
    let shown = text.get(at.clone()).unwrap_or("");
    ExprError::new(at, format!("unexpected character `{shown}`"))
}

/// Describes what a chumsky error found: a token in backquotes or "end of input".
pub(crate) fn found_text<T: fmt::Display>(err: &Rich<'_, T>) -> String {
    match err.found() {
        Some(tok) => format!("`{tok}`"),
        None => "end of input".to_string(),
    }
}

/// Converts a chumsky error into an [`ExprError`] ("unexpected X, expected A, B or C").
pub(crate) fn syntax_error<T: fmt::Display>(err: &Rich<'_, T>) -> ExprError {
    let range = err.span().into_range();
    let message = match err.reason() {
        RichReason::Custom(msg) => msg.clone(),
        RichReason::ExpectedFound { .. } => {
            let mut expected: Vec<String> = Vec::new();
            for pat in err.expected() {
                let text = match pat {
                    RichPattern::Token(tok) => format!("`{}`", &**tok),
                    RichPattern::Label(label) => label.to_string(),
                    RichPattern::Identifier(ident) => format!("`{ident}`"),
                    RichPattern::Any => "more input".to_string(),
                    RichPattern::EndOfInput => "end of input".to_string(),
                    _ => continue,
                };
                if !expected.contains(&text) {
                    expected.push(text);
                }
            }
            let found = found_text(err);
            match join_alternatives(&expected) {
                Some(list) => format!("unexpected {found}, expected {list}"),
                None => format!("unexpected {found}"),
            }
        }
    };
    ExprError::new(range, message)
}

/// Joins alternatives as "a", "a or b", "a, b or c"; `None` when there are none.
pub(crate) fn join_alternatives(items: &[String]) -> Option<String> {
    match items {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

/// Takes the first (leftmost) of chumsky's errors, if any.
pub(crate) fn first_error<'a, T>(errs: Vec<Rich<'a, T>>) -> Option<Rich<'a, T>> {
    errs.into_iter().min_by_key(|e| e.span().start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_alternatives_forms() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_alternatives(&[]), None);
        assert_eq!(join_alternatives(&s(&["a"])).as_deref(), Some("a"));
        assert_eq!(
            join_alternatives(&s(&["a", "b"])).as_deref(),
            Some("a or b")
        );
        assert_eq!(
            join_alternatives(&s(&["a", "b", "c"])).as_deref(),
            Some("a, b or c")
        );
    }

    #[test]
    fn char_range_handles_multibyte_and_end() {
        assert_eq!(char_range("aé", 1), 1..3);
        assert_eq!(char_range("a", 1), 1..1);
        assert_eq!(char_range("a", 9), 9..9);
    }

    /// Throws random strings over an alphabet of every language's punctuation at every parser:
    /// nothing may panic, and every error range must lie on character boundaries of the input.
    #[test]
    fn random_inputs_never_panic() {
        const ALPHABET: &[&str] = &[
            "{", "}", "{{", "}}", "$", "#", "/", "(", ")", "[", "]", "^", "-", "\\", "*", "?", ".",
            "..", "=", "!", "<", ">", "&&", "|", "'", "\"", " ", "a", "x1", "_", "0", "9.5", "é",
            "children", "steps", "file", "env", "exists", "status", "output", "each", "all",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let check = |text: &str, e: &ExprError| {
            assert!(
                e.range.start <= e.range.end && e.range.end <= text.len(),
                "{text:?} {e:?}"
            );
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
        };
        let vars_f = |_: &str| Some(2.0);
        let vars_s = |_: &str| Some("x".to_string());
        for _ in 0..30_000 {
            let text: String = (0..next(12))
                .map(|_| ALPHABET[next(ALPHABET.len())])
                .collect();
            let _ = template::substitute(&text, &vars_s);
            let _ = placeholder::placeholders(&text);
            match step_condition::parse_step_condition(&text) {
                Ok(c) => {
                    step_condition::eval_step_condition(&c, &vars_s);
                }
                Err(e) => check(&text, &e),
            }
            match condition::parse_condition(&text) {
                Ok(c) => {
                    let _ = (condition::step_refs(&c), condition::var_refs_in(&c));
                }
                Err(e) => check(&text, &e),
            }
            match range::parse_range(&text) {
                Ok(r) => {
                    let _ = (range::eval_bounds(&r, &vars_f), range::vars_in(&r));
                }
                Err(e) => check(&text, &e),
            }
            match glob::parse_glob(&text) {
                Ok(g) => {
                    g.matches(&text);
                }
                Err(e) => check(&text, &e),
            }
            if let Err(e) = waits_for::parse_waits_for(&text) {
                check(&text, &e);
            }
        }
    }

    #[test]
    fn error_display_and_help() {
        let e = ExprError::new(1..2, "bad").with_help("fix it");
        assert_eq!(e.to_string(), "bad");
        assert_eq!(e.help.as_deref(), Some("fix it"));
    }
}

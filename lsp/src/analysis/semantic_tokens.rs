//! Semantic tokens for the languages inside strings: `{{var}}` references, `{placeholder}`s,
//! step ids and references, formula references, and the operators of conditions. Only
//! strings spelled verbatim are tokenised (elsewhere a byte of the value is not a byte of
//! the file); tokens never span lines and never overlap.

use super::lookup::{Seg, role_at};
use gtc::db::{SourceFile, parse};
use gtc::expr::placeholder::placeholders;
use gtc::expr::template::var_refs;
use gtc::model::schema::Role;
use gtc::source::Span;
use gtc::syntax::{Node, NodeKind};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// `{{var}}`.
    Var,
    /// `{placeholder}`.
    Placeholder,
    /// A step id where it is defined.
    StepId,
    /// A reference to a step.
    StepRef,
    /// A reference to a formula.
    FormulaRef,
    /// An operator in a condition (`==`, `!=`, `!`, `&&`, `||`).
    Operator,
}

/// Every token kind, in the order of the legend the server announces.
pub const LEGEND: &[TokenKind] = &[
    TokenKind::Var,
    TokenKind::Placeholder,
    TokenKind::StepId,
    TokenKind::StepRef,
    TokenKind::FormulaRef,
    TokenKind::Operator,
];

/// A token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token {
    /// Where.
    pub span: Span,
    /// What.
    pub kind: TokenKind,
}

/// The tokens of `file`, sorted.
pub fn semantic_tokens(db: &dyn salsa::Database, file: SourceFile) -> Vec<Token> {
    let text = file.text(db);
    let mut out = Vec::new();
    // Explicit stack: (node, path).
    let mut stack: Vec<(&Node, Vec<Seg>)> = vec![(&parse(db, file).root, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        match &node.kind {
            NodeKind::Table(entries) => {
                for e in entries.iter().rev() {
                    let mut p = path.clone();
                    p.push(Seg::Key(e.key.clone()));
                    stack.push((&e.value, p));
                }
            }
            NodeKind::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    let mut p = path.clone();
                    p.push(Seg::Index(i));
                    stack.push((item, p));
                }
            }
            NodeKind::String(s) => {
                if let Some(at) = s.verbatim_at {
                    string_tokens(&s.value, at as usize, role_at(&path), &mut out);
                }
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    // Drop overlaps (keep the first) and tokens that would cross a line.
    let mut last_end = 0;
    out.retain(|t| {
        let keep =
            t.span.start() >= last_end && !text.get(t.span.range()).unwrap_or("\n").contains('\n');
        if keep {
            last_end = t.span.end();
        }
        keep
    });
    out
}

fn string_tokens(value: &str, at: usize, role: Role, out: &mut Vec<Token>) {
    let whole = || Span::new(at, at + value.len());
    match role {
        Role::StepId => out.push(Token {
            span: whole(),
            kind: TokenKind::StepId,
        }),
        Role::StepRef if !value.contains('{') => out.push(Token {
            span: whole(),
            kind: TokenKind::StepRef,
        }),
        Role::FormulaRef if !value.contains('{') => out.push(Token {
            span: whole(),
            kind: TokenKind::FormulaRef,
        }),
        Role::Condition => {
            operators(value, at, out);
            // Runtime conditions name steps: `build.status == 'complete'`.
            if let Ok(cond) = gtc::expr::condition::parse_condition(value) {
                for (_, r) in gtc::expr::condition::step_refs(&cond) {
                    out.push(Token {
                        span: Span::new(at + r.start, at + r.end),
                        kind: TokenKind::StepRef,
                    });
                }
            }
        }
        _ => {}
    }
    for r in var_refs(value) {
        out.push(Token {
            span: Span::new(at + r.range.start, at + r.range.end),
            kind: TokenKind::Var,
        });
    }
    for p in placeholders(value) {
        out.push(Token {
            span: Span::new(at + p.range.start, at + p.range.end),
            kind: TokenKind::Placeholder,
        });
    }
}

fn operators(value: &str, at: usize, out: &mut Vec<Token>) {
    let bytes = value.as_bytes();
    let mut i = 0;
    let mut in_braces = false;
    while i < bytes.len() {
        let two = value.get(i..i + 2).unwrap_or("");
        if two == "{{" {
            in_braces = true;
        } else if two == "}}" {
            in_braces = false;
        }
        if !in_braces && matches!(two, "==" | "!=" | "&&" | "||") {
            out.push(Token {
                span: Span::new(at + i, at + i + 2),
                kind: TokenKind::Operator,
            });
            i += 2;
            continue;
        }
        if !in_braces && bytes[i] == b'!' {
            out.push(Token {
                span: Span::new(at + i, at + i + 1),
                kind: TokenKind::Operator,
            });
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn tokens_inside_strings() {
        let (h, _) = host(
            "//- /w/a.formula.toml\nformula = \"a\"\nextends = [\"base\"]\n[[steps]]\nid = \"build\"\ntitle = \"Build {{ver}} for {target.id}\"\ncondition = \"{{mode}} != 'fast'\"\nneeds = [\"setup\", \"{x}\"]\ndescription = \"\"\"\nmulti {{line}}\n\"\"\"\nnotes = \"esc\\t{{no}}\"\n[steps.loop]\nmax = 2\nuntil = \"build.status == 'complete'\"\n",
        );
        let a = h.analysis();
        let f = a.files()[0];
        let text = f.text(a.db()).clone();
        let got = a
            .with(|db, _| super::semantic_tokens(db, f))
            .unwrap_or_default();
        let shown: Vec<String> = got
            .iter()
            .map(|t| format!("{:?} {:?}", t.kind, text.get(t.span.range()).unwrap_or("")))
            .collect();
        insta::assert_debug_snapshot!(shown);
    }
}

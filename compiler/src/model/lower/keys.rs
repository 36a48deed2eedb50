//! Keys of a table: which key of the schema each entry means, as the reference engines'
//! decoders match them (case-insensitively, except in TOML var tables), and the
//! diagnostics about keys: unknown (GTC002), another case (GTC035, with a fix), set in two
//! spellings (GTC029), read but without effect (GTC037).

use super::Cx;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::schema::{self, did_you_mean};
use crate::source::Span;
use crate::syntax::{Entry, Format, Node};

impl Cx {
    /// The entries of a table whose keys are in `known`, each with its canonical key;
    /// others are reported. Like the reference engines' decoders, a key in another ASCII
    /// case (`Depends_On`) is read as its canonical key, with a warning and a fix, except
    /// where the reference matches exactly (TOML var tables).
    pub(super) fn fields<'a>(
        &mut self,
        node: &'a Node,
        known: &'static schema::Table,
    ) -> Vec<(&'static schema::Key, &'a Entry)> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        let mut out: Vec<(&'static schema::Key, &'a Entry)> = Vec::with_capacity(entries.len());
        let mut variants = Vec::new();
        for e in entries {
            match known.keys.iter().find(|k| k.name == e.key) {
                Some(k) => out.push((k, e)),
                None => variants.push(e),
            }
        }
        let folds = !(known.exact_in_toml && self.format == Format::Toml);
        for e in variants {
            let canonical = known
                .keys
                .iter()
                .find(|k| folds && k.name.eq_ignore_ascii_case(&e.key));
            match canonical {
                None => self.unknown_key(e, known, entries),
                Some(key) => match out.iter().find(|(taken, _)| std::ptr::eq(*taken, key)) {
                    Some((_, first)) => {
                        let k = key.name;
                        self.diags.push(
                        Diagnostic::new(
                            Code::ConflictingFields,
                            e.key_span,
                            format!("`{}` and `{}` both set `{k}`", e.key, first.key),
                        )
                        .with_label(first.key_span, format!("`{k}` is set here"))
                        .with_help(format!(
                            "keys match without regard to case, and the engines disagree on which one wins; keep one `{k}`"
                        )),
                    );
                    }
                    None => {
                        self.case_variant(e, key.name);
                        out.push((key, e));
                    }
                },
            }
        }
        out
    }

    /// GTC037: the key of `e` is read but its value has no effect.
    pub(super) fn no_effect(&mut self, e: &Entry, message: &str, help: &str) {
        self.diags
            .push(Diagnostic::new(Code::NoEffect, e.key_span, message).with_help(help));
    }

    /// GTC035: `e`'s key is read as `canonical`; the fix respells it.
    fn case_variant(&mut self, e: &Entry, canonical: &str) {
        let span = e.key_span;
        let target = key_chars(e.key_span, &e.key);
        let mut d = Diagnostic::new(
            Code::KeyCase,
            span,
            format!("key `{}` is read as `{canonical}`", e.key),
        )
        .with_help(format!(
            "keys match without regard to case, as in the reference engines; write `{canonical}`"
        ));
        if let Some(target) = target {
            d = d.with_fix(
                format!("rename `{}` to `{canonical}`", e.key),
                vec![(target, canonical.to_owned())],
            );
        }
        self.diags.push(d);
    }

    fn unknown_key(&mut self, e: &Entry, known: &schema::Table, siblings: &[Entry]) {
        let what = known.what;
        let hint = did_you_mean(&e.key, known);
        // Respelling is a fix unless the table already sets the key (in any case).
        let fix = hint
            .filter(|k| !siblings.iter().any(|s| s.key.eq_ignore_ascii_case(k)))
            .zip(key_chars(e.key_span, &e.key))
            .map(|(k, target)| Fix {
                message: format!("rename `{}` to `{k}`", e.key),
                edits: vec![(target, k.to_owned())],
            });
        let help = match hint {
            Some(k) if k.eq_ignore_ascii_case(&e.key) => format!(
                "did you mean `{k}`? in a TOML var table keys are matched exactly (the reference ignores `{}`)",
                e.key
            ),
            Some(k) => format!("did you mean `{k}`?"),
            None => format!(
                "no engine reads `{}` in {what}; remove it, or ignore this warning if a tool of yours reads it",
                e.key
            ),
        };
        self.diags.push(
            Diagnostic::new(
                Code::UnknownKey,
                e.key_span,
                format!("unknown key `{}` in {what}", e.key),
            )
            .with_help(help)
            .with_fix_opt(fix),
        );
    }
}

/// The characters of the key `key` written at `span`: the span when bare, the inside of
/// its quotes when quoted; `None` when escapes make the spelling differ from the key.
pub(crate) fn key_chars(span: Span, key: &str) -> Option<Span> {
    let written = span.end() - span.start();
    if written == key.len() {
        Some(span)
    } else if written == key.len() + 2 {
        Some(Span::new(span.start() + 1, span.end() - 1))
    } else {
        None
    }
}

//! Machine-applicable fixes the rules attach to their diagnostics: did-you-mean
//! replacements of a misspelt name, and (through `syntax::edit`) declaring a var or
//! removing one. A fix is made only when applying it is sure to give a valid file.

use super::CheckCx;
use crate::diagnostic::Fix;
use crate::model::Text;
use std::ops::Range;

/// Whether `s` can replace a verbatim part of any string, quoted or plain, in TOML,
/// JSON and YAML alike (no quotes, escapes, spaces or YAML indicators).
fn plain(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c))
}

/// Replace `t.value[range]` by `with`, when that part of the value is spelled verbatim
/// in the file.
pub(crate) fn respell(t: &Text, range: Range<usize>, with: &str) -> Option<Fix> {
    t.verbatim_at?;
    let old = t.value.get(range.clone())?;
    if !plain(with) || old == with {
        return None;
    }
    Some(Fix {
        message: format!("change `{old}` to `{with}`"),
        edits: vec![(t.sub_span(range), with.to_owned())],
    })
}

/// Replace the whole value of `t` by `with` (when it is spelled verbatim in the file).
pub fn respell_value(t: &Text, with: &str) -> Option<Fix> {
    respell(t, 0..t.value.len(), with)
}

/// A `syntax::edit` function: the edits that change the var `name` in a file.
type VarEdit = fn(
    &str,
    crate::syntax::Format,
    &crate::syntax::Node,
    &str,
) -> Option<Vec<crate::syntax::edit::Edit>>;

/// Declare the var `name` in the file `src` (with an empty description, required).
pub(crate) fn declare_var(src: &super::Source<'_>, name: &str) -> Option<Fix> {
    var_fix(
        src,
        crate::syntax::edit::declare_var,
        name,
        format!("declare `{name}` in `vars`"),
    )
}

fn var_fix(src: &super::Source<'_>, edit: VarEdit, name: &str, message: String) -> Option<Fix> {
    let edits = edit(src.text, src.format, src.root, name)?;
    Some(Fix { message, edits })
}

impl CheckCx<'_> {
    /// Declare the var `name` (with an empty description, required).
    pub(crate) fn declare_var(&self, name: &str) -> Option<Fix> {
        declare_var(self.source.as_ref()?, name)
    }

    /// Remove the declaration of the var `name`.
    pub(crate) fn remove_var(&self, name: &str) -> Option<Fix> {
        self.var_fix(
            crate::syntax::edit::remove_var,
            name,
            format!("remove the declaration of `{name}`"),
        )
    }

    fn var_fix(&self, edit: VarEdit, name: &str, message: String) -> Option<Fix> {
        var_fix(self.source.as_ref()?, edit, name, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn respelling_needs_a_verbatim_value_and_a_plain_replacement() {
        let t = Text {
            value: String::from("biuld"),
            span: Span::new(10, 17),
            verbatim_at: Some(11),
        };
        let fix = respell_value(&t, "build");
        assert_eq!(
            fix.as_ref().map(|f| f.message.as_str()),
            Some("change `biuld` to `build`")
        );
        assert_eq!(
            fix.map(|f| f.edits),
            Some(vec![(Span::new(11, 16), String::from("build"))])
        );
        assert!(respell_value(&t, "a \"quoted\" id").is_none());
        assert!(respell_value(&t, "- x").is_none());
        assert!(respell_value(&t, "biuld").is_none());
        let escaped = Text {
            verbatim_at: None,
            ..t
        };
        assert!(respell_value(&escaped, "build").is_none());
    }
}

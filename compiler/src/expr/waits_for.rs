//! Step `waits_for` values: `all-children`, `any-children` or `children-of(<step-id>)`.
//!
//! Matching is exact, as in the reference (no trimming, no case folding); near misses get a
//! "did you mean" help line.

use super::{ExprError, char_range};
use std::ops::Range;

/// The help line listing the valid forms.
const FORMS: &str = "valid forms: `all-children`, `any-children`, `children-of(<step-id>)`";

/// The prefix of the explicit-spawner form.
const CHILDREN_OF: &str = "children-of(";

/// A parsed `waits_for` value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WaitsFor {
    /// `all-children`: wait for every child of the spawner (the first `needs` entry).
    AllChildren,
    /// `any-children`: wait for the first child of the spawner to finish.
    AnyChildren,
    /// `children-of(step)`: wait for every child of `step`.
    ChildrenOf {
        /// The spawner step id.
        step: String,
        /// Byte range of the id inside the parentheses.
        step_range: Range<usize>,
    },
}

/// Parses a `waits_for` value.
pub fn parse_waits_for(text: &str) -> Result<WaitsFor, ExprError> {
    match text {
        "all-children" => return Ok(WaitsFor::AllChildren),
        "any-children" => return Ok(WaitsFor::AnyChildren),
        "" => return Err(ExprError::new(0..0, "empty `waits_for` value").with_help(FORMS)),
        _ => {}
    }
    let Some(rest) = text.strip_prefix(CHILDREN_OF) else {
        return Err(not_a_form(text));
    };
    let open = CHILDREN_OF.len();
    let Some(close) = rest.find(')').map(|i| open + i) else {
        let msg = "unclosed `(` in `children-of(...)`";
        return Err(ExprError::new(open - 1..open, msg).with_help(FORMS));
    };
    if close + 1 < text.len() {
        let msg = "unexpected text after `children-of(...)`";
        return Err(ExprError::new(close + 1..text.len(), msg).with_help(FORMS));
    }
    let step = text.get(open..close).unwrap_or("");
    if step.is_empty() {
        let msg = "`children-of()` requires a step id";
        return Err(ExprError::new(open - 1..close + 1, msg).with_help(FORMS));
    }
    if let Some((i, c)) = step
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || "(,'\"".contains(*c))
    {
        let at = char_range(text, open + i);
        let (msg, help) = match c {
            '\'' | '"' => (
                "step ids are not quoted".to_string(),
                "write `children-of(step-id)`",
            ),
            ',' => (
                "`children-of(...)` takes exactly one step id".to_string(),
                "a step waits for the children of one spawner",
            ),
            c if c.is_whitespace() => (
                "unexpected whitespace in the step id".to_string(),
                "the value is matched exactly; remove the spaces",
            ),
            c => (format!("unexpected `{c}` in the step id"), FORMS),
        };
        return Err(ExprError::new(at, msg).with_help(help));
    }
    Ok(WaitsFor::ChildrenOf {
        step: step.to_string(),
        step_range: open..close,
    })
}

/// The error for a value that is none of the forms, with a suggestion for near misses.
fn not_a_form(text: &str) -> ExprError {
    let normal = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    let suggestion = match normal.as_str() {
        "all-children" | "allchildren" | "all" => Some("all-children".to_string()),
        "any-children" | "anychildren" | "any" => Some("any-children".to_string()),
        n if n.starts_with("children-of(") => Some(format!(
            "children-of({}",
            text.trim().get(12..).unwrap_or("")
        )),
        n if n.starts_with("children-of") || n.starts_with("childrenof") => {
            Some("children-of(<step-id>)".to_string())
        }
        _ => None,
    };
    let msg = format!("invalid `waits_for` value `{text}`");
    let err = ExprError::new(0..text.len(), msg);
    match suggestion {
        Some(s) => err.with_help(format!("did you mean `{s}`? ({FORMS})")),
        None => err.with_help(FORMS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ExprError {
        match parse_waits_for(text) {
            Ok(w) => panic!("{text:?} parsed: {w:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn valid_forms() {
        assert_eq!(parse_waits_for("all-children"), Ok(WaitsFor::AllChildren));
        assert_eq!(parse_waits_for("any-children"), Ok(WaitsFor::AnyChildren));
        assert_eq!(
            parse_waits_for("children-of(spawn-1)"),
            Ok(WaitsFor::ChildrenOf {
                step: "spawn-1".into(),
                step_range: 12..19
            })
        );
        assert_eq!(
            parse_waits_for("children-of(loop.iter2.x_y)"),
            Ok(WaitsFor::ChildrenOf {
                step: "loop.iter2.x_y".into(),
                step_range: 12..26
            })
        );
    }

    #[test]
    fn errors() {
        let e = err("children-of()");
        assert_eq!(
            (e.range, e.message.as_str()),
            (11..13, "`children-of()` requires a step id")
        );
        assert!(
            e.help
                .as_deref()
                .is_some_and(|h| h.contains("any-children"))
        );
        let e = err("children-of(x");
        assert_eq!(
            (e.range, e.message.as_str()),
            (11..12, "unclosed `(` in `children-of(...)`")
        );
        assert_eq!(err("children-of(x)y").range, 14..15);
        assert_eq!(err("children-of(x))").range, 14..15);
        assert_eq!(err("children-of( x)").range, 12..13);
        assert_eq!(err("children-of(a,b)").range, 13..14);
        assert_eq!(err("children-of('a')").message, "step ids are not quoted");
        assert_eq!(err("children-of(a(b)").range, 13..14);
        assert_eq!(err("").range, 0..0);

        let e = err("All-Children");
        assert_eq!(e.range, 0..12);
        assert!(
            e.help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean `all-children`?"))
        );
        assert!(
            err(" any_children")
                .help
                .as_deref()
                .is_some_and(|h| h.contains("`any-children`?"))
        );
        assert!(
            err("Children-Of(x)")
                .help
                .as_deref()
                .is_some_and(|h| h.contains("`children-of(x)`?"))
        );
        assert!(
            err("children_of x")
                .help
                .as_deref()
                .is_some_and(|h| h.contains("`children-of(<step-id>)`?"))
        );
        let e = err("everything");
        assert_eq!(e.message, "invalid `waits_for` value `everything`");
        assert_eq!(e.help.as_deref(), Some(FORMS));
        assert_eq!(err("ÄNY").range, 0..4);
    }
}

//! Step `condition` (the compile-time include/exclude filter): `""`, `{{var}}`, `!{{var}}`,
//! `{{var}} == value` or `{{var}} != value`.
//!
//! The whole string is trimmed first. A value has one pair of surrounding `'...'` or `"..."`
//! stripped. Unlike the reference we reject values that are clearly junk (`{{a}} === b`,
//! `{{a}} == x && {{b}}`, `{{a}} == {{b}}`), which it would silently compare as literal text.

use super::{ExprError, char_range};
use std::ops::Range;

/// The grammar, for messages and help lines.
const FORMS: &str = "expected `{{var}}`, `!{{var}}` or `{{var}} == value`";

/// A step condition comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// A parsed step condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepCondition {
    /// The empty condition: always include the step.
    Always,
    /// `{{var}}` (or `!{{var}}` when `negated`): include iff the variable is truthy (falsy).
    Truthy {
        /// The variable name.
        var: String,
        /// Byte range of `{{var}}`, braces included.
        var_range: Range<usize>,
        /// Whether the condition was written `!{{var}}`.
        negated: bool,
    },
    /// `{{var}} == value` or `{{var}} != value`: string comparison.
    Compare {
        /// The variable name.
        var: String,
        /// Byte range of `{{var}}`, braces included.
        var_range: Range<usize>,
        /// The operator.
        op: CmpOp,
        /// The value, with one pair of surrounding quotes removed.
        value: String,
        /// Byte range of the value as written (quotes included).
        value_range: Range<usize>,
    },
}

/// The range of the "word" starting at `at`: up to whitespace or a brace/operator character.
fn token_range(text: &str, at: usize, end: usize) -> Range<usize> {
    let rest = text.get(at..end).unwrap_or("");
    let len: usize = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !"{}!=".contains(*c))
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        char_range(text, at)
    } else {
        at..at + len
    }
}

/// Parses a step condition. Ranges are relative to `text` (before trimming).
pub fn parse_step_condition(text: &str) -> Result<StepCondition, ExprError> {
    let end = text.trim_end().len();
    let mut pos = text.len() - text.trim_start().len();
    if pos >= end {
        return Ok(StepCondition::Always);
    }
    let bytes = text.as_bytes();
    let negated = bytes.get(pos) == Some(&b'!');
    if negated {
        pos += 1;
    }
    if !text.get(pos..end).is_some_and(|r| r.starts_with("{{")) {
        let found = token_range(text, pos, end);
        let shown = text.get(found.clone()).unwrap_or("");
        let msg = format!("invalid step condition: unexpected `{shown}`, {FORMS}");
        let help = "a step condition tests one `{{var}}`; runtime checks belong in `compose.gate` or `loop.until`";
        return Err(ExprError::new(found, msg).with_help(help));
    }
    let var_start = pos;
    let name_start = pos + 2;
    let name_len = text
        .get(name_start..end)
        .unwrap_or("")
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let name_end = name_start + name_len;
    if !text.get(name_end..end).is_some_and(|r| r.starts_with("}}")) {
        let at = char_range(text, name_end);
        let msg = if name_len == 0 {
            "expected a variable name after `{{`"
        } else {
            "expected `}}` after the variable name"
        };
        let help = "write the variable as `{{name}}`, with no spaces inside the braces";
        return Err(ExprError::new(at, msg).with_help(help));
    }
    let var = text.get(name_start..name_end).unwrap_or("").to_string();
    let var_range = var_start..name_end + 2;
    pos = name_end + 2;
    pos += text.get(pos..end).unwrap_or("").len()
        - text.get(pos..end).unwrap_or("").trim_start().len();
    if pos >= end {
        return Ok(StepCondition::Truthy {
            var,
            var_range,
            negated,
        });
    }
    if negated {
        let msg = "a negated condition `!{{var}}` cannot also compare";
        let help = "write `{{var}} != value` instead";
        return Err(ExprError::new(pos..end, msg).with_help(help));
    }
    let op = match text.get(pos..pos + 2) {
        Some("==") => CmpOp::Eq,
        Some("!=") => CmpOp::Ne,
        _ => {
            let found = token_range(text, pos, end);
            let shown = text.get(found.clone()).unwrap_or("");
            let msg = format!("unexpected `{shown}` after `{{{{{var}}}}}`, expected `==` or `!=`");
            return Err(ExprError::new(found, msg).with_help(FORMS));
        }
    };
    let op_end = pos + 2;
    let rest = text.get(op_end..end).unwrap_or("");
    let value_start = op_end + (rest.len() - rest.trim_start().len());
    if value_start >= end {
        let msg = "missing value after the operator";
        return Err(ExprError::new(end..end, msg).with_help(FORMS));
    }
    let raw = text.get(value_start..end).unwrap_or("");
    let value = check_value(raw, value_start)?;
    Ok(StepCondition::Compare {
        var,
        var_range,
        op,
        value,
        value_range: value_start..end,
    })
}

/// Validates a comparison value (at byte `at`) and strips one pair of quotes.
fn check_value(raw: &str, at: usize) -> Result<String, ExprError> {
    for quote in ['\'', '"'] {
        if raw.len() >= 2 && raw.starts_with(quote) && raw.ends_with(quote) {
            let inner = &raw[1..raw.len() - 1];
            if let Some(i) = inner.find(quote) {
                let msg = format!("unexpected `{quote}` inside a quoted value");
                return Err(ExprError::new(at + 1 + i..at + 2 + i, msg).with_help(
                    "the value is one quoted string; it cannot contain its own quote character",
                ));
            }
            return Ok(inner.to_string());
        }
    }
    if raw.starts_with('=') {
        let msg = "unexpected `=`: the operator must be `==` or `!=`";
        return Err(ExprError::new(at..at + 1, msg).with_help(FORMS));
    }
    for op in ["&&", "||"] {
        if let Some(i) = raw.find(op) {
            let msg = format!("step conditions cannot be combined with `{op}`");
            let help = "a step condition tests one variable; nest the step under another conditional step instead";
            return Err(ExprError::new(at + i..at + i + 2, msg).with_help(help));
        }
    }
    if let Some(i) = raw.find("{{") {
        let msg = "the value of a step condition is literal text, not a variable";
        let help = "comparing two variables is not supported; compare against a fixed value";
        return Err(ExprError::new(at + i..at + raw.len(), msg).with_help(help));
    }
    if let Some((i, q)) = raw.char_indices().find(|(_, c)| *c == '\'' || *c == '"')
        && (i == 0 || i == raw.len() - 1)
    {
        let msg = format!("unbalanced `{q}` in the value");
        let help = "quote the whole value: `'...'` or `\"...\"`";
        return Err(ExprError::new(at + i..at + i + 1, msg).with_help(help));
    }
    Ok(raw.to_string())
}

/// Whether a variable value counts as true: not `""`, `false`, `0`, `no` or `off` (any case).
pub fn is_truthy(value: &str) -> bool {
    !(value.is_empty()
        || ["false", "0", "no", "off"]
            .iter()
            .any(|f| value.eq_ignore_ascii_case(f)))
}

/// Evaluates a condition; unknown variables are `""`.
pub fn eval_step_condition(cond: &StepCondition, vars: &dyn Fn(&str) -> Option<String>) -> bool {
    let get = |name: &str| vars(name).unwrap_or_default();
    match cond {
        StepCondition::Always => true,
        StepCondition::Truthy { var, negated, .. } => is_truthy(&get(var)) != *negated,
        StepCondition::Compare { var, op, value, .. } => match op {
            CmpOp::Eq => get(var) == *value,
            CmpOp::Ne => get(var) != *value,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> StepCondition {
        parse_step_condition(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    fn err(text: &str) -> ExprError {
        match parse_step_condition(text) {
            Ok(c) => panic!("{text:?} parsed: {c:?}"),
            Err(e) => e,
        }
    }

    fn truthy(var: &str, var_range: Range<usize>, negated: bool) -> StepCondition {
        StepCondition::Truthy {
            var: var.into(),
            var_range,
            negated,
        }
    }

    #[test]
    fn valid_forms() {
        assert_eq!(ok(""), StepCondition::Always);
        assert_eq!(ok("   "), StepCondition::Always);
        assert_eq!(ok("{{run_tests}}"), truthy("run_tests", 0..13, false));
        assert_eq!(ok("  !{{dry}} "), truthy("dry", 3..10, true));
        assert_eq!(ok("{{1x}}"), truthy("1x", 0..6, false)); // Go's \w+ allows it
        assert_eq!(
            ok("{{env}} == 'prod'"),
            StepCondition::Compare {
                var: "env".into(),
                var_range: 0..7,
                op: CmpOp::Eq,
                value: "prod".into(),
                value_range: 11..17,
            }
        );
        let StepCondition::Compare {
            op,
            value,
            value_range,
            ..
        } = ok("{{mode}}!=\"dry run\"")
        else {
            panic!("not a comparison");
        };
        assert_eq!(
            (op, value.as_str(), value_range),
            (CmpOp::Ne, "dry run", 10..19)
        );
        let StepCondition::Compare { value, .. } = ok("{{a}} == it's fine ") else {
            panic!("not a comparison");
        };
        assert_eq!(value, "it's fine");
        let StepCondition::Compare { value, .. } = ok("{{a}} == ''") else {
            panic!("not a comparison");
        };
        assert_eq!(value, "");
    }

    #[test]
    fn errors_point_at_the_first_offending_token() {
        let e = err("run_tests");
        assert_eq!(e.range, 0..9);
        assert!(
            e.message
                .contains("`{{var}}`, `!{{var}}` or `{{var}} == value`"),
            "{e:?}"
        );
        assert!(e.help.is_some());
        assert_eq!(err("  foo == bar").range, 2..5);
        assert_eq!(err("!foo").range, 1..4);
        assert_eq!(err("! {{a}}").range, 1..2);
        assert_eq!(err("{a}").range, 0..1);

        let e = err("{{ spaced }}");
        assert_eq!(
            (e.range, e.message.as_str()),
            (2..3, "expected a variable name after `{{`")
        );
        let e = err("{{a-b}}");
        assert_eq!(
            (e.range, e.message.as_str()),
            (3..4, "expected `}}` after the variable name")
        );
        assert_eq!(err("{{a").range, 3..3);

        let e = err("{{a}} = b");
        assert_eq!(e.range, 6..7);
        assert!(e.message.contains("expected `==` or `!=`"), "{e:?}");
        assert_eq!(err("{{a}} >= 3").range, 6..7);
        assert_eq!(err("{{a}} is b").range, 6..8);
        assert_eq!(err("{{a}} =< b").range, 6..7);

        let e = err("!{{a}} == b");
        assert_eq!(e.range, 7..11);
        let e = err("{{a}} ==   ");
        assert_eq!(
            (e.range, e.message.as_str()),
            (8..8, "missing value after the operator")
        );
        let e = err("{{a}} === b");
        assert_eq!(e.range, 8..9);
        let e = err("{{a}} == x && {{b}}");
        assert_eq!(
            (e.range, e.message.as_str()),
            (11..13, "step conditions cannot be combined with `&&`")
        );
        assert_eq!(err("{{a}} != x || y").range, 11..13);
        let e = err("{{a}} == {{b}}");
        assert_eq!(e.range, 9..14);
        assert_eq!(err("{{a}} == 'x").range, 9..10);
        assert_eq!(err("{{a}} == x\"").range, 10..11);
        assert_eq!(err("{{a}} == 'a'b'").range, 11..12);
        assert_eq!(err("é").range, 0..2);
    }

    #[test]
    fn evaluation() {
        let vars = |name: &str| match name {
            "yes" => Some("true".to_string()),
            "off" => Some("OFF".to_string()),
            "zero" => Some("0".to_string()),
            "env" => Some("prod".to_string()),
            _ => None,
        };
        let ev = |text: &str| eval_step_condition(&ok(text), &vars);
        assert!(ev(""));
        assert!(ev("{{yes}}") && !ev("!{{yes}}"));
        assert!(!ev("{{off}}") && !ev("{{zero}}") && !ev("{{missing}}"));
        assert!(ev("!{{missing}}"));
        assert!(ev("{{env}} == prod") && ev("{{env}} == 'prod'") && !ev("{{env}} != \"prod\""));
        assert!(ev("{{missing}} == ''") && ev("{{missing}} != x"));
        for v in ["", "false", "FALSE", "0", "no", "No", "off"] {
            assert!(!is_truthy(v), "{v:?}");
        }
        for v in ["true", "1", "yes", " ", "nope", "00"] {
            assert!(is_truthy(v), "{v:?}");
        }
    }
}

//! JSON in canonical form: two-space indentation, one entry per line, `"key": value`,
//! empty objects and arrays as `{}` / `[]`, one newline at the end. Keys, strings and
//! numbers are copied as written, so nothing is re-escaped or re-rounded. A formula's
//! JSON is strict (no comments): a file with comments has syntax errors and is refused
//! before it gets here.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Range;
use jsonc_parser::{CollectOptions, parse_to_ast};

/// Format JSON text (which must parse).
pub(super) fn format(text: &str) -> Result<String, String> {
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let parsed = parse_to_ast(
        body,
        &CollectOptions::default(),
        &super::super::json::strict(),
    )
    .map_err(|e| format!("the JSON parser cannot read the file: {e}"))?;
    let Some(value) = parsed.value else {
        return Err(String::from("the file holds no JSON value"));
    };
    let mut out = String::with_capacity(text.len());
    write(&value, body, 0, &mut out)?;
    out.push('\n');
    Ok(out)
}

fn slice(text: &str, range: Range) -> Result<&str, String> {
    text.get(range.start..range.end)
        .ok_or_else(|| format!("no text at {}..{}", range.start, range.end))
}

fn newline(depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// `value` at nesting `depth` (the front-end has capped nesting at `MAX_DEPTH`).
fn write(value: &Value<'_>, text: &str, depth: usize, out: &mut String) -> Result<(), String> {
    match value {
        Value::Object(object) if object.properties.is_empty() => out.push_str("{}"),
        Value::Object(object) => {
            out.push('{');
            for (i, prop) in object.properties.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(depth + 1, out);
                let range = match &prop.name {
                    ObjectPropName::String(lit) => lit.range,
                    ObjectPropName::Word(lit) => lit.range,
                };
                out.push_str(slice(text, range)?);
                out.push_str(": ");
                write(&prop.value, text, depth + 1, out)?;
            }
            newline(depth, out);
            out.push('}');
        }
        Value::Array(array) if array.elements.is_empty() => out.push_str("[]"),
        Value::Array(array) => {
            out.push('[');
            for (i, element) in array.elements.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(depth + 1, out);
                write(element, text, depth + 1, out)?;
            }
            newline(depth, out);
            out.push(']');
        }
        Value::StringLit(lit) => out.push_str(slice(text, lit.range)?),
        Value::NumberLit(lit) => out.push_str(slice(text, lit.range)?),
        Value::BooleanLit(lit) => out.push_str(slice(text, lit.range)?),
        Value::NullKeyword(lit) => out.push_str(slice(text, lit.range)?),
    }
    Ok(())
}

//! Scalar resolution: tags, quoting styles and the YAML 1.2 core schema.

use crate::syntax::tree::{NodeKind, Str};
use saphyr_parser::{ScalarStyle, Tag};
use std::borrow::Cow;

/// The node kind of a scalar: quoted and block scalars and `!!str` / `!` are strings;
/// plain scalars resolve by the YAML 1.2 core schema. Other tags are ignored.
pub(super) fn scalar_kind(
    value: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    verbatim: Option<u32>,
) -> NodeKind {
    let forced_string = tag.is_some_and(|t| {
        (t.is_yaml_core_schema() && t.suffix == "str") || (t.handle.is_empty() && t.suffix == "!")
    });
    if style == ScalarStyle::Plain
        && !forced_string
        && let Some(kind) = core_schema(&value)
    {
        return kind;
    }
    NodeKind::String(Str::new(value.into_owned(), verbatim))
}

/// A plain scalar by the YAML 1.2 core schema, or `None` for a string.
fn core_schema(value: &str) -> Option<NodeKind> {
    Some(match value {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => NodeKind::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => NodeKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => NodeKind::Float(f64::NAN),
        _ => return number(value),
    })
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` as integers (floats when beyond `i64`),
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` as floats.
fn number(value: &str) -> Option<NodeKind> {
    let radix = |digits: &str, radix: u32| -> Option<NodeKind> {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        match i64::from_str_radix(digits, radix) {
            Ok(i) => Some(NodeKind::Integer(i)),
            Err(_) => u128::from_str_radix(digits, radix)
                .ok()
                .map(|u| NodeKind::Float(u as f64)),
        }
    };
    if let Some(hex) = value.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = value.strip_prefix("0o") {
        return radix(oct, 8);
    }
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let bytes = unsigned.as_bytes();
    let digits = |from: usize| {
        bytes
            .iter()
            .skip(from)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let whole = digits(0);
    if whole == bytes.len() && whole > 0 {
        return Some(match value.parse::<i64>() {
            Ok(i) => NodeKind::Integer(i),
            Err(_) => NodeKind::Float(value.parse::<f64>().ok()?),
        });
    }
    // Float: mantissa, then an optional exponent.
    let mut i = whole;
    let mut fraction = 0;
    if bytes.get(i) == Some(&b'.') {
        fraction = digits(i + 1);
        i += 1 + fraction;
    }
    if whole == 0 && fraction == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exponent = digits(i);
        if exponent == 0 {
            return None;
        }
        i += exponent;
    }
    if i != bytes.len() {
        return None;
    }
    value.parse::<f64>().ok().map(NodeKind::Float)
}

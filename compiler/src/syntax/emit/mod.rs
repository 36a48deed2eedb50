//! Writing a [`Node`] tree back out as TOML, JSON or YAML: what `gtc convert` does.
//! Every value survives a round trip (converting there and back gives an equal
//! tree); comments do not, since JSON has none.

mod json;
mod toml;
mod yaml;

use super::{Format, Node, NodeKind};

/// Why a tree cannot be written in a format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmitError {
    /// The value that cannot be written.
    pub span: crate::source::Span,
    /// Why.
    pub message: String,
}

/// Write `root` (a table) in `format`.
pub fn emit(root: &Node, format: Format) -> Result<String, EmitError> {
    match format {
        Format::Toml => toml::emit(root),
        Format::Json => Ok(json::emit(root)),
        Format::Yaml => Ok(yaml::emit(root)),
    }
}

/// A span-free copy of a tree, for comparing trees from different sources.
#[derive(Clone, Debug, PartialEq)]
pub enum Plain {
    /// A table, entries in order.
    Table(Vec<(String, Plain)>),
    /// An array.
    Array(Vec<Plain>),
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float (compared bitwise, so NaN equals NaN).
    Float(u64),
    /// A boolean.
    Bool(bool),
    /// A date-time as written.
    Datetime(String),
    /// Null.
    Null,
    /// An invalid value.
    Invalid,
}

impl Plain {
    /// The span-free form of `node`.
    pub fn of(node: &Node) -> Plain {
        match &node.kind {
            NodeKind::Table(entries) => Plain::Table(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), Plain::of(&e.value)))
                    .collect(),
            ),
            NodeKind::Array(items) => Plain::Array(items.iter().map(Plain::of).collect()),
            NodeKind::String(s) => Plain::String(s.value.clone()),
            NodeKind::Integer(i) => Plain::Integer(*i),
            NodeKind::Float(f) => Plain::Float(f.to_bits()),
            NodeKind::Bool(b) => Plain::Bool(*b),
            NodeKind::Datetime(d) => Plain::Datetime(d.clone()),
            NodeKind::Null => Plain::Null,
            NodeKind::Invalid => Plain::Invalid,
        }
    }
}

impl Plain {
    /// The same value with every table's entries sorted by key: two formulas are
    /// the same model when their normalised trees are equal, whatever the key order.
    pub fn normalized(mut self) -> Plain {
        match &mut self {
            Plain::Table(entries) => {
                let mut sorted: Vec<(String, Plain)> = std::mem::take(entries)
                    .into_iter()
                    .map(|(k, v)| (k, v.normalized()))
                    .collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                Plain::Table(sorted)
            }
            Plain::Array(items) => Plain::Array(
                std::mem::take(items)
                    .into_iter()
                    .map(Plain::normalized)
                    .collect(),
            ),
            _ => self,
        }
    }
}

/// A JSON string literal (also a valid YAML double-quoted scalar and TOML basic string
/// once `\/` and non-BMP escapes are avoided, which serde_json never produces).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

//! A syntax-tree value as JSON, for keys whose value is free-form data (step `metadata`):
//! tables become objects with sorted keys (as Go marshals a map), TOML date-times their
//! text as written.

use crate::syntax::{Node, NodeKind};
use serde_json::{Map, Number, Value};

/// `node` as JSON. Values JSON cannot hold (non-finite floats) and values that failed to
/// parse are left out; the former are pushed on `bad` for the caller to report.
pub(super) fn to_json<'a>(node: &'a Node, bad: &mut Vec<&'a Node>) -> Value {
    // Iterative, so deep data cannot exhaust the stack (the front-ends cap depth anyway).
    enum Frame<'a> {
        Table(
            std::slice::Iter<'a, crate::syntax::Entry>,
            Map<String, Value>,
            Option<String>,
        ),
        Array(std::slice::Iter<'a, Node>, Vec<Value>, Option<String>),
    }
    let mut stack: Vec<Frame<'a>> = Vec::new();
    let mut next: Option<(Option<String>, &'a Node)> = Some((None, node));
    loop {
        if let Some((mut key, n)) = next.take() {
            let leaf = match &n.kind {
                NodeKind::Table(entries) => {
                    stack.push(Frame::Table(entries.iter(), Map::new(), key.take()));
                    None
                }
                NodeKind::Array(items) => {
                    stack.push(Frame::Array(items.iter(), Vec::new(), key.take()));
                    None
                }
                NodeKind::String(s) => Some(Value::String(s.value.clone())),
                NodeKind::Integer(i) => Some(Value::Number(Number::from(*i))),
                NodeKind::Float(f) => match Number::from_f64(*f) {
                    Some(num) => Some(Value::Number(num)),
                    None => {
                        bad.push(n);
                        None
                    }
                },
                NodeKind::Bool(b) => Some(Value::Bool(*b)),
                NodeKind::Datetime(d) => Some(Value::String(d.clone())),
                NodeKind::Null => Some(Value::Null),
                NodeKind::Invalid => None,
            };
            if let Some(v) = leaf {
                match stack.last_mut() {
                    Some(Frame::Table(_, map, _)) => {
                        map.insert(key.unwrap_or_default(), v);
                    }
                    Some(Frame::Array(_, items, _)) => items.push(v),
                    None => return v,
                }
            }
            continue;
        }
        // Descend into the next child of the innermost container, or close it.
        let child = match stack.last_mut() {
            Some(Frame::Table(it, _, _)) => it.next().map(|e| (Some(e.key.clone()), &e.value)),
            Some(Frame::Array(it, _, _)) => it.next().map(|n| (None, n)),
            None => return Value::Null,
        };
        if child.is_some() {
            next = child;
            continue;
        }
        let (done, key) = match stack.pop() {
            Some(Frame::Table(_, map, key)) => (Value::Object(map), key),
            Some(Frame::Array(_, items, key)) => (Value::Array(items), key),
            None => return Value::Null,
        };
        match stack.last_mut() {
            Some(Frame::Table(_, map, _)) => {
                map.insert(key.unwrap_or_default(), done);
            }
            Some(Frame::Array(_, items, _)) => items.push(done),
            None => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    fn json_of(text: &str, format: Format) -> (Value, usize) {
        let tree = parse(text, format);
        let mut bad = Vec::new();
        let v = to_json(&tree.root, &mut bad);
        (v, bad.len())
    }

    #[test]
    fn tables_sort_their_keys_and_values_keep_their_types() {
        let (v, bad) = json_of(
            "z = 1\na = [1.5, true, \"s\", { k = 2020-01-01T00:00:00Z }]\n[m]\nb = 2\na = 1\n",
            Format::Toml,
        );
        assert_eq!(bad, 0);
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"a":[1.5,true,"s",{"k":"2020-01-01T00:00:00Z"}],"m":{"a":1,"b":2},"z":1}"#
        );
        let (v, _) = json_of(r#"{"n": null, "e": {}, "l": []}"#, Format::Json);
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"e":{},"l":[],"n":null}"#
        );
    }

    #[test]
    fn non_finite_numbers_are_reported_and_left_out() {
        let (v, bad) = json_of("a = nan\nb = [inf, 1]\nc = 2\n", Format::Toml);
        assert_eq!(bad, 2);
        assert_eq!(
            serde_json::to_string(&v).unwrap_or_default(),
            r#"{"b":[1],"c":2}"#
        );
    }
}

//! What one line of a beads JSONL file is.

use crate::ledger::raw::RawFields;
use crate::ledger::record::Issue;

/// One line, classified.
#[derive(Debug)]
pub enum Line {
    /// Empty or whitespace: ignored.
    Blank,
    /// An issue record (`_type` absent or `"issue"`).
    Issue(Box<Issue>),
    /// A schema header (`_schema`): kept verbatim, written first.
    Header,
    /// A memory (`"_type":"memory"`) and its key: kept verbatim, one per key.
    Memory(String),
    /// A record of a type this version does not know: kept verbatim.
    Other,
    /// Not a record; the error says why.
    Bad(String),
}

/// Classify `text` (one line, without its newline).
pub fn classify(text: &str) -> Line {
    if text.trim().is_empty() {
        return Line::Blank;
    }
    let raw = match RawFields::parse(text) {
        Ok(r) => r,
        Err(e) => {
            // Say whether the line is JSON at all.
            return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Ok(_) => Line::Bad(format!("not a ledger record: {e}")),
                Err(_) => Line::Bad(format!("not JSON: {e}")),
            };
        }
    };
    if raw.get("_schema").is_some() {
        return Line::Header;
    }
    let kind = match raw.get("_type") {
        None => String::from("issue"),
        Some(t) => match t.decode::<String>() {
            Ok(k) => k,
            // A `_type` that is not a string: not ours to read; kept as it is.
            Err(_) => return Line::Other,
        },
    };
    match kind.as_str() {
        "issue" => match Issue::from_raw(text, raw) {
            Ok(issue) => Line::Issue(Box::new(issue)),
            Err(e) => Line::Bad(format!("not an issue record: {e}")),
        },
        "memory" => match raw.get("key").map(|k| k.decode::<String>()) {
            Some(Ok(key)) => Line::Memory(key),
            _ => Line::Other,
        },
        // Unknown types (and a `_type` that is not a string) are kept as they are.
        _ => Line::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line() {
        assert!(matches!(classify("  "), Line::Blank));
        assert!(matches!(classify(r#"{"_schema":1}"#), Line::Header));
        assert!(matches!(classify(r#"{"id":"a"}"#), Line::Issue(_)));
        assert!(matches!(
            classify(r#"{"_type":"issue","id":"a"}"#),
            Line::Issue(_)
        ));
        assert!(
            matches!(classify(r#"{"_type":"memory","key":"k","value":1}"#), Line::Memory(k) if k == "k")
        );
        assert!(matches!(
            classify(r#"{"_type":"memory","value":1}"#),
            Line::Other
        ));
        assert!(matches!(
            classify(r#"{"_type":"event","id":"e"}"#),
            Line::Other
        ));
        assert!(matches!(classify(r#"{"_type":7,"id":"e"}"#), Line::Other));
        assert!(matches!(classify("not json"), Line::Bad(e) if e.starts_with("not JSON")));
        assert!(matches!(classify("[1,2]"), Line::Bad(e) if e.starts_with("not a ledger record")));
        assert!(
            matches!(classify(r#"{"title":"no id"}"#), Line::Bad(e) if e.starts_with("not an issue record"))
        );
    }
}

//! Recovery after a JSON syntax error, so that a file mid-edit keeps its outline, symbols
//! and checks: the strict parse reports the error; then the text is parsed again allowing
//! missing and trailing commas, and each line
//! it still cannot read is blanked in turn (replaced by spaces, so every span stays where
//! it was), a bounded number of times. What is recovered is the tree of the rest.

use super::Converter;
use crate::syntax::{Node, SyntaxError};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

/// Strict JSON but for the commas a half-typed line leaves missing or extra (strings stay
/// on one line, so an unterminated one is reported on its own line).
fn lenient() -> ParseOptions {
    ParseOptions {
        allow_trailing_commas: true,
        allow_missing_commas: true,
        ..super::strict()
    }
}

/// How many lines may be blanked before giving up.
const ATTEMPTS: usize = 16;

/// The tree of `body` (at byte `base` of the file) with the lines that do not parse
/// blanked, and the problems met converting it; `None` when nothing sensible is left.
pub(super) fn recover(body: &str, base: usize) -> Option<(Node, Vec<SyntaxError>)> {
    let mut text = body.as_bytes().to_vec();
    blank_open_strings(&mut text);
    for _ in 0..ATTEMPTS {
        let s = std::str::from_utf8(&text).ok()?;
        match parse_to_ast(s, &CollectOptions::default(), &lenient()) {
            Ok(result) => {
                let value = result.value?;
                let mut converter = Converter {
                    text: s,
                    base,
                    errors: Vec::new(),
                    depth_reported: false,
                };
                let node = converter.value(&value, 0);
                return Some((node, converter.errors));
            }
            Err(e) => {
                if !blank_line(&mut text, e.range().start) {
                    return None;
                }
            }
        }
    }
    None
}

/// Blank every line that ends inside a string: JSON strings hold no raw line break, and
/// the library would read an unterminated one on into the next lines.
fn blank_open_strings(text: &mut [u8]) {
    let mut start = 0;
    while start < text.len() {
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| start + i);
        let mut open = false;
        let mut escaped = false;
        for &b in &text[start..end] {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = open,
                (false, b'"') => open = !open,
                _ => {}
            }
        }
        if open {
            text[start..end].fill(b' ');
        }
        start = end + 1;
    }
}

/// Replace the line holding byte `at` by spaces (whole UTF-8 sequences, so the text stays
/// valid); false when it is blank already (no progress).
fn blank_line(text: &mut [u8], at: usize) -> bool {
    let at = at.min(text.len());
    let (before, after) = text.split_at(at);
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = after
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i);
    let Some(line) = text.get_mut(start..end) else {
        return false;
    };
    if line.iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    line.fill(b' ');
    true
}

#[cfg(test)]
mod tests {
    use crate::syntax::{Format, NodeKind, parse};

    fn step_ids(text: &str) -> (Vec<String>, Vec<String>) {
        let tree = parse(text, Format::Json);
        let ids = tree
            .root
            .get("steps")
            .and_then(|s| match &s.kind {
                NodeKind::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(|i| i.get("id").and_then(|n| n.as_str()))
                        .map(|s| s.value.clone())
                        .collect(),
                ),
                _ => None,
            })
            .unwrap_or_default();
        (ids, tree.errors.iter().map(|e| e.message.clone()).collect())
    }

    #[test]
    fn a_broken_line_keeps_the_rest_of_the_file() {
        let text = "{\n  \"formula\": \"a\",\n  \"description\": \"unterminated,\n  \"steps\": [\n    {\"id\": \"x\", \"title\": \"X\"},\n    {\"id\": \"y\", \"title\": \"Y\", \"needs\": [\"x\"]}\n  ]\n}\n";
        let (ids, errors) = step_ids(text);
        assert_eq!(ids, ["x", "y"]);
        assert_eq!(
            errors,
            [
                "unescaped control character U+000A in a string",
                "unexpected `steps`"
            ],
            "the strict parse's errors only: recovery adds none"
        );
        // The spans are the file's: `y` is where it is written.
        let tree = crate::syntax::parse(text, crate::syntax::Format::Json);
        let y = tree.root.get("steps").and_then(|s| match &s.kind {
            NodeKind::Array(items) => items.get(1).and_then(|i| i.get("id")).map(|n| n.span),
            _ => None,
        });
        let at = text.find("\"y\"").unwrap_or(0);
        assert_eq!(y.map(|s| s.start()), Some(at));
    }

    #[test]
    fn a_missing_comma_or_a_trailing_one_is_read_through() {
        let (ids, errors) =
            step_ids("{\"formula\": \"a\" \"steps\": [{\"id\": \"x\", \"title\": \"X\"},]}");
        assert_eq!(ids, ["x"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn nothing_sensible_left_is_an_invalid_root() {
        for text in [
            "{",
            "{\n\"formula\": \"a\",\n",
            "]]]",
            "\"formula\": ",
            "{\"é\": 'x",
        ] {
            let tree = crate::syntax::parse(text, Format::Json);
            assert!(!tree.errors.is_empty(), "{text}");
            let _ = tree.root; // recovered or invalid, never a panic
        }
        let tree = crate::syntax::parse("{", Format::Json);
        assert!(matches!(tree.root.kind, NodeKind::Invalid));
    }
}

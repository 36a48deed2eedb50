//! Single-brace placeholders: `{target}`, `{target.id}`, `{step.title}`, `{n}`, `{item.field}`,
//! `{index}`. These are filled by expansions, advice, loops and `on_complete`, never by `--var`.
//!
//! A placeholder is `{word(.word)*}` with `word` = `[A-Za-z0-9_]+` (Go's `\w+`). Braces that
//! belong to a `{{...}}` form and shell parameter expansions (`${VAR}`) are not placeholders.

use std::ops::Range;

/// One `{name}` placeholder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Placeholder {
    /// The dotted name without braces, e.g. `target.id`.
    pub name: String,
    /// Byte range of the whole `{name}`, braces included.
    pub range: Range<usize>,
}

/// Whether `b` is a Go `\w` byte.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of a dotted name starting at `from`, or `None` if there is no well-formed name.
fn dotted_name_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut j = from;
    loop {
        let word_start = j;
        while bytes.get(j).copied().is_some_and(is_word) {
            j += 1;
        }
        if j == word_start {
            return None;
        }
        if bytes.get(j) != Some(&b'.') {
            return Some(j);
        }
        j += 1;
    }
}

/// Every single-brace placeholder in `text`, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'{') {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'{') {
            // A `{{...}}` form: skip the whole run of opening braces.
            while bytes.get(i) == Some(&b'{') {
                i += 1;
            }
            continue;
        }
        if i > 0 && bytes.get(i - 1) == Some(&b'$') {
            i += 1; // `${VAR}`: shell syntax.
            continue;
        }
        let end = dotted_name_end(bytes, i + 1);
        match end {
            Some(j) if bytes.get(j) == Some(&b'}') && bytes.get(j + 1) != Some(&b'}') => {
                out.push(Placeholder {
                    name: text.get(i + 1..j).unwrap_or("").to_string(),
                    range: i..j + 1,
                });
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// `text` with every `{name}` replaced by `value`, literally as the reference replaces
/// it, except where it is the inside of a `{{name}}` var reference: that belongs to the
/// pour-time `{{var}}` substitution (the reference would leave `{value}` behind).
pub fn replace_placeholder(text: &str, name: &str, value: &str) -> String {
    let pattern = format!("{{{name}}}");
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(&pattern) {
        let end = at + pattern.len();
        let in_var_ref = at.checked_sub(1).and_then(|p| bytes.get(p)) == Some(&b'{')
            && bytes.get(end) == Some(&b'}');
        if !in_var_ref {
            out.push_str(&text[last..at]);
            out.push_str(value);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        placeholders(text).into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn finds_placeholders_with_ranges() {
        assert_eq!(
            placeholders("{target}.draft for {target.title}"),
            vec![
                Placeholder {
                    name: "target".into(),
                    range: 0..8
                },
                Placeholder {
                    name: "target.title".into(),
                    range: 19..33
                },
            ]
        );
        assert_eq!(names("{step.id}-security-prescan"), ["step.id"]);
        assert_eq!(
            names("move {n} of {item.a.b} at {index}, {0}"),
            ["n", "item.a.b", "index", "0"]
        );
        assert_eq!(placeholders("é{n}")[0].range, 2..5);
    }

    #[test]
    fn double_braces_are_not_placeholders() {
        assert!(names("{{step}} {{ step }} {{{raw}}} {{#each x}}{{/each}}").is_empty());
        assert_eq!(names("{{step}}{step.id}"), ["step.id"]);
        assert!(names("{x}}").is_empty());
    }

    #[test]
    fn shell_and_other_braces_are_not_placeholders() {
        assert!(names("echo ${VAR} ${HOME}/x ${{ github.ref }}").is_empty());
        assert!(names("{} { n } {a-b} {a.} {.a} {a..b} {\"k\": 1} {1..5}").is_empty());
        assert!(names("fn f() {x").is_empty());
        assert_eq!(names("$ {a}"), ["a"]);
    }

    #[test]
    fn replacing_a_placeholder_leaves_var_references_alone() {
        assert_eq!(replace_placeholder("a {n} b {n}", "n", "3"), "a 3 b 3");
        assert_eq!(
            replace_placeholder("{{n}} and {n}", "n", "3"),
            "{{n}} and 3"
        );
        assert_eq!(replace_placeholder("{{n}", "n", "3"), "{3");
        assert_eq!(replace_placeholder("x{target}.y", "target", "t"), "xt.y");
        assert_eq!(replace_placeholder("no match", "n", "3"), "no match");
    }
}

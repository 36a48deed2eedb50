//! `{{name}}` variable references in formula text, and their substitution.
//!
//! A reference is exactly `{{name}}` with `name` matching `[A-Za-z_][A-Za-z0-9_]*`. Text that
//! merely looks similar is left alone: GitHub Actions expressions (`${{ github.ref }}`),
//! Handlebars tags (`{{#each x}}`, `{{/each}}`, `{{else}}`), Go template actions (`{{.field}}`),
//! spaced forms (`{{ name }}`), the Handlebars words in [`HANDLEBARS_WORDS`], and anything inside
//! an `{{#each}}` or `{{#with}}` block (those name fields of the current item).

use memchr::memmem;
use std::ops::Range;

/// Handlebars words that are never formula variables, even when written `{{word}}`.
pub const HANDLEBARS_WORDS: &[&str] = &["this", "root", "index", "key", "first", "last", "else"];

/// Go `text/template` keywords that appear as bare `{{word}}` actions (`{{end}}`), never variables.
pub const GO_TEMPLATE_WORDS: &[&str] = &["end", "break", "continue", "nil"];

/// Block helpers whose bodies refer to the fields of an item rather than to formula variables.
const ITEM_BLOCKS: &[&str] = &["each", "with"];

/// One `{{name}}` reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VarRef {
    /// The variable name, without braces.
    pub name: String,
    /// Byte range of the whole `{{name}}`, braces included.
    pub range: Range<usize>,
}

/// Whether `name` is a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_var_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Every formula-variable reference in `text`, in order.
pub fn var_refs(text: &str) -> Vec<VarRef> {
    scan(text, false)
}

/// Every `{{name}}` in `text` including those inside `{{#each}}` / `{{#with}}`
/// blocks: names a formula may declare (as "computed" vars) for item fields.
pub fn all_refs(text: &str) -> Vec<VarRef> {
    scan(text, true)
}

fn scan(text: &str, item_fields: bool) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // Open Handlebars blocks, innermost last, by helper name (`each`, `if`, ...).
    let mut blocks: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(off) = bytes.get(i..).and_then(|rest| memmem::find(rest, b"{{")) {
        let start = i + off;
        if bytes.get(start + 2) == Some(&b'{') {
            // `{{{`: a triple-stache or a stray brace; a tag may still start one byte later.
            i = start + 1;
            continue;
        }
        let Some(close) = bytes
            .get(start + 2..)
            .and_then(|rest| memmem::find(rest, b"}}"))
        else {
            break;
        };
        let inner_end = start + 2 + close;
        let inner = text.get(start + 2..inner_end).unwrap_or("");
        if start > 0 && bytes.get(start - 1) == Some(&b'$') {
            // GitHub Actions `${{ ... }}`: skip the whole expression.
            i = inner_end + 2;
            continue;
        }
        if let Some(last) = memmem::rfind(inner.as_bytes(), b"{{") {
            // Not a tag: every `{{` before the last inner one would end at the same `}}`.
            i = start + 2 + last;
            continue;
        }
        i = inner_end + 2;
        let tag = inner.trim_matches('~').trim();
        if let Some(open) = tag.strip_prefix('#') {
            blocks.push(open.split_whitespace().next().unwrap_or(""));
        } else if let Some(closed) = tag.strip_prefix('/') {
            if let Some(pos) = blocks.iter().rposition(|b| *b == closed.trim()) {
                blocks.truncate(pos);
            }
        } else if is_var_name(inner)
            && !HANDLEBARS_WORDS.contains(&inner)
            && !GO_TEMPLATE_WORDS.contains(&inner)
            && (item_fields || !blocks.iter().any(|b| ITEM_BLOCKS.contains(b)))
        {
            out.push(VarRef {
                name: inner.to_string(),
                range: start..inner_end + 2,
            });
        }
    }
    out
}

/// Replaces each reference that `vars` has a value for; other text is kept as is.
pub fn substitute(text: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in var_refs(text) {
        if let Some(value) = vars(&r.name) {
            out.push_str(text.get(last..r.range.start).unwrap_or(""));
            out.push_str(&value);
            last = r.range.end;
        }
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_template_end_is_not_a_var_and_item_fields_count_as_all_refs() {
        assert!(var_refs("{{if .x}}a{{end}}").is_empty());
        let text = "{{#each xs}}{{name}}{{/each}} {{top}}";
        assert_eq!(names(text), vec!["top"]);
        let all: Vec<String> = all_refs(text).into_iter().map(|r| r.name).collect();
        assert_eq!(all, vec!["name", "top"]);
    }

    fn names(text: &str) -> Vec<String> {
        var_refs(text).into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn plain_references_with_ranges() {
        let refs = var_refs("Fix {{issue}} in {{repo_name}}.");
        assert_eq!(
            refs,
            vec![
                VarRef {
                    name: "issue".into(),
                    range: 4..13
                },
                VarRef {
                    name: "repo_name".into(),
                    range: 17..30
                },
            ]
        );
        assert_eq!(names("{{_x1}}{{A}}"), ["_x1", "A"]);
        assert_eq!(names("é {{v}}"), ["v"]);
        assert_eq!(var_refs("é {{v}}")[0].range, 3..8);
    }

    #[test]
    fn not_references() {
        assert!(names("ref: ${{ github.ref }}").is_empty());
        assert!(names("${{name}}").is_empty());
        assert!(names("{{ spaced }}").is_empty());
        assert!(names("{{.field}} {{.output.directory}} {{.}}").is_empty());
        assert!(names("{{1abc}} {{a-b}} {{a.b}} {{}}").is_empty());
        assert!(
            names("{{else}} {{this}} {{root}} {{index}} {{key}} {{first}} {{last}}").is_empty()
        );
        assert!(names("{{#if x}}{{/if}}{{#each y}}{{/each}}").is_empty());
        assert!(names("{{range .files -}} {{- end}} {{if .x}}").is_empty());
        assert!(names("{name} {{ {x} }}").is_empty());
        assert!(names("{{name").is_empty());
    }

    #[test]
    fn github_expression_then_reference() {
        assert_eq!(names("${{ secrets.X }} and {{v}}"), ["v"]);
        assert_eq!(names("${{x}}{{y}}"), ["y"]);
    }

    #[test]
    fn each_and_with_bodies_hold_item_fields() {
        let text = "{{#each orphans}}- {{id}}: {{title}}{{/each}} total {{orphan_count}}";
        assert_eq!(names(text), ["orphan_count"]);
        let text = "{{#with leg}}{{focus}}{{/with}}{{after}}";
        assert_eq!(names(text), ["after"]);
        // Nested blocks: the outer `each` still applies inside an `if`.
        let text = "{{#each a}}{{#if b}}{{c}}{{/if}}{{d}}{{/each}}{{e}}";
        assert_eq!(names(text), ["e"]);
        // Nested `each`: the inner close does not end the outer block.
        let text = "{{#each a}}{{#each b}}{{/each}}{{c}}{{/each}}{{d}}";
        assert_eq!(names(text), ["d"]);
        // Whitespace control and an unclosed `each` (the rest of the text is its body).
        assert_eq!(names("{{~#each a~}}{{x}}{{~/each~}}{{y}}"), ["y"]);
        assert!(names("{{#each a}}{{x}}").is_empty());
        // A stray close is ignored.
        assert_eq!(names("{{/each}}{{x}}"), ["x"]);
    }

    #[test]
    fn if_bodies_hold_real_references() {
        let text = "{{#if dry_run}}Dry run for {{rig}}{{else}}Live {{rig}}{{/if}}";
        assert_eq!(names(text), ["rig", "rig"]);
    }

    #[test]
    fn triple_braces_and_runs_of_braces() {
        assert_eq!(names("{{{raw}}}"), ["raw"]);
        assert_eq!(var_refs("{{{raw}}}")[0].range, 1..8);
        assert_eq!(names("{{a {{b}}"), ["b"]);
        // Many unclosed openers stay linear and find nothing.
        assert!(names(&"{{a ".repeat(50_000)).is_empty());
        let mut long = "{{a ".repeat(50_000);
        long.push_str("}} {{z}}");
        assert_eq!(names(&long), ["z"]);
    }

    #[test]
    fn substitute_known_keeps_unknown() {
        let vars = |name: &str| (name == "a").then(|| "X".to_string());
        assert_eq!(substitute("{{a}}-{{b}}-{{a}}", &vars), "X-{{b}}-X");
        assert_eq!(
            substitute("${{a}} {{#each l}}{{a}}{{/each}}", &vars),
            "${{a}} {{#each l}}{{a}}{{/each}}"
        );
        assert_eq!(substitute("", &vars), "");
        assert_eq!(substitute("é{{a}}é", &vars), "éXé");
    }

    #[test]
    fn var_name_rule() {
        assert!(is_var_name("a_1") && is_var_name("_") && is_var_name("Z"));
        assert!(
            !is_var_name("") && !is_var_name("1a") && !is_var_name("a-b") && !is_var_name("a b")
        );
    }
}

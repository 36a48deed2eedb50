use super::*;
use crate::model::lower;
use crate::syntax::parse;

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_owned();
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|(s, _)| std::cmp::Reverse(s.start()));
    for (span, new) in sorted {
        out.replace_range(span.range(), &new);
    }
    out
}

/// The var names of `text`, and whether it parses and lowers without a problem about
/// syntax, keys or types.
fn vars(text: &str, format: Format) -> Vec<String> {
    let tree = parse(text, format);
    assert!(tree.errors.is_empty(), "{:?}\n{text}", tree.errors);
    let (f, diags) = lower(&tree.root, format);
    let bad: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert!(bad.is_empty(), "{bad:?}\n{text}");
    f.vars.iter().map(|v| v.name.value.clone()).collect()
}

fn declared(text: &str, format: Format) -> String {
    let tree = parse(text, format);
    let edits = declare_var(text, format, &tree.root, "who").unwrap_or_default();
    assert!(!edits.is_empty(), "no edit for\n{text}");
    let after = apply(text, &edits);
    let before = vars(text, format);
    let now = vars(&after, format);
    assert_eq!(now.len(), before.len() + 1, "{after}");
    assert!(now.contains(&String::from("who")), "{after}");
    let tree = parse(&after, format);
    let (f, _) = lower(&tree.root, format);
    let v = f.vars.iter().find(|v| v.name.value == "who");
    assert_eq!(
        v.and_then(|v| v.required.as_ref()).map(|r| r.value),
        Some(true)
    );
    after
}

fn removed(text: &str, format: Format, name: &str) -> String {
    let tree = parse(text, format);
    let edits = remove_var(text, format, &tree.root, name).unwrap_or_default();
    assert!(!edits.is_empty(), "no edit for {name} in\n{text}");
    let after = apply(text, &edits);
    let mut expected = vars(text, format);
    expected.retain(|v| v != name);
    assert_eq!(vars(&after, format), expected, "{after}");
    after
}

const TOML: &str = "formula = \"a\"\n\n[vars]\nshort = \"s\" # why\n\n[vars.a]\ndescription = \"A\"\n# about the steps\n\n[[steps]]\nid = \"x\"\ntitle = \"{{a}}\"\n";
const JSON: &str = "{\n  \"formula\": \"a\",\n  \"vars\": {\n    \"a\": {\"description\": \"A\"},\n    \"b\": {\n      \"default\": \"x\"\n    }\n  },\n  \"steps\": [{\"id\": \"x\", \"title\": \"X\"}]\n}\n";
const YAML: &str = "formula: a\nvars:\n  a:\n    description: |\n      multi\n      line\n  b: x # short\nsteps:\n  - id: x\n    title: X\n";

#[test]
fn declare_in_each_format_next_to_the_other_vars() {
    assert_eq!(
        declared(TOML, Format::Toml),
        "formula = \"a\"\n\n[vars]\nshort = \"s\" # why\n\n[vars.a]\ndescription = \"A\"\n# about the steps\n\n[vars.who]\ndescription = \"\"\nrequired = true\n\n[[steps]]\nid = \"x\"\ntitle = \"{{a}}\"\n"
    );
    assert_eq!(
        declared(JSON, Format::Json),
        "{\n  \"formula\": \"a\",\n  \"vars\": {\n    \"a\": {\"description\": \"A\"},\n    \"b\": {\n      \"default\": \"x\"\n    },\n    \"who\": {\"description\": \"\", \"required\": true}\n  },\n  \"steps\": [{\"id\": \"x\", \"title\": \"X\"}]\n}\n"
    );
    assert_eq!(
        declared(YAML, Format::Yaml),
        "formula: a\nvars:\n  a:\n    description: |\n      multi\n      line\n  b: x # short\n  who:\n    description: \"\"\n    required: true\nsteps:\n  - id: x\n    title: X\n"
    );
}

#[test]
fn declare_where_there_are_no_vars_yet() {
    assert_eq!(
        declared("formula = \"a\"\n\n[[steps]]\nid = \"x\"\n", Format::Toml),
        "formula = \"a\"\n\n[vars.who]\ndescription = \"\"\nrequired = true\n\n[[steps]]\nid = \"x\"\n"
    );
    assert_eq!(
        declared("formula = \"a\"", Format::Toml),
        "formula = \"a\"\n\n[vars.who]\ndescription = \"\"\nrequired = true\n"
    );
    assert_eq!(
        declared("{\n  \"formula\": \"a\",\n  \"steps\": []\n}", Format::Json),
        "{\n  \"formula\": \"a\",\n  \"vars\": {\n    \"who\": {\"description\": \"\", \"required\": true}\n  },\n  \"steps\": []\n}"
    );
    assert_eq!(
        declared("{\"formula\": \"a\"}", Format::Json),
        "{\"formula\": \"a\", \"vars\": {\"who\": {\"description\": \"\", \"required\": true}}}"
    );
    assert_eq!(
        declared("{}", Format::Json),
        "{\"vars\": {\"who\": {\"description\": \"\", \"required\": true}}}"
    );
    assert_eq!(
        declared("{\"vars\": {}}", Format::Json),
        "{\"vars\": {\"who\": {\"description\": \"\", \"required\": true}}}"
    );
    assert_eq!(
        declared("formula: a\nsteps:\n  - id: x\n", Format::Yaml),
        "formula: a\nvars:\n  who:\n    description: \"\"\n    required: true\nsteps:\n  - id: x\n"
    );
    assert_eq!(
        declared("formula: a", Format::Yaml),
        "formula: a\nvars:\n  who:\n    description: \"\"\n    required: true\n"
    );
}

#[test]
fn no_declaration_where_the_shape_is_uncertain() {
    for (text, format) in [
        ("vars = { a = \"x\" }\n", Format::Toml),
        ("vars = \"x\"\n", Format::Toml),
        ("vars: {a: x}\n", Format::Yaml),
        ("{formula: a, steps: []}\n", Format::Yaml),
        ("[1]", Format::Json),
    ] {
        let tree = parse(text, format);
        assert_eq!(declare_var(text, format, &tree.root, "who"), None, "{text}");
    }
}

#[test]
fn remove_each_var_in_each_format() {
    assert_eq!(
        removed(TOML, Format::Toml, "a"),
        "formula = \"a\"\n\n[vars]\nshort = \"s\" # why\n\n# about the steps\n\n[[steps]]\nid = \"x\"\ntitle = \"{{a}}\"\n"
    );
    assert_eq!(
        removed(TOML, Format::Toml, "short"),
        "formula = \"a\"\n\n[vars]\n\n[vars.a]\ndescription = \"A\"\n# about the steps\n\n[[steps]]\nid = \"x\"\ntitle = \"{{a}}\"\n"
    );
    let dotted =
        "formula = \"a\"\nvars.d = \"x\"\nvars.e.default = \"y\"\n\n[[steps]]\nid = \"x\"\n";
    assert_eq!(
        removed(dotted, Format::Toml, "d"),
        "formula = \"a\"\nvars.e.default = \"y\"\n\n[[steps]]\nid = \"x\"\n"
    );
    assert_eq!(
        declared(dotted, Format::Toml),
        "formula = \"a\"\nvars.d = \"x\"\nvars.e.default = \"y\"\n\n[vars.who]\ndescription = \"\"\nrequired = true\n\n[[steps]]\nid = \"x\"\n"
    );
    assert_eq!(
        removed(JSON, Format::Json, "a"),
        "{\n  \"formula\": \"a\",\n  \"vars\": {\n    \"b\": {\n      \"default\": \"x\"\n    }\n  },\n  \"steps\": [{\"id\": \"x\", \"title\": \"X\"}]\n}\n"
    );
    assert_eq!(
        removed(JSON, Format::Json, "b"),
        "{\n  \"formula\": \"a\",\n  \"vars\": {\n    \"a\": {\"description\": \"A\"}\n  },\n  \"steps\": [{\"id\": \"x\", \"title\": \"X\"}]\n}\n"
    );
    assert_eq!(
        removed("{\"vars\": {\"a\": {}}}", Format::Json, "a"),
        "{\"vars\": {}}"
    );
    assert_eq!(
        removed(YAML, Format::Yaml, "a"),
        "formula: a\nvars:\n  b: x # short\nsteps:\n  - id: x\n    title: X\n"
    );
    assert_eq!(
        removed(YAML, Format::Yaml, "b"),
        "formula: a\nvars:\n  a:\n    description: |\n      multi\n      line\nsteps:\n  - id: x\n    title: X\n"
    );
    assert_eq!(
        removed(
            "formula: a\nvars:\n  only: x\nsteps: []\n",
            Format::Yaml,
            "only"
        ),
        "formula: a\nsteps: []\n"
    );
}

#[test]
fn no_removal_where_the_shape_is_uncertain() {
    for (text, format, name) in [
        ("vars = { a = \"x\", b = \"y\" }\n", Format::Toml, "b"),
        ("[vars]\na = \"x\"; b = 1\n", Format::Toml, "a"),
        ("vars: {a: x}\n", Format::Yaml, "a"),
        ("[vars.a]\n", Format::Toml, "zzz"),
    ] {
        let tree = parse(text, format);
        assert_eq!(remove_var(text, format, &tree.root, name), None, "{text}");
    }
}

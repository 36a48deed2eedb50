//! Snapshots of canonical form for each format, and the refusals.

use super::{FormatError, format};
use crate::syntax::Format;

fn formatted(text: &str, f: Format) -> String {
    let once = match format(text, f) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}\n{text}"),
    };
    assert_eq!(format(&once, f).ok(), Some(once.clone()), "not idempotent");
    once
}

fn toml(text: &str) -> String {
    formatted(text, Format::Toml)
}

#[test]
fn toml_spacing_blank_lines_and_comments() {
    let text = "\n\n# Leading comment\n#   kept as written\n\n\n\nformula   =  \"x\"   # after a value\n  version=1\n\n\n\ntype = 'workflow'\t\n[  vars . x ]  # after a header\n    # before a key\ndefault='1'\n# before a header, right after a pair\n[vars.y]\n\n\n# a comment, then a blank line, then the header\n\n[vars.z]\nrequired = true\n# at the end\n\n\n";
    insta::assert_snapshot!(toml(text));
}

#[test]
fn toml_steps_and_children() {
    let text = "formula = \"f\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n\n\n\n[[steps]]\n\nid = \"b\"\nneeds=[\"a\"]\n[[steps.children]]\nid = \"b1\"\n\n    [[steps.children]]\n    id = \"b2\"\n    needs = [ \"b1\" ]\n[steps.gate]\ntype = \"human\"\n";
    insta::assert_snapshot!(toml(text));
}

#[test]
fn toml_arrays_short_long_and_commented() {
    let text = r#"short = [ "a" ,"b",
  "c" ]
empty = [ ]
nested = [[1,2],[ 3 ]]
long = ["correctness", "performance", "security", "elegance", "resilience", "style", "smells", "wiring"]
commented = [
    "a",   # why a
  # about b
  "b"  # why b
  ,
    "c"
    # trailing note
]
dotted.key.list = [ 1,
  2 ]
nested_long = [["correctness", "performance", "security"], ["elegance", "resilience", "style", "smells", "wiring", "commit-discipline"]]
"#;
    insta::assert_snapshot!(toml(text));
}

#[test]
fn toml_inline_tables_and_strings_as_written() {
    let text = "gate = {type=\"timer\",   timeout = '30m' , extra = { a = [1,2] }}\nempty = {  }\nbasic = \"tab\\there\"\nliteral = 'C:\\path'\nml = \"\"\"\n  keep   \n\n\n   this   \n\"\"\"\nml_literal = '''\n# not a comment\n'''\nnumber = 1_000\nhex = 0xff\nfloat = 1.50\nwhen = 2024-01-01T00:00:00Z\n\"quoted key\" = 1\n";
    let out = toml(text);
    // Strings keep their quoting, escapes and every space inside.
    assert!(out.contains("ml = \"\"\"\n  keep   \n\n\n   this   \n\"\"\"\n"));
    insta::assert_snapshot!(out);
}

#[test]
fn toml_already_canonical_is_unchanged() {
    let text = "# c\nformula = \"x\"  # note\nneeds = [\"a\", \"b\"]\n\n[vars.x]\ndefault = \"1\"\n\n[[steps]]\nid = \"a\"\n";
    assert_eq!(toml(text), text);
}

#[test]
fn json_two_space_indent_key_order_and_literals_as_written() {
    let text = "{\"formula\":\"x\",\"version\":1.50,\"big\":1e3,\"s\":\"\\u00e9\\n\",\n\n\"steps\":[{\"id\":\"a\",\"needs\":[],\"gate\":{}}],\"vars\":{\"z\":{\"default\":null},\"a\":{\"required\":true}}}";
    insta::assert_snapshot!(formatted(text, Format::Json));
}

#[test]
fn json_with_comments_is_refused_as_a_syntax_error() {
    let text = "{\n  // a comment\n  \"formula\": \"x\"\n}\n";
    assert!(matches!(
        format(text, Format::Json),
        Err(FormatError::Syntax(errors)) if !errors.is_empty()
    ));
}

#[test]
fn yaml_only_safe_whitespace() {
    let text = "\n\n# top   \nformula: x   \n\n\n\nsteps:   \n  - id: a    # c   \n    title: \"A\"\n    description: |\n      keep   \n\n\n      these lines\n    notes: >\n      folded  \n\n\n      text\n  -   id: b\n\n\n";
    let out = formatted(text, Format::Yaml);
    assert!(out.contains("      keep   \n\n\n      these lines\n"));
    insta::assert_snapshot!(out);
}

#[test]
fn yaml_keep_chomping_at_the_end_is_left_alone() {
    let text = "formula: x  \ndescription: |+\n  text\n\n\n";
    assert_eq!(formatted(text, Format::Yaml), text);
}

#[test]
fn syntax_errors_are_refused() {
    for (text, f) in [
        ("formula = \"x\n", Format::Toml),
        ("{\"formula\": }", Format::Json),
        ("formula: [x\n", Format::Yaml),
    ] {
        assert!(
            matches!(format(text, f), Err(FormatError::Syntax(_))),
            "{f:?}"
        );
    }
}

#[test]
fn toml_edge_cases() {
    for (text, expected) in [
        // A byte order mark is dropped; line breaks become `\n` outside multi-line strings.
        ("\u{FEFF}formula = \"x\"\r\n", "formula = \"x\"\n"),
        ("", ""),
        ("# only a comment\n\n", "# only a comment\n"),
        // Tables stay in the author's order, even a parent after its child.
        ("[a.b]\nx = 1\n[a]\ny = 2\n", "[a.b]\nx = 1\n\n[a]\ny = 2\n"),
        ("x = [\n]\ny = [ # c\n]\n", "x = []\ny = [  # c\n]\n"),
        ("\t# tabbed\n\tversion = 1\n", "# tabbed\nversion = 1\n"),
    ] {
        assert_eq!(toml(text), expected, "{text:?}");
    }
}

#[test]
fn toml_spread_out_dotted_keys_with_comments_are_refused() {
    // toml_edit writes the dotted keys of a table together, which would move `# about b`.
    let text = "a.x = 1\n# about b\nb = 2\n# about a.y\na.y = 3\n";
    assert!(matches!(
        format(text, Format::Toml),
        Err(FormatError::Unsupported(_))
    ));
    // Without comments in between, grouping them is all that happens.
    assert_eq!(
        toml("a.x = 1\nb = 2\na.y = 3\n"),
        "a.x = 1\na.y = 3\nb = 2\n"
    );
}

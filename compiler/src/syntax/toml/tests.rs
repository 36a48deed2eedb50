use super::parse;
use crate::syntax::{Node, NodeKind};

fn get<'a>(node: &'a Node, path: &[&str]) -> &'a Node {
    let mut n = node;
    for key in path {
        n = match n.get(key) {
            Some(n) => n,
            None => panic!("no key {key} in {n:?}"),
        };
    }
    n
}

#[test]
fn headers_dotted_keys_and_arrays_of_tables() {
    let text = r#"formula = "f"
[vars.x]
default = "1"
[[steps]]
id = "a"
needs = ["b", "c"]
[[steps]]
id = "b"
meta.k = 3
[[steps.children]]
id = "c"
"#;
    let tree = parse(text);
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    let default = get(&tree.root, &["vars", "x", "default"]);
    assert_eq!(&text[default.span.range()], "\"1\"");
    let NodeKind::Array(steps) = &get(&tree.root, &["steps"]).kind else {
        panic!("steps is not an array")
    };
    assert_eq!(steps.len(), 2);
    assert!(matches!(
        get(&steps[1], &["meta", "k"]).kind,
        NodeKind::Integer(3)
    ));
    let NodeKind::Array(children) = &get(&steps[1], &["children"]).kind else {
        panic!("children")
    };
    assert_eq!(children.len(), 1);
    assert_eq!(&text[steps[0].span.range()], "[[steps]]");
}

#[test]
fn string_positions_are_verbatim_when_unescaped() {
    let text = "a = \"x {{v}}\"\nb = '''\nlit'''\nc = \"e\\n\"\n";
    let tree = parse(text);
    let a = get(&tree.root, &["a"]).as_str().cloned();
    let a = a.unwrap_or_else(|| panic!("a"));
    assert_eq!(a.verbatim_at, Some(5));
    let b = get(&tree.root, &["b"]).as_str().cloned();
    let b = b.unwrap_or_else(|| panic!("b"));
    assert_eq!(b.value, "lit");
    assert_eq!(&text[b.verbatim_at.unwrap_or(0) as usize..][..3], "lit");
    let c = get(&tree.root, &["c"]).as_str().cloned();
    let c = c.unwrap_or_else(|| panic!("c"));
    assert_eq!(c.value, "e\n");
    assert_eq!(c.verbatim_at, None);
}

#[test]
fn duplicate_keys_and_tables_are_errors() {
    let tree = parse("a = 1\na = 2\n[t]\n[t]\n");
    let msgs: Vec<&str> = tree.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("duplicate key `a`"));
    assert!(msgs[1].contains("defined more than once"));
}

#[test]
fn recovers_after_a_broken_line() {
    let text = "formula = \"f\"\nbroken = \nversion = 2\n[[steps]]\nid = \"a\"\n";
    let tree = parse(text);
    assert!(!tree.errors.is_empty());
    assert!(matches!(
        get(&tree.root, &["version"]).kind,
        NodeKind::Integer(2)
    ));
    assert!(tree.root.get("steps").is_some());
}

#[test]
fn value_in_the_way_of_a_table() {
    let tree = parse("a = 1\n[a.b]\nc = 2\n");
    assert_eq!(tree.errors.len(), 1, "{:?}", tree.errors);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    let tree = parse(&text);
    assert!(
        tree.errors
            .iter()
            .any(|e| e.message.contains("nesting deeper"))
    );
}

#[test]
fn garbage_never_panics() {
    for text in [
        "[",
        "[[",
        "]]",
        "= 1",
        "a.=1",
        "\"",
        "a = {",
        "a = [1,",
        "a = 1979-05-27T",
        "\u{0}",
        "x = 99999999999999999999",
    ] {
        let _ = parse(text);
    }
}

#[test]
fn numbers_and_booleans() {
    let tree = parse("a = 0x1F\nb = 1_000\nc = 1.5\nd = true\ne = -3\nf = 1979-05-27\n");
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    assert!(matches!(
        get(&tree.root, &["a"]).kind,
        NodeKind::Integer(31)
    ));
    assert!(matches!(
        get(&tree.root, &["b"]).kind,
        NodeKind::Integer(1000)
    ));
    assert!(matches!(get(&tree.root, &["c"]).kind, NodeKind::Float(f) if f == 1.5));
    assert!(matches!(get(&tree.root, &["d"]).kind, NodeKind::Bool(true)));
    assert!(matches!(
        get(&tree.root, &["e"]).kind,
        NodeKind::Integer(-3)
    ));
    assert!(matches!(
        get(&tree.root, &["f"]).kind,
        NodeKind::Datetime(_)
    ));
}

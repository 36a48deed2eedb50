use super::*;

fn root_entries(tree: &SyntaxTree) -> &[Entry] {
    tree.root.as_table().unwrap_or(&[])
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.range()).unwrap_or("<bad span>")
}

#[test]
fn keys_values_and_strings_carry_byte_spans() {
    let text = "{\n  \"näme\": \"héllo wörld\",\n  \"n\": [1, 2.5, true, null]\n}";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    assert_eq!(tree.root.span, Span::new(0, text.len()));
    let entries = root_entries(&tree);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].key, "näme");
    assert_eq!(slice(text, entries[0].key_span), "\"näme\"");
    assert_eq!(slice(text, entries[0].value.span), "\"héllo wörld\"");
    let s = entries[0]
        .value
        .as_str()
        .cloned()
        .unwrap_or(Str::new(String::new(), None));
    assert_eq!(s.value, "héllo wörld");
    let at = s.verbatim_at.map_or(0, |v| v as usize);
    assert_eq!(text.get(at..at + s.value.len()), Some("héllo wörld"));
    // `wörld` inside the string
    let w = s.sub_span(entries[0].value.span, 7, 13);
    assert_eq!(slice(text, w), "wörld");
    assert_eq!(slice(text, entries[1].value.span), "[1, 2.5, true, null]");
}

#[test]
fn escaped_strings_are_not_verbatim() {
    let text = r#"{"a": "x\ny", "b": "\u00e9", "c": "\\\\", "d": ""}"#;
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let get = |k: &str| tree.root.get(k).and_then(Node::as_str).cloned();
    assert_eq!(
        get("a").map(|s| (s.value, s.verbatim_at)),
        Some(("x\ny".into(), None))
    );
    assert_eq!(
        get("b").map(|s| (s.value, s.verbatim_at)),
        Some(("é".into(), None))
    );
    assert_eq!(
        get("c").map(|s| (s.value, s.verbatim_at)),
        Some(("\\\\".into(), None))
    );
    assert_eq!(get("d").map(|s| s.value), Some(String::new()));
}

#[test]
fn number_kinds() {
    let text = r#"[0, -7, 9223372036854775807, 9223372036854775808, -9223372036854775808, 1.5, 1e3, -0.0, 2E-2]"#;
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let kinds: Vec<NodeKind> = match &tree.root.kind {
        NodeKind::Array(items) => items.iter().map(|n| n.kind.clone()).collect(),
        _ => vec![],
    };
    assert_eq!(
        kinds,
        vec![
            NodeKind::Integer(0),
            NodeKind::Integer(-7),
            NodeKind::Integer(i64::MAX),
            NodeKind::Float(9_223_372_036_854_775_808.0),
            NodeKind::Integer(i64::MIN),
            NodeKind::Float(1.5),
            NodeKind::Float(1000.0),
            NodeKind::Float(-0.0),
            NodeKind::Float(0.02),
        ]
    );
}

#[test]
fn booleans_and_null() {
    let tree = parse(r#"{"t": true, "f": false, "n": null}"#);
    assert_eq!(tree.errors, vec![]);
    assert_eq!(
        tree.root.get("t").map(|n| &n.kind),
        Some(&NodeKind::Bool(true))
    );
    assert_eq!(
        tree.root.get("f").map(|n| &n.kind),
        Some(&NodeKind::Bool(false))
    );
    assert_eq!(tree.root.get("n").map(|n| &n.kind), Some(&NodeKind::Null));
}

#[test]
fn duplicate_keys_keep_the_first() {
    let text = r#"{"id": 1, "x": 2, "id": 3}"#;
    let tree = parse(text);
    assert_eq!(tree.errors.len(), 1);
    assert_eq!(tree.errors[0].message, "duplicate key `id`");
    assert_eq!(tree.errors[0].span, Span::new(18, 22));
    let entries = root_entries(&tree);
    assert_eq!(entries.len(), 2);
    assert_eq!(
        tree.root.get("id").map(|n| &n.kind),
        Some(&NodeKind::Integer(1))
    );
}

#[test]
fn duplicate_keys_in_large_objects() {
    let mut text = String::from("{");
    for i in 0..100 {
        text.push_str(&format!("\"k{i}\": {i}, "));
    }
    text.push_str("\"k3\": 0, \"k99\": 0, \"new\": 1}");
    let tree = parse(&text);
    let messages: Vec<&str> = tree.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, vec!["duplicate key `k3`", "duplicate key `k99`"]);
    assert_eq!(root_entries(&tree).len(), 101);
    // Duplicates before the object grows large enough for the set.
    let mut text = String::from("{\"a\": 1, \"a\": 2, \"b\": 3, \"b\": 4");
    for i in 0..40 {
        text.push_str(&format!(", \"k{i}\": {i}"));
    }
    text.push_str(", \"b\": 5, \"k39\": 6}");
    let tree = parse(&text);
    assert_eq!(tree.errors.len(), 4);
    assert_eq!(root_entries(&tree).len(), 42);
}

#[test]
fn depth_limit_without_stack_overflow() {
    for n in [MAX_DEPTH + 1, 1000, 100_000] {
        let text = format!("{}{}", "[".repeat(n), "]".repeat(n));
        let tree = parse(&text);
        assert_eq!(tree.errors.len(), 1, "{n}");
        assert_eq!(tree.errors[0].message, "nesting deeper than 128 levels");
        assert_eq!(tree.errors[0].span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
        let objects = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        let tree = parse(&objects);
        assert_eq!(tree.errors.len(), 1, "{n}");
        assert_eq!(tree.root.kind, NodeKind::Invalid);
    }
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_eq!(parse(&ok).errors, vec![]);
    // Brackets inside strings do not count.
    let quoted = format!("[\"{}\"]", "[".repeat(1000));
    assert_eq!(parse(&quoted).errors, vec![]);
}

#[test]
fn empty_input_is_an_error() {
    for text in ["", "  \n "] {
        let tree = parse(text);
        assert_eq!(tree.errors.len(), 1);
        assert_eq!(tree.root.kind, NodeKind::Invalid);
        assert_eq!(tree.errors[0].span, Span::at(text.len()));
    }
}

#[test]
fn garbage_and_non_strict_json_are_errors() {
    let cases: &[(&str, &str)] = &[
        ("{\"a\": 1,}", "trailing comma"),
        ("[1, 2,]", "trailing comma"),
        (
            "{a: 1}",
            "expected a double-quoted string as the object key",
        ),
        ("// c\n{}", "comments are not allowed in JSON"),
        (
            "{\"a\": 'x'}",
            "single-quoted strings are not allowed in JSON",
        ),
        ("[0x10]", "hexadecimal numbers are not allowed in JSON"),
        ("[+1]", "a leading `+` is not allowed on a JSON number"),
        ("[.5]", "a decimal point needs digits on both sides in JSON"),
        ("[NaN]", "unexpected `NaN`"),
        ("[-Infinity]", "`Infinity` and `NaN` are not JSON numbers"),
        ("{\"a\" 1}", "expected `:` after the object key"),
        ("{\"a\": 1 \"b\": 2}", "expected `,`"),
        ("[1 2]", "expected `,`"),
        ("{} {}", "unexpected content after the JSON value"),
        ("[1", "unclosed `[`"),
        ("{\"a\": [1, 2]", "unclosed `{`"),
        ("\"abc", "unclosed string"),
        ("[\"a\\qb\"]", "invalid escape sequence"),
        (
            "[\"\\ud800\"]",
            "invalid unicode escape \\ud800 (unpaired high surrogate)",
        ),
        ("@", "unexpected character `@`"),
        ("{\"a\": True}", "unexpected `True`"),
        ("]", "unexpected `]`"),
        ("{\"a\":}", "unexpected `}`"),
        (
            "[\"a\tb\"]",
            "unescaped control character U+0009 in a string",
        ),
        ("{\u{a0}}", "unexpected whitespace character U+00A0"),
        ("{\"a\":\u{b}1}", "unexpected whitespace character U+000B"),
        ("\u{0}\u{1}\u{2}", "unexpected character U+0000"),
    ];
    for (text, message) in cases {
        let tree = parse(text);
        assert!(!tree.errors.is_empty(), "{text:?}");
        assert_eq!(tree.errors[0].message, *message, "{text:?}");
        for e in &tree.errors {
            assert!(e.span.end() <= text.len(), "{text:?}");
        }
    }
}

#[test]
fn error_spans_point_at_the_problem() {
    let text = "{\n  \"é\": [1, 2,]\n}";
    let tree = parse(text);
    assert_eq!(tree.errors.len(), 1);
    assert_eq!(slice(text, tree.errors[0].span), ",");
    let text = "{\"ü\": 1, \"b\": tru}";
    let tree = parse(text);
    assert_eq!(slice(text, tree.errors[0].span), "tru");
    let text = "[\"é\", [1";
    let tree = parse(text);
    assert_eq!(slice(text, tree.errors[0].span), "[");
    assert_eq!(tree.errors[0].span.start(), 7);
}

#[test]
fn byte_order_mark_is_skipped() {
    let text = "\u{FEFF}{\"a\": \"b\"}";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    assert_eq!(slice(text, tree.root.span), "{\"a\": \"b\"}");
    let entries = root_entries(&tree);
    assert_eq!(slice(text, entries[0].key_span), "\"a\"");
    let tree = parse("\u{FEFF}{\"a\": }");
    assert_eq!(tree.errors[0].span, Span::new(9, 10));
}

#[test]
fn non_table_roots_are_kept() {
    let tree = parse(" [1] ");
    assert_eq!(tree.errors, vec![]);
    assert_eq!(tree.root.span, Span::new(1, 4));
    assert_eq!(parse("42").root.kind, NodeKind::Integer(42));
}

#[test]
fn never_panics_on_prefixes_of_valid_json() {
    let text = "{\"a\": [1, -2.5e3, \"é\\n\\u00e9\", {\"b\": null}], \"c\": true}";
    for end in 0..=text.len() {
        if let Some(prefix) = text.get(..end) {
            let tree = parse(prefix);
            for e in &tree.errors {
                assert!(e.span.end() <= prefix.len());
            }
        }
    }
}

#[test]
fn large_input_is_linear() {
    let mut text = String::from("{\"items\": [");
    for i in 0..200_000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"näme {i}\", \"ok\": true}}"
        ));
    }
    text.push_str("]}");
    let start = std::time::Instant::now();
    let tree = parse(&text);
    assert_eq!(tree.errors, vec![]);
    assert!(start.elapsed().as_secs() < 20);
}

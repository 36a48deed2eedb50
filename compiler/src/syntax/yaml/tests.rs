use super::*;
use crate::syntax::tree::Str;

fn slice(text: &str, span: Span) -> &str {
    text.get(span.range()).unwrap_or("<bad span>")
}

fn entries(tree: &SyntaxTree) -> &[Entry] {
    tree.root.as_table().unwrap_or(&[])
}

fn kind(tree: &SyntaxTree, key: &str) -> NodeKind {
    tree.root
        .get(key)
        .map_or(NodeKind::Invalid, |n| n.kind.clone())
}

fn string(node: Option<&Node>) -> Str {
    node.and_then(Node::as_str)
        .cloned()
        .unwrap_or(Str::new(String::from("<not a string>"), None))
}

fn messages(tree: &SyntaxTree) -> Vec<&str> {
    tree.errors.iter().map(|e| e.message.as_str()).collect()
}

#[test]
fn spans_of_keys_values_and_strings_are_bytes() {
    let text = "# cömment é\nnäme: héllo wörld  \n\"quöted ü\": 'it''s'\nk3: &anc !!str \"a\\tb\"  # ü\nlist:\n  - 1\n  - {ä: [x, y], b: ~}\nlast: *anc\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let e = entries(&tree);
    let keys: Vec<&str> = e.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, vec!["näme", "quöted ü", "k3", "list", "last"]);
    let spans: Vec<&str> = e.iter().map(|e| slice(text, e.key_span)).collect();
    assert_eq!(spans, vec!["näme", "\"quöted ü\"", "k3", "list", "last"]);
    let values: Vec<&str> = e.iter().map(|e| slice(text, e.value.span)).collect();
    assert_eq!(
        values,
        vec![
            "héllo wörld",
            "'it''s'",
            "&anc !!str \"a\\tb\"",
            "- 1\n  - {ä: [x, y], b: ~}",
            "*anc"
        ]
    );
    let s = string(tree.root.get("näme"));
    assert_eq!(s.value, "héllo wörld");
    assert_eq!(slice(text, s.sub_span(Span::default(), 7, 13)), "wörld");
    assert_eq!(string(tree.root.get("quöted ü")).verbatim_at, None);
    assert_eq!(string(tree.root.get("k3")).value, "a\tb");
    assert_eq!(string(tree.root.get("last")).value, "a\tb");
    assert_eq!(
        slice(text, tree.root.span),
        &text[text.find("näme").unwrap_or(0)..text.len() - 1]
    );
    let list = tree.root.get("list").map(|n| n.kind.clone());
    let Some(NodeKind::Array(items)) = list else {
        panic!("not an array: {list:?}");
    };
    assert_eq!(slice(text, items[1].span), "{ä: [x, y], b: ~}");
    let inner = items[1].as_table().unwrap_or(&[]);
    assert_eq!(slice(text, inner[0].key_span), "ä");
    assert_eq!(slice(text, inner[0].value.span), "[x, y]");
    assert_eq!(inner[1].value.kind, NodeKind::Null);
}

#[test]
fn quoted_strings_locate_their_value() {
    let text = "a: \"wörld\"  # trailing\nb: 'x y'\nc: \"é\\u00e9\"\nd: \"\"\ne: !!str 'ü'\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    for key in ["a", "b", "e"] {
        let node = tree.root.get(key);
        let s = string(node);
        let at = s.verbatim_at.map_or(0, |v| v as usize);
        assert_eq!(
            text.get(at..at + s.value.len()),
            Some(s.value.as_str()),
            "{key}"
        );
    }
    assert_eq!(
        slice(text, tree.root.get("a").map_or(Span::default(), |n| n.span)),
        "\"wörld\""
    );
    assert_eq!(string(tree.root.get("c")).value, "éé");
    assert_eq!(string(tree.root.get("c")).verbatim_at, None);
    assert_eq!(string(tree.root.get("d")).value, "");
}

#[test]
fn multi_line_plain_and_quoted_scalars_are_folded() {
    let text = "a: one\n  twö  # c\nb: \"x\n  y\"\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let a = string(tree.root.get("a"));
    assert_eq!((a.value.as_str(), a.verbatim_at), ("one twö", None));
    assert_eq!(
        slice(text, tree.root.get("a").map_or(Span::default(), |n| n.span)),
        "one\n  twö"
    );
    let b = string(tree.root.get("b"));
    assert_eq!((b.value.as_str(), b.verbatim_at), ("x y", None));
    assert_eq!(
        slice(text, tree.root.get("b").map_or(Span::default(), |n| n.span)),
        "\"x\n  y\""
    );
}

#[test]
fn block_scalars() {
    let text = "lit: |\n  line1\n  line2\n\nfold: >-\n  a\n  b\none: |  # cömment | >\n  ünique\nkeep: |+\n  k\n\nlast: 1\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let span = |k: &str| tree.root.get(k).map_or(Span::default(), |n| n.span);
    assert_eq!(string(tree.root.get("lit")).value, "line1\nline2\n");
    assert_eq!(slice(text, span("lit")), "|\n  line1\n  line2");
    assert_eq!(string(tree.root.get("lit")).verbatim_at, None);
    assert_eq!(string(tree.root.get("fold")).value, "a b");
    assert_eq!(slice(text, span("fold")), ">-\n  a\n  b");
    let one = string(tree.root.get("one"));
    assert_eq!(one.value, "ünique\n");
    let at = one.verbatim_at.map_or(0, |v| v as usize);
    assert_eq!(text.get(at..at + one.value.len()), Some("ünique\n"));
    assert_eq!(slice(text, span("one")), "|  # cömment | >\n  ünique");
    assert_eq!(string(tree.root.get("keep")).value, "k\n\n");
    assert_eq!(kind(&tree, "last"), NodeKind::Integer(1));
    // A top-level literal at indentation 0 is verbatim.
    let text = "--- |\nab\ncd\n";
    let tree = parse(text);
    let s = string(Some(&tree.root));
    assert_eq!((s.value.as_str(), s.verbatim_at), ("ab\ncd\n", Some(6)));
}

#[test]
fn core_schema_scalars() {
    let text = "\
a: true\nb: False\nc: TRUE\nd: null\ne: ~\nf:\ng: 42\nh: -7\ni: 0x1F\nj: 0o17\nk: 1.5\nl: .5\n\
m: -1e3\nn: .inf\no: -.Inf\np: .nan\nq: 9223372036854775808\nr: '42'\ns: \"true\"\nt: yes\nu: 1_000\n\
v: 0x\nw: 1.2.3\nx: !!str 12\ny: ! 12\nz: !custom 12\naa: +12\nab: 1.\nac: 0xFFFFFFFFFFFFFFFF\nad: e5\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let s = |v: &str| NodeKind::String(Str::new(v.to_owned(), None));
    let expect = [
        ("a", NodeKind::Bool(true)),
        ("b", NodeKind::Bool(false)),
        ("c", NodeKind::Bool(true)),
        ("d", NodeKind::Null),
        ("e", NodeKind::Null),
        ("f", NodeKind::Null),
        ("g", NodeKind::Integer(42)),
        ("h", NodeKind::Integer(-7)),
        ("i", NodeKind::Integer(31)),
        ("j", NodeKind::Integer(15)),
        ("k", NodeKind::Float(1.5)),
        ("l", NodeKind::Float(0.5)),
        ("m", NodeKind::Float(-1000.0)),
        ("n", NodeKind::Float(f64::INFINITY)),
        ("o", NodeKind::Float(f64::NEG_INFINITY)),
        ("q", NodeKind::Float(9_223_372_036_854_775_808.0)),
        ("aa", NodeKind::Integer(12)),
        ("ab", NodeKind::Float(1.0)),
        ("ac", NodeKind::Float(18_446_744_073_709_551_615.0)),
    ];
    for (key, want) in expect {
        assert_eq!(kind(&tree, key), want, "{key}");
    }
    assert!(matches!(kind(&tree, "p"), NodeKind::Float(f) if f.is_nan()));
    for (key, want) in [
        ("r", "42"),
        ("s", "true"),
        ("t", "yes"),
        ("u", "1_000"),
        ("v", "0x"),
        ("w", "1.2.3"),
        ("x", "12"),
        ("y", "12"),
        ("ad", "e5"),
    ] {
        let got = tree
            .root
            .get(key)
            .and_then(Node::as_str)
            .map(|s| s.value.clone());
        assert_eq!(got.as_deref(), Some(want), "{key}");
    }
    assert_eq!(kind(&tree, "z"), NodeKind::Integer(12));
    let _ = s;
}

#[test]
fn non_string_keys_take_their_written_form() {
    let tree = parse("1: a\ntrue: b\n~: c\n1.50: d\n\"q\": e\n");
    assert_eq!(tree.errors, vec![]);
    let keys: Vec<&str> = entries(&tree).iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, vec!["1", "true", "~", "1.50", "q"]);
}

#[test]
fn complex_keys_are_errors() {
    let text = "? [a, b]\n: 1\n{x: y}: 2\nok: 3\n";
    let tree = parse(text);
    assert_eq!(messages(&tree), vec!["a mapping key must be a scalar"; 2]);
    assert_eq!(slice(text, tree.errors[0].span), "[a, b]");
    assert_eq!(slice(text, tree.errors[1].span), "{x: y}");
    let keys: Vec<&str> = entries(&tree).iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, vec!["ok"]);
}

#[test]
fn duplicate_keys_keep_the_first() {
    let text = "id: 1\nx: {id: 1, id: 2}\nid: 3\n";
    let tree = parse(text);
    assert_eq!(messages(&tree), vec!["duplicate key `id`"; 2]);
    assert_eq!(tree.errors[0].span, Span::new(17, 19));
    assert_eq!(tree.errors[1].span, Span::new(24, 26));
    assert_eq!(kind(&tree, "id"), NodeKind::Integer(1));
    assert_eq!(entries(&tree).len(), 2);
    let mut big = String::new();
    for i in 0..100 {
        big.push_str(&format!("k{i}: {i}\n"));
    }
    big.push_str("k7: 0\nk99: 0\n");
    let tree = parse(&big);
    assert_eq!(
        messages(&tree),
        vec!["duplicate key `k7`", "duplicate key `k99`"]
    );
    assert_eq!(entries(&tree).len(), 100);
    let mut text = String::from("a: 1\na: 2\nb: 3\nb: 4\n");
    for i in 0..40 {
        text.push_str(&format!("k{i}: {i}\n"));
    }
    text.push_str("b: 5\nk39: 6\n");
    let tree = parse(&text);
    assert_eq!(tree.errors.len(), 4);
    assert_eq!(entries(&tree).len(), 42);
}

#[test]
fn nesting_depth_is_limited_without_stack_overflow() {
    let deep_flow = "[".repeat(100_000);
    let deep_flow_closed = format!("a: {}{}\nb: 1\n", "[".repeat(200), "]".repeat(200));
    let mut deep_block = String::new();
    for i in 0..1_000 {
        deep_block.push_str(&" ".repeat(i));
        deep_block.push_str("k:\n");
    }
    let mut deep_seq = String::new();
    for i in 0..1000 {
        deep_seq.push_str(&" ".repeat(2 * i));
        deep_seq.push_str("-\n");
    }
    for text in [
        deep_flow.as_str(),
        &deep_flow_closed,
        &deep_block,
        &deep_seq,
    ] {
        let started = std::time::Instant::now();
        let tree = parse(text);
        assert_eq!(
            messages(&tree).first(),
            Some(&"nesting deeper than 128 levels")
        );
        assert_eq!(
            tree.errors
                .iter()
                .filter(|e| e.message.starts_with("nesting"))
                .count(),
            1
        );
        assert!(started.elapsed().as_secs() < 10);
    }
    // The skipped part becomes an invalid node and parsing goes on.
    let tree = parse(&deep_flow_closed);
    assert_eq!(tree.errors.len(), 1);
    // The root mapping is level 1, so the 128th `[` is the first too deep.
    assert_eq!(tree.errors[0].span, Span::new(2 + MAX_DEPTH, 3 + MAX_DEPTH));
    assert_eq!(kind(&tree, "b"), NodeKind::Integer(1));
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_eq!(parse(&ok).errors, vec![]);
}

#[test]
fn aliases_copy_the_anchored_node() {
    let text = "base: &b {x: 1, y: [2, 3]}\nother: *b\nname: &n hi\n*n : again\n<<: *b\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    let base = tree.root.get("base").map(|n| n.kind.clone());
    assert_eq!(tree.root.get("other").map(|n| n.kind.clone()), base);
    assert_eq!(
        slice(
            text,
            tree.root.get("other").map_or(Span::default(), |n| n.span)
        ),
        "*b"
    );
    assert_eq!(string(tree.root.get("hi")).value, "again");
    assert!(tree.root.get("<<").is_some());
}

#[test]
fn alias_bomb_stops_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let items = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{items}]\n"));
    }
    let started = std::time::Instant::now();
    let tree = parse(&text);
    assert!(started.elapsed().as_secs() < 5);
    assert_eq!(
        messages(&tree),
        vec!["alias expansion too large (possible alias bomb)"]
    );
    assert_eq!(slice(&text, tree.errors[0].span).chars().next(), Some('*'));
}

#[test]
fn alias_problems() {
    let tree = parse("a: *nope\n");
    assert_eq!(messages(&tree), vec!["unknown alias `*nope`"]);
    assert_eq!(tree.errors[0].span, Span::new(3, 8));
    let tree = parse("a: &x [1, *x]\n");
    assert_eq!(
        messages(&tree),
        vec!["alias `*x` refers to a node that contains it"]
    );
    let tree = parse("a: &x [{k: v}]\n*x : 1\n");
    assert_eq!(messages(&tree), vec!["a mapping key must be a scalar"]);
}

#[test]
fn one_document_per_file() {
    let tree = parse("a: 1\n---\nb: 2\n");
    assert_eq!(
        messages(&tree),
        vec!["a formula file holds one YAML document"]
    );
    assert_eq!(tree.errors[0].span, Span::new(5, 8));
    assert_eq!(kind(&tree, "a"), NodeKind::Integer(1));
    let tree = parse("---\na: 1\n...\n---\nb: 2\n");
    assert_eq!(
        messages(&tree),
        vec!["a formula file holds one YAML document"]
    );
    let tree = parse("---\na: 1\n...\n");
    assert_eq!(tree.errors, vec![]);
}

#[test]
fn empty_documents_are_empty_tables() {
    for text in ["", "\n\n", "# only a comment\n", "---\n", "--- # c\n...\n"] {
        let tree = parse(text);
        assert_eq!(tree.errors, vec![], "{text:?}");
        assert_eq!(
            tree.root,
            Node::new(Span::at(0), NodeKind::Table(Vec::new())),
            "{text:?}"
        );
    }
    assert_eq!(parse("~").root.kind, NodeKind::Null);
}

#[test]
fn garbage_is_an_error_with_a_partial_tree() {
    let text = "a: 1\nb: [1, 2\nc: 3\n";
    let tree = parse(text);
    assert_eq!(tree.errors.len(), 1);
    assert_eq!(kind(&tree, "a"), NodeKind::Integer(1));
    for text in [
        "a: b: c",
        "key: \"unterminated",
        "- a\nb: c",
        "a: 'x' y",
        "{]",
        "@foo",
        "%YAML 1.2\n%YAML 1.2\n---\na: 1",
        "a: !!x!y z",
        "[a, b]: c: d",
        "\u{0}\u{1}",
        "a:\n  - b\n c: d",
    ] {
        let tree = parse(text);
        assert!(!tree.errors.is_empty(), "{text:?}");
        for e in &tree.errors {
            assert!(e.span.end() <= text.len(), "{text:?}");
            assert!(text.is_char_boundary(e.span.start()), "{text:?}");
        }
    }
}

#[test]
fn error_positions_are_bytes() {
    let text = "é: ü\nö: [1, 2\n";
    let tree = parse(text);
    assert_eq!(tree.errors.len(), 1);
    assert!(tree.errors[0].span.start() >= text.find('[').unwrap_or(0));
}

#[test]
fn byte_order_mark_and_directives() {
    let text = "\u{FEFF}a: é\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    assert_eq!(slice(text, entries(&tree)[0].key_span), "a");
    assert_eq!(slice(text, entries(&tree)[0].value.span), "é");
    // A non-ASCII directive throws the library's index off; recalibrated at `---`.
    let text = "%FOOé bär\n---\nkey: wört\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    assert_eq!(slice(text, entries(&tree)[0].key_span), "key");
    assert_eq!(slice(text, entries(&tree)[0].value.span), "wört");
    let text = "\u{FEFF}--- \nkey: wört\n";
    let tree = parse(text);
    assert_eq!(slice(text, entries(&tree)[0].value.span), "wört");
}

#[test]
fn crlf_line_ends() {
    let text = "a: é\r\nb: |\r\n  x\r\n  y\r\nc: \"q\"\r\n";
    let tree = parse(text);
    assert_eq!(tree.errors, vec![]);
    assert_eq!(
        slice(text, tree.root.get("c").map_or(Span::default(), |n| n.span)),
        "\"q\""
    );
    assert_eq!(string(tree.root.get("b")).value, "x\ny\n");
}

#[test]
fn never_panics_on_prefixes() {
    let text = "k: &a [1, {b: \"é\\n\"}, 'x''y']\nl: |-\n  ü\nm: *a\n? [c]\n: d\n- e\n";
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
    let mut text = String::from("items:\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "  - id: {i}\n    name: \"näme {i}\"\n    tags: [a, b]\n"
        ));
    }
    let started = std::time::Instant::now();
    let tree = parse(&text);
    assert_eq!(tree.errors, vec![]);
    assert!(started.elapsed().as_secs() < 30);
}

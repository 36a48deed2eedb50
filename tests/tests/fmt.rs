//! `gtc fmt`: every corpus formula and every valid fixture formats to the same model,
//! keeps every comment, and formatting is idempotent; formatting a formatted file (also
//! generated ones, by property) changes nothing.

use gtc::syntax::emit::{Plain, emit};
use gtc::syntax::format::{FormatError, comments, format};
use gtc::syntax::{Format, parse};
use gtc_e2e::{corpus_dir, fixtures_dir};
use proptest::prelude::*;

/// The comment lines of `text` (trimmed), for TOML and YAML.
fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .collect()
}

/// Format `text`, then check: same model (key order too), idempotent, comments kept
/// (the comments the lexer sees, and every line that starts with `#`, which includes
/// lines of multi-line strings that look like comments).
fn formats_cleanly(name: &str, text: &str, f: Format) -> String {
    let once = format_kept(name, text, f);
    let kept = comment_lines(&once);
    let mut from = 0;
    for c in comment_lines(text) {
        match kept[from..].iter().position(|k| *k == c) {
            Some(i) => from += i + 1,
            None => panic!("{name}: comment {c:?} lost or moved\n{once}"),
        }
    }
    once
}

/// Format `text`, then check: same model (key order too), idempotent, the same comments
/// in the same order.
fn format_kept(name: &str, text: &str, f: Format) -> String {
    let once = format(text, f).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let before = parse(text, f);
    let after = parse(&once, f);
    assert!(
        after.errors.is_empty(),
        "{name}: {:?}\n{once}",
        after.errors
    );
    assert_eq!(
        Plain::of(&after.root),
        Plain::of(&before.root),
        "{name}: the model changed\n{once}"
    );
    let twice = format(&once, f).unwrap_or_else(|e| panic!("{name} (second pass): {e:?}"));
    assert_eq!(twice, once, "{name}: formatting is not idempotent");
    assert_eq!(
        comments(&once, f),
        comments(text, f),
        "{name}: comments changed"
    );
    // (YAML may end in blank lines that belong to a `|+` block scalar.)
    assert!(
        once.is_empty() || once.ends_with('\n') && (f == Format::Yaml || !once.ends_with("\n\n")),
        "{name}: not one final newline"
    );
    once
}

#[test]
fn every_corpus_formula_formats_to_the_same_model() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let (files, _) = gtc::driver::collect_paths(&[corpus]);
    assert_eq!(files.len(), 54);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let name = f.display().to_string();
        formats_cleanly(&name, &text, Format::Toml);
        // The same formula as JSON and YAML formats cleanly too.
        let tree = parse(&text, Format::Toml);
        for to in [Format::Json, Format::Yaml] {
            let there = emit(&tree.root, to).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let formatted = formats_cleanly(&format!("{name} as {to:?}"), &there, to);
            if to == Format::Json {
                assert_eq!(formatted, there, "{name}: convert's JSON is canonical");
            }
        }
    }
}

#[test]
fn every_valid_fixture_formats_to_the_same_model() {
    let (files, _) = gtc::driver::collect_paths(&[fixtures_dir().join("traps")]);
    assert!(files.len() > 10);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let from = Format::from_path(&f).unwrap_or(Format::Toml);
        formats_cleanly(&f.display().to_string(), &text, from);
    }
}

/// Spacing that formatting normalises.
fn ws() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", "  ", "\t"])
}

/// A value that fits on one line (any TOML version allows it in an inline table).
fn inline_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0i64..100_000).prop_map(|i| i.to_string()),
        "[a-z #{}]{0,16}".prop_map(|s| format!("\"{s}\"")),
        "[a-z #]{0,16}".prop_map(|s| format!("'{s}'")),
        Just(String::from("true")),
        Just(String::from("1.50")),
    ];
    leaf.prop_recursive(2, 12, 6, |inner| {
        prop_oneof![
            (prop::collection::vec((inner.clone(), ws()), 0..6), ws()).prop_map(|(items, end)| {
                let body: Vec<String> = items.iter().map(|(v, w)| format!("{w}{v}")).collect();
                format!("[{}{end}]", body.join(","))
            }),
            prop::collection::vec((inner, ws()), 0..4).prop_map(|items| {
                let body: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, (v, w))| format!("k{i}{w}={w}{v}"))
                    .collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
    })
}

/// A value for `key = ...`: also multi-line strings and arrays spread over lines with comments.
fn value() -> impl Strategy<Value = String> {
    let item = prop_oneof![
        3 => inline_value(),
        1 => "[a-z \n#]{0,24}".prop_map(|s| format!("\"\"\"\n{s}\"\"\"")),
    ];
    let separator = prop::sample::select(vec!["", " ", "\n", "\n    ", "  # note\n  ", "\n\n"]);
    prop_oneof![
        3 => inline_value(),
        1 => "[a-z \n#]{0,40}".prop_map(|s| format!("'''{s}'''")),
        2 => (prop::collection::vec((item, separator.clone()), 0..14), separator, any::<bool>())
            .prop_map(|(items, end, comma)| {
                let body: Vec<String> = items.iter().map(|(v, s)| format!("{s}{v}")).collect();
                let comma = if comma && !items.is_empty() { "," } else { "" };
                format!("[{}{comma}{end}]", body.join(","))
            }),
    ]
}

/// One line (or header) of a generated formula.
#[derive(Clone, Debug)]
enum Piece {
    Pair(String),
    Dotted(String),
    Table,
    Step,
    Child,
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        6 => value().prop_map(Piece::Pair),
        1 => inline_value().prop_map(Piece::Dotted),
        1 => Just(Piece::Table),
        1 => Just(Piece::Step),
        1 => Just(Piece::Child),
    ]
}

/// A TOML formula from `pieces`, with messy spacing, blank lines and comments.
fn document(pieces: &[(Piece, &str, &str, usize, bool, bool)]) -> String {
    let mut text = String::new();
    let mut has_step = false;
    for (n, (piece, w1, w2, blanks, comment_before, comment_after)) in pieces.iter().enumerate() {
        text.push_str(&"\n".repeat(*blanks));
        if *comment_before {
            text.push_str(&format!("{w1}# before {n}{w2}\n"));
        }
        match piece {
            Piece::Pair(v) => text.push_str(&format!("{w1}k{n}{w2}={w1}{v}")),
            Piece::Dotted(v) => text.push_str(&format!("d{n}{w2}.{w1}x{w2}={v}")),
            Piece::Table => text.push_str(&format!("{w1}[{w2}t{n}{w1}]")),
            Piece::Step => {
                has_step = true;
                text.push_str(&format!("[[{w2}steps{w2}]]"));
            }
            Piece::Child if has_step => text.push_str(&format!("[[steps.{w1}children]]")),
            Piece::Child => {
                has_step = true;
                text.push_str("[[steps]]");
            }
        }
        if *comment_after {
            text.push_str(&format!("{w1}# after {n}"));
        }
        text.push_str(w2);
        text.push('\n');
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn formatting_a_formatted_file_changes_nothing(
        pieces in prop::collection::vec((piece(), ws(), ws(), 0usize..3, any::<bool>(), any::<bool>()), 1..14)
    ) {
        let text = document(&pieces);
        let tree = parse(&text, Format::Toml);
        prop_assume!(tree.errors.is_empty());
        format_kept("generated", &text, Format::Toml);
        for to in [Format::Json, Format::Yaml] {
            if let Ok(there) = emit(&tree.root, to) {
                format_kept(&format!("generated as {to:?}"), &there, to);
            }
        }
    }
}

/// The corpus formulas' texts (empty without the corpus).
fn corpus_texts() -> &'static [String] {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        let Some(corpus) = corpus_dir() else {
            return Vec::new();
        };
        let (files, _) = gtc::driver::collect_paths(&[corpus]);
        files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Real formulas with a few characters inserted: formatting either refuses (syntax
    /// errors, a comment it would move) or gives a stable result; it never changes the
    /// model (an internal error) and never panics.
    #[test]
    fn edited_corpus_formulas_format_safely_or_are_refused(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(vec![" ", "\n", "\t", "# x", "\n\n", "[", "]", ",", "\"", "=", "a.b = 1\n", "[t]\n"])),
            1..6,
        ),
    ) {
        let texts = corpus_texts();
        if texts.is_empty() {
            return Ok(());
        }
        let mut text = texts[pick.index(texts.len())].clone();
        for (at, insert) in &edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            text.insert_str(i, insert);
        }
        match format(&text, Format::Toml) {
            Ok(once) => prop_assert_eq!(format(&once, Format::Toml), Ok(once.clone())),
            Err(FormatError::Internal(why)) => prop_assert!(false, "{}\n{}", why, text),
            Err(_) => {}
        }
    }
}

//! A long TOML formula is parsed in chunks (`gtc::syntax::toml_chunks`), so an edit
//! re-parses only the chunk it falls in. Whenever the chunks are accepted, their tree
//! must be exactly the whole parse's: checked on every corpus formula and on random
//! edits of generated formulas full of the constructs that could fool the cutting
//! (strings, comments and arrays holding `[[steps]]`, sub-tables, a tail).

use gtc::driver::collect_paths;
use gtc::syntax::toml_chunks::{cut_checked, parse_chunked, split};
use gtc::syntax::{Format, parse};
use gtc_e2e::{corpus_dir, edit_at};
use proptest::prelude::*;

#[test]
fn every_corpus_formula_cuts_into_the_whole_parse() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let (files, problems) = collect_paths(&[corpus]);
    assert!(problems.is_empty(), "{problems:?}");
    let mut cut = 0;
    for path in files {
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(cut_checked(&text), split(&text), "{}", path.display());
        if let Some(tree) = parse_chunked(&text) {
            assert_eq!(tree, parse(&text, Format::Toml), "{}", path.display());
            cut += 1;
        }
    }
    assert!(cut >= 40, "only {cut} corpus formulas could be cut");
}

/// Lines before the steps, chosen to look like headers where they are not.
const PREAMBLE: &[&str] = &[
    "x = [\n[1],\n[2],\n]\n",
    "m = { a = [1, [2]], b = \"]\" }\n",
    "y = \"\"\"\"quoted\"\"\"\"\n",
    "z = 'lit'\n",
    "# [[steps]] in a comment\n",
    "[vars.v]\ndefault = \"[[steps]]\"\n",
];

/// Steps (`ID` is replaced by a number unique in the formula).
const STEPS: &[&str] = &[
    "[[steps]]\nid = \"ID\"\ntitle = \"A\"\n",
    "[[steps]]\nid = \"ID\"\nneeds = [\n  \"a\",\n]\n",
    "[[steps]]\nid = \"ID\"\ndescription = \"\"\"\n[[steps]]\nid = \\\"x\\\"\n\"\"\"\n",
    "[[steps]]\nid = \"ID\"\nnote = '''\n[[steps]]\n'''\n",
    "[[steps]]\nid = \"ID\"\n[steps.loop]\ncount = 2\n[[steps.loop.body]]\nid = \"e\"\n",
    "[[steps]]\nid = \"ID\"\n[[steps.children]]\nid = \"f\"\ntitle = \"# not a comment\"\n",
    "# [[steps]] in a comment\n\n",
];

/// Lines after the steps.
const TAIL: &[&str] = &[
    "[compose]\n[[compose.expand]]\ntarget = \"a\"\n",
    "[[advice]]\ntarget = \"a\"\n",
];

/// One-character edits that can open or close strings, arrays and comments.
const EDITS: &[&str] = &[
    "\"", "'", "[", "]", "{", "}", "\n", "\r", "#", "\\", "=", "x", "\"\"\"", "'''", "é",
];

fn formula() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(any::<bool>(), PREAMBLE.len()),
        prop::collection::vec(0..STEPS.len(), 1..80),
        prop::collection::vec(any::<bool>(), TAIL.len()),
    )
        .prop_map(|(head, steps, tail)| {
            let mut s = String::from("formula = \"f\"\n");
            for (p, on) in PREAMBLE.iter().zip(head) {
                if on {
                    s.push_str(p);
                }
            }
            for (i, p) in steps.into_iter().enumerate() {
                s.push_str(&STEPS[p].replace("ID", &format!("s{i}")));
            }
            for (p, on) in TAIL.iter().zip(tail) {
                if on {
                    s.push_str(p);
                }
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Generated formulas with a few random edits: a cut that is accepted gives the
    /// whole parse's tree, and one is accepted whenever the whole parse is clean and
    /// has `[[steps]]` only where the cutting expects them.
    #[test]
    fn a_cut_that_is_accepted_is_the_whole_parse(
        text in formula(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..EDITS.len(), any::<bool>()), 0..4),
    ) {
        let mut text = text;
        for (at, e, delete) in edits {
            let at = at.index(text.len() + 1);
            edit_at(&mut text, at, EDITS[e], delete, false);
        }
        prop_assert_eq!(cut_checked(&text), split(&text), "{}", text);
        if let Some(tree) = parse_chunked(&text) {
            prop_assert_eq!(&tree, &parse(&text, Format::Toml), "{}", text);
        }
    }
}

/// Windows line ends and a byte-order mark: cut, and the same tree.
#[test]
fn crlf_and_a_bom() {
    let mut text = String::from("\u{feff}formula = \"f\"\r\n");
    for i in 0..200 {
        text.push_str(&format!(
            "[[steps]]\r\nid = \"s{i}\" # c\r\ntitle = \"T\"\r\n\r\n"
        ));
    }
    text.push_str("[compose]\r\n");
    let c = split(&text).expect("cut");
    assert!(c.steps.len() > 2);
    assert_eq!(
        parse_chunked(&text).expect("fits"),
        parse(&text, Format::Toml)
    );
}

#[test]
fn generated_formulas_are_cut_when_clean() {
    // The property above must not pass by refusing everything: a clean formula of
    // several runs is cut.
    let mut text = String::from("formula = \"f\"\n");
    for p in PREAMBLE {
        text.push_str(p);
    }
    for i in 0..300 {
        text.push_str(&STEPS[i % STEPS.len()].replace("ID", &format!("s{i}")));
    }
    for p in TAIL {
        text.push_str(p);
    }
    let c = split(&text).expect("cut");
    assert!(c.steps.len() > 2);
    assert_eq!(
        parse_chunked(&text).expect("fits"),
        parse(&text, Format::Toml)
    );
}

//! In an editor session a long, plain formula is checked in chunks (`gtc::db::chunked`):
//! an edit re-checks the chunk it falls in. Its diagnostics must be exactly the whole
//! check's, after any sequence of edits on one database (the memos of the chunks the
//! edits missed are reused): checked on every corpus formula and on random edits of
//! generated formulas full of what the chunked check must get right (references across
//! chunks, undeclared and unused vars, missing fields, duplicates, cycles).

use gtc::db::{Database, Editing, SourceFile, Workspace, all_diagnostics, chunked};
use gtc::diagnostic::Diagnostic;
use gtc::syntax::Format;
use gtc_e2e::{corpus_dir, edit_at};
use proptest::prelude::*;
use salsa::Setter;
use std::path::PathBuf;
use std::sync::Arc;

/// An editor session's database holding one file.
struct Session {
    db: Database,
    ws: Workspace,
    file: SourceFile,
}

impl Session {
    /// An editor session (`editing`) or a one-shot check's database.
    fn open(text: &str, editing: bool) -> Session {
        let db = Database::default();
        if editing {
            Editing::new(&db, true);
        }
        let file = SourceFile::new(
            &db,
            PathBuf::from("/w/long.formula.toml"),
            Arc::from(text),
            Format::Toml,
        );
        let ws = Workspace::new(&db, vec![file], Vec::new(), Vec::new());
        Session { db, ws, file }
    }

    fn new(text: &str) -> Session {
        Session::open(text, true)
    }

    fn edit(&mut self, text: &str) {
        self.file.set_text(&mut self.db).to(Arc::from(text));
    }

    fn diagnostics(&self) -> Vec<Diagnostic> {
        all_diagnostics(&self.db, self.ws, self.file).clone()
    }

    fn chunked(&self) -> bool {
        chunked::diagnostics(&self.db, self.ws, self.file).is_some()
    }
}

/// What a one-shot `gtc check` finds (a fresh database, no editor session).
fn whole(text: &str) -> Vec<Diagnostic> {
    Session::open(text, false).diagnostics()
}

#[test]
fn every_corpus_formula_checks_the_same_in_chunks() {
    let Some(corpus) = corpus_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/corpus is absent"
        );
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let (files, problems) = gtc::driver::collect_paths(&[corpus]);
    assert!(problems.is_empty(), "{problems:?}");
    let (mut tried, mut chunked) = (0, 0);
    for path in files {
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        if text.len() < gtc::syntax::toml_chunks::MIN_LEN {
            continue;
        }
        let s = Session::new(&text);
        assert_eq!(s.diagnostics(), whole(&text), "{}", path.display());
        tried += 1;
        chunked += usize::from(s.chunked());
    }
    assert!(tried >= 5, "only {tried} long corpus formulas");
    assert!(
        chunked >= 1,
        "none of {tried} long corpus formulas is checked in chunks"
    );
}

/// Steps (`N` is replaced by the step's number; `P` by the previous step's id).
const STEPS: &[&str] = &[
    "[[steps]]\nid = \"sN\"\ntitle = \"Step N for {{owner}}\"\nneeds = [\"P\"]\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"Plain N\"\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"Uses {{undeclared}}\"\ndepends_on = [\"s0\"]\n",
    "[[steps]]\nid = \"sN\"\n",
    "[[steps]]\ntitle = \"No id N\"\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"Typo\"\nneeds = [\"sN9x\"]\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"C\"\ncondition = \"{{flag}} == yes\"\npriority = 7\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"W\"\nwaits_for = \"children-of(P)\"\n[[steps.children]]\nid = \"sN.c\"\ntitle = \"Child of {{ownr}}\"\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"K\"\nbogus_key = 1\n",
    "[[steps]]\nid = \"s1\"\ntitle = \"Duplicate\"\n",
    "[[steps]]\nid = \"sN\"\ntitle = \"Back\"\nneeds = [\"sN\"]\n",
];

/// The frame: vars (some used by the steps, some not), maybe a tail.
const VARS: &str = "[vars.owner]\ndescription = \"Who.\"\ndefault = \"me\"\n\n[vars.flag]\ndescription = \"F.\"\ndefault = \"yes\"\n\n[vars.spare]\ndescription = \"Unused.\"\ndefault = \"x\"\n\n";

/// Picks that make the steps: the plain kinds, and in one formula of four a duplicate id
/// or a cycle (which send it to the whole check).
fn formula() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(
            prop::sample::select(vec![0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]),
            180..320,
        ),
        prop::option::weighted(0.25, (any::<prop::sample::Index>(), 9..STEPS.len())),
        any::<bool>(),
    )
        .prop_map(|(vars, mut picks, rare, tail)| {
            if let Some((at, p)) = rare {
                picks.insert(at.index(picks.len()), p);
            }
            let mut s = String::from("formula = \"long\"\ndescription = \"For {{owner}}.\"\n\n");
            if vars {
                s.push_str(VARS);
            }
            for (i, p) in picks.into_iter().enumerate() {
                let prev = if i == 0 {
                    String::from("nowhere")
                } else {
                    format!("s{}", i - 1)
                };
                s.push_str(&STEPS[p].replace('P', &prev).replace('N', &i.to_string()));
                s.push('\n');
            }
            if tail {
                s.push_str(
                    "[vars.late]\ndescription = \"Declared after the steps.\"\ndefault = \"l\"\n",
                );
            }
            s
        })
}

/// Edits an author makes: a character typed or deleted in an id or a reference, a
/// line added or removed.
const EDITS: &[&str] = &[
    "x",
    "1",
    "\"",
    "\n",
    "needs = [\"s3\"]\n",
    "title = \"{{spare}}\"\n",
    "id = \"s2\"\n",
    "[[steps]]\nid = \"new\"\ntitle = \"New\"\n",
];

fn apply(text: &mut String, at: prop::sample::Index, e: usize, delete: bool) {
    let at = at.index(text.len() + 1);
    edit_at(text, at, EDITS[e], delete, true);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// A sequence of edits on one session: after each, the session's diagnostics are a
    /// one-shot check's.
    #[test]
    fn edits_in_a_session_give_the_whole_checks_answer(
        text in formula(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..EDITS.len(), any::<bool>()), 1..6),
    ) {
        let mut text = text;
        let mut s = Session::new(&text);
        prop_assert_eq!(s.diagnostics(), whole(&text));
        for (at, e, delete) in edits {
            apply(&mut text, at, e, delete);
            s.edit(&text);
            prop_assert_eq!(s.diagnostics(), whole(&text), "{}", text);
        }
    }
}

/// The property above must not pass by never checking in chunks.
#[test]
fn a_plain_long_formula_is_checked_in_chunks() {
    let mut text = String::from("formula = \"long\"\n\n");
    text.push_str(VARS);
    for i in 0..300 {
        let p = [0, 1, 2, 3, 4, 5, 6, 7, 8][i % 9];
        let prev = if i == 0 {
            String::from("nowhere")
        } else {
            format!("s{}", i - 1)
        };
        text.push_str(&STEPS[p].replace('P', &prev).replace('N', &i.to_string()));
    }
    let s = Session::new(&text);
    assert!(s.chunked());
    let found = s.diagnostics();
    assert_eq!(found, whole(&text));
    let codes: std::collections::BTreeSet<&str> = found.iter().map(|d| d.code.as_str()).collect();
    for code in ["GTC004", "GTC006", "GTC011", "GTC012", "GTC020"] {
        assert!(codes.contains(code), "{code} among {codes:?}");
    }
}

/// A duplicate id or a cycle is reported by the whole check.
#[test]
fn duplicates_and_cycles_are_checked_whole() {
    let mut text = String::from("formula = \"long\"\n\n");
    for i in 0..300 {
        text.push_str(&STEPS[1].replace('N', &i.to_string()));
    }
    let s = Session::new(&text);
    assert!(s.chunked());
    for extra in [STEPS[9].to_owned(), STEPS[10].replace('N', "77")] {
        let edited = text.replace(
            "[[steps]]\nid = \"s150\"",
            &format!("{extra}[[steps]]\nid = \"s150\""),
        );
        let edited = if extra.contains("Back") {
            text.replace(
                "id = \"s77\"\ntitle = \"Plain 77\"\n",
                "id = \"s77\"\ntitle = \"Back\"\nneeds = [\"s77\"]\n",
            )
        } else {
            edited
        };
        let s = Session::new(&edited);
        assert!(!s.chunked(), "{extra}");
        assert_eq!(s.diagnostics(), whole(&edited));
        assert!(!s.diagnostics().is_empty());
    }
}

//! No panic on any input: every analysis feature at many offsets of every seeded-bug
//! fixture, every fuzz regression and every corpus formula, and at random offsets of
//! randomly damaged formulas (proptest).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gtc_lsp::analysis::{AnalysisHost, SourceFile};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Run every feature of the analysis layer at `offsets` of `file`.
fn exercise(host: &AnalysisHost, file: SourceFile, offsets: impl Iterator<Item = usize>) {
    use gtc_lsp::analysis::*;
    let a = host.analysis();
    a.with(|db, ws| {
        let len = file.text(db).len();
        let _ = diagnostics::diagnostics(db, ws, file);
        let _ = document_symbols::document_symbols(db, file);
        let _ = semantic_tokens::semantic_tokens(db, file);
        let _ = folding::folding(db, file);
        let _ = inlay_hints::inlay_hints(db, ws, file);
        let _ = code_actions::code_actions(db, ws, file, Span::new(0, len));
        let _ = formatting::formatting(db, file);
        let _ = cooked_view::cooked_view(db, ws, file);
        let _ = cooked_view::code_lens(db, ws, file);
        let _ = workspace_symbols::workspace_symbols(db, ws, "a");
        for offset in offsets {
            let _ = completion::completion(db, ws, file, offset);
            let _ = hover::hover(db, ws, file, offset);
            let _ = goto_definition::goto_definition(db, ws, file, offset);
            let _ = references::references(db, ws, file, offset, true);
            if rename::prepare_rename(db, ws, file, offset).is_ok() {
                let _ = rename::rename(db, ws, file, offset, "renamed_x");
            }
        }
    })
    .expect("not cancelled: nothing edits the host meanwhile");
}

fn formula_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.to_string_lossy().contains(".formula."));
    out.sort();
    out
}

#[test]
fn every_feature_on_fixtures_and_corpus() {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        here.join("../tests/fixtures/seeded"),
        here.join("../tests/fixtures/traps"),
        here.join("../tests/fixtures/fuzz-regressions"),
    ];
    dirs.push(here.join("../../shared/corpus/gastown"));
    let mut seen = 0;
    for dir in dirs {
        let files = formula_files(&dir);
        let mut host = AnalysisHost::new();
        let loaded: Vec<SourceFile> = files
            .iter()
            .filter_map(|p| {
                let text = std::fs::read(p).ok()?;
                let text = String::from_utf8_lossy(&text).into_owned();
                Some(host.set_file(p, Arc::from(text)))
            })
            .collect();
        for file in loaded {
            let len = file.text(host.analysis().db()).len();
            // Small files at every offset, large ones at a stride.
            let step = if len < 4_000 { 1 } else { 97 };
            exercise(&host, file, (0..=len + 1).step_by(step));
            seen += 1;
        }
    }
    assert!(seen > 100, "{seen} files");
}

const SEED: &str = "formula = \"p\"\nextends = [\"base\"]\n\n[vars.who]\ndefault = \"é\"\n\n[[steps]]\nid = \"a\"\ntitle = \"Hi {{who}} {target}\"\ncondition = \"{{who}} == 'x'\"\n\n[[steps]]\nid = \"b\"\nneeds = [\"a\"]\nwaits_for = \"children-of(a)\"\n[steps.loop]\nrange = \"1..{n}\"\n[[steps.loop.body]]\nid = \"c\"\n\n[compose]\naspects = [\"asp\"]\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damaged_formulas_never_panic(
        cuts in proptest::collection::vec((0usize..400, "[\\[\\]{}\"'=,.#\\n a-z0-9é𝄞]{0,4}"), 1..6),
        format in 0usize..3,
    ) {
        let mut text = String::from(SEED);
        for (at, insert) in cuts {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, &insert);
        }
        let name = ["/w/p.formula.toml", "/w/p.formula.json", "/w/p.formula.yaml"][format];
        let mut host = AnalysisHost::new();
        host.set_file(Path::new("/w/base.formula.toml"), Arc::from("formula = \"base\"\n[[steps]]\nid = \"z\"\n"));
        let file = host.set_file(Path::new(name), Arc::from(text.as_str()));
        let len = text.len();
        exercise(&host, file, (0..=len + 2).step_by(3));
    }
}

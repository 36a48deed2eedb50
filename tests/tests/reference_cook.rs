//! `gtc cook` agrees with the reference tool (beads `bd cook`) on every corpus formula:
//! the same resolved step ids, in the same order, with the same parents and the same
//! dependencies. Twice: with each project's formulas checked together (a workspace), and
//! with each formula cooked and checked alone, by path, from an unrelated working
//! directory and no `--search-path` (its siblings resolve the names it uses), as a
//! pre-commit hook runs `gtc` on the one file that changed.
//!
//! The expected outputs are data in `tests/fixtures/reference-cook/<project>/<formula>.json`,
//! one file per corpus formula (`../shared/corpus/<project>/<formula>.formula.toml`) that the
//! reference tool cooks. Each holds `{"formula": NAME, "steps": [{"id", "parent", "needs"}]}`:
//! the resolved steps flattened in pre-order (a parent, then its children), `parent` the id
//! of the enclosing step (`null` at the top level), `needs` the step's `depends_on` and
//! `needs` merged, sorted, without repeats (gtc merges the two lists into one set).
//!
//! How they were produced: the reference's `internal/formula` package at beads commit
//! `fbcee6c6246c874ed98a129d9c1ac22127d8c585` (steveyegge/beads), built with Go 1.23.5
//! (Debian bookworm-backports `golang-1.23-go`, `github.com/BurntSushi/toml` 1.2.0 from
//! Debian's `golang-github-burntsushi-toml-dev`; `internal/beads` and `internal/git` stubbed
//! to return no project directory), driven by a small out-of-tree program that repeats the
//! compile-mode pipeline of `loadAndResolveFormula` in `cmd/bd/cook.go`, in its order:
//! `LoadByName`, falling back to `ParseFile`; `Parser.Resolve` (extends, validation);
//! `ApplyControlFlow` (loops, `compose.branch`, `compose.gate`); `ApplyAdvice` with the
//! formula's `advice`; `ApplyInlineExpansions`; `ApplyExpansions` (`compose.expand`, then
//! `compose.map`); then `ApplyAdvice` for each formula named in `compose.aspects`. No
//! condition filtering and no `{{var}}` substitution (compile mode); the search path is the
//! formula's own corpus directory. The harness is not part of this repository.
//!
//! The reference rejects three formulas (a var both `required` and with a `default`), as
//! `gtc` does (GTC013); they have no fixture. The test skips cleanly when
//! `../shared/corpus` is absent (and fails under `CI`).
//!
//! Convoy formulas (`legs` + `synthesis`) are Gas Town's: `bd cook` knows no legs and cooks
//! them to no steps (their fixtures say so), while Gas Town runs one task per leg and a
//! synthesis that waits for the legs (`gt formula run`). `gtc` cooks them the way Gas Town
//! runs them, so for those four the test checks that the fixture is empty and that `gtc`
//! gives one parallel step per leg plus a `synthesis` step needing the legs its
//! `depends_on` names (every leg when it names none).

use gtc_e2e::{PROJECTS, borrowed, corpus_dir, fixtures_dir, project_sources};
use std::collections::BTreeSet;

/// Corpus formulas the reference tool refuses to cook (and so does gtc).
const REJECTED_BY_BOTH: &[&str] = &[
    "gastown/mol-digest-generate",
    "gastown/mol-orphan-scan",
    "gastown/mol-shutdown-dance",
];

/// Convoy formulas: cooked as Gas Town runs them, where `bd cook` gives no steps.
const CONVOYS: &[&str] = &[
    "gastown/code-review",
    "gastown/design",
    "gastown/mol-plan-review",
    "gastown/mol-prd-review",
];

/// One resolved step: id, parent id, sorted dependencies.
type Canon = Vec<(String, Option<String>, Vec<String>)>;

/// What Gas Town runs for a convoy, read from the formula's model: each leg with no
/// dependency, then `synthesis` needing the legs it names (all of them by default).
fn convoy_canon(f: &gtc::model::Formula) -> Canon {
    let legs: Vec<String> = f.legs.iter().map(|l| l.id_str().to_owned()).collect();
    let mut out: Canon = legs.iter().map(|l| (l.clone(), None, Vec::new())).collect();
    if let Some(syn) = &f.synthesis {
        let named: BTreeSet<String> = syn.deps().map(|d| d.value.clone()).collect();
        let needs = if named.is_empty() {
            legs.iter().cloned().collect::<BTreeSet<_>>()
        } else {
            named
        };
        out.push((String::from("synthesis"), None, needs.into_iter().collect()));
    }
    out
}

fn canon_of(steps: &[gtc::cook::RStep], parent: Option<&str>, out: &mut Canon) {
    for s in steps {
        let needs: BTreeSet<String> = s.needs.iter().cloned().collect();
        out.push((
            s.id.clone(),
            parent.map(str::to_owned),
            needs.into_iter().collect(),
        ));
        canon_of(&s.children, Some(&s.id), out);
    }
}

fn fixture(path: &std::path::Path) -> (String, Canon) {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = v["formula"].as_str().unwrap_or_default().to_owned();
    let steps = v["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no steps array", path.display()))
        .iter()
        .map(|s| {
            let needs: BTreeSet<String> = s["needs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["parent"].as_str().map(str::to_owned),
                needs.into_iter().collect(),
            )
        })
        .collect();
    (name, steps)
}

fn assert_same(rel: &str, actual: &Canon, expected: &Canon) {
    if actual != expected {
        let ids = |c: &Canon| c.iter().map(|s| s.0.clone()).collect::<Vec<_>>();
        assert_eq!(ids(actual), ids(expected), "{rel}: step ids differ");
        for (a, e) in actual.iter().zip(expected) {
            assert_eq!(a, e, "{rel}: step `{}` differs", e.0);
        }
    }
}

/// The cooked JSON's steps as a canon (pre-order, parent ids, sorted needs).
fn canon_of_json(steps: &serde_json::Value, parent: Option<&str>, out: &mut Canon) {
    for s in steps.as_array().into_iter().flatten() {
        let id = s["id"].as_str().unwrap_or_default().to_owned();
        let needs: BTreeSet<String> = s["needs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        out.push((
            id.clone(),
            parent.map(str::to_owned),
            needs.into_iter().collect(),
        ));
        canon_of_json(&s["children"], Some(&id), out);
    }
}

/// `gtc ARGS` in process, from the working directory `cwd`, with no home directory and
/// no `$BEADS_DIR` / `$GT_ROOT`: (exit status, stdout, stderr).
fn gtc_in(cwd: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let env = gtc::cli::Env {
        cwd: cwd.to_path_buf(),
        ..gtc::cli::Env::default()
    };
    let mut argv: Vec<std::ffi::OsString> = vec!["gtc".into()];
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = gtc::cli::run(argv, &env, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// `gtc cook PATH` and `gtc check PATH` of each corpus formula alone, run from an unrelated
/// working directory with no `--search-path`: the formulas it extends or expands are found
/// beside it. The same steps and dependencies as the reference; a clean check.
#[test]
fn each_corpus_formula_cooks_and_checks_by_path_from_anywhere() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let corpus = corpus
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", corpus.display()));
    let elsewhere = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let expected_dir = fixtures_dir().join("reference-cook");
    let mut compared = 0;
    for project in PROJECTS {
        let (files, _) = gtc::driver::collect_paths(&[corpus.join(project)]);
        for path in files {
            let shown = path.display().to_string();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".formula.toml"))
                .unwrap_or_default();
            let stem = format!("{project}/{name}");
            let (code, out, err) = gtc_in(elsewhere.path(), &["check", &shown, "--format", "json"]);
            let report: serde_json::Value =
                serde_json::from_str(&out).unwrap_or_else(|e| panic!("{stem}: {e}: {out}"));
            let errors: Vec<&serde_json::Value> = report["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["severity"] == "error")
                .collect();
            let (code_c, out_c, err_c) =
                gtc_in(elsewhere.path(), &["cook", &shown, "--format", "json"]);
            if REJECTED_BY_BOTH.contains(&stem.as_str()) {
                assert_eq!(code, 1, "{stem}: {err}");
                assert_eq!(errors.len(), 1, "{stem}: {errors:?}");
                assert_eq!(errors[0]["code"], "GTC013", "{stem}");
                assert_eq!(code_c, 1, "{stem}: not cooked");
                continue;
            }
            assert_eq!(code, 0, "{stem}: gtc check by path: {errors:?} {err}");
            assert!(err.is_empty(), "{stem}: {err}");
            assert_eq!(code_c, 0, "{stem}: gtc cook by path: {err_c}");
            let cooked: serde_json::Value =
                serde_json::from_str(&out_c).unwrap_or_else(|e| panic!("{stem}: {e}"));
            let (name, mut expected) = fixture(&expected_dir.join(format!("{stem}.json")));
            if CONVOYS.contains(&stem.as_str()) {
                assert!(expected.is_empty(), "{stem}: bd cooks a convoy to no steps");
                let db = gtc::db::Database::default();
                let file = gtc::driver::read_source(&db, &path)
                    .unwrap_or_else(|e| panic!("{stem}: {}", e.message));
                expected = convoy_canon(&gtc::db::lowered(&db, file).formula);
            }
            assert_eq!(cooked["formula"], name.as_str(), "{stem}: formula name");
            let mut actual = Canon::new();
            canon_of_json(&cooked["steps"], None, &mut actual);
            assert_same(&stem, &actual, &expected);
            compared += 1;
        }
    }
    assert_eq!(compared, 51, "every corpus formula the reference cooks");
}

#[test]
fn corpus_cooks_like_the_reference_tool() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let expected_dir = fixtures_dir().join("reference-cook");
    let mut compared = 0;
    let mut seen_fixtures = BTreeSet::new();
    for project in PROJECTS {
        let texts = project_sources(&corpus, project);
        let sources = borrowed(&texts);
        let db = gtc::db::Database::default();
        let ws = gtc::driver::memory_workspace(&db, &sources);
        for &file in ws.files(&db).iter() {
            let rel = file.path(&db).display().to_string();
            let Some(stem) = rel.strip_suffix(".formula.toml") else {
                continue;
            };
            let cooked = gtc::cook::cook(&db, ws, file, gtc::cook::CookOptions::default());
            let fixture_path = expected_dir.join(format!("{stem}.json"));
            if REJECTED_BY_BOTH.contains(&stem) {
                assert!(cooked.resolved.is_none(), "{rel}: the reference rejects it");
                assert!(!fixture_path.exists(), "{rel}: rejected, yet has a fixture");
                continue;
            }
            let resolved = cooked
                .resolved
                .unwrap_or_else(|| panic!("{rel} did not cook: {:?}", cooked.diagnostics));
            let (name, mut expected) = fixture(&fixture_path);
            seen_fixtures.insert(fixture_path);
            if CONVOYS.contains(&stem) {
                assert!(expected.is_empty(), "{rel}: bd cooks a convoy to no steps");
                let f = &gtc::db::lowered(&db, file).formula;
                assert!(!f.legs.is_empty(), "{rel}: a convoy has legs");
                expected = convoy_canon(f);
            }
            assert_eq!(resolved.formula, name, "{rel}: formula name");
            let mut actual = Canon::new();
            canon_of(&resolved.steps, None, &mut actual);
            assert_same(&rel, &actual, &expected);
            compared += 1;
        }
    }
    assert_eq!(compared, 51, "every corpus formula the reference cooks");
    for project in PROJECTS {
        let dir = expected_dir.join(project);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.map(|e| e.path()).unwrap_or_default();
            assert!(
                seen_fixtures.contains(&path),
                "{}: a fixture without a corpus formula",
                path.display()
            );
        }
    }
}

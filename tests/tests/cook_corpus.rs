//! Every corpus formula cooks (compile mode), and its resolved step ids and
//! dependencies are snapshotted; the three formulas with check errors do not cook.

use gtc_e2e::{PROJECTS, borrowed, cook_listings, corpus_dir, project_sources};

const NOT_COOKED: &[&str] = &[
    "mol-digest-generate",
    "mol-orphan-scan",
    "mol-shutdown-dance",
];

#[test]
fn corpus_formulas_cook_deterministically() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let mut cooked = 0;
    // Each project's formulas form one workspace (they refer to each other by name).
    for project in PROJECTS {
        let texts = project_sources(&corpus, project);
        let sources = borrowed(&texts);
        let first = cook_listings(&sources);
        assert_eq!(first, cook_listings(&sources), "cooking is deterministic");
        for (rel, result) in first {
            let stem = rel
                .rsplit('/')
                .next()
                .and_then(|n| n.strip_suffix(".formula.toml"))
                .unwrap_or_default();
            if NOT_COOKED.contains(&stem) {
                let errors = result.expect_err("formulas with check errors are not cooked");
                assert!(
                    errors.iter().all(|e| e.starts_with("GTC013")),
                    "{rel}: {errors:?}"
                );
                continue;
            }
            let listing = result.unwrap_or_else(|e| panic!("{rel} did not cook: {e:?}"));
            cooked += 1;
            let name = rel.replace('/', "__");
            insta::with_settings!({ snapshot_path => "snapshots/cook_corpus", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(name, listing.join("\n"));
            });
        }
    }
    assert_eq!(cooked, 51);
}

/// Runtime mode over the corpus: each formula gets a value for every var without a
/// default (its first `enum` value, else `test-NAME` or a sample fitting its pattern), cooks, and keeps no `{{var}}`
/// of a declared var in any title or description.
#[test]
fn corpus_formulas_cook_in_runtime_mode() {
    use gtc::cook::{CookOptions, RStep, cook};
    use gtc::db::{Database, SourceFile, Workspace};
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let mut cooked = 0;
    for project in PROJECTS {
        let (paths, _) = gtc::driver::collect_paths(&[corpus.join(project)]);
        let db = Database::default();
        let files: Vec<SourceFile> = paths
            .iter()
            .filter_map(|p| gtc::driver::read_source(&db, p).ok())
            .collect();
        let ws = Workspace::new(&db, files.clone(), Vec::new(), Vec::new());
        for &file in &files {
            let name = file.path(&db).display().to_string();
            if NOT_COOKED.iter().any(|n| name.contains(n)) {
                continue;
            }
            // The vars to fill are the resolved ones: own and inherited.
            let compiled = cook(&db, ws, file, CookOptions::default())
                .resolved
                .unwrap_or_else(|| panic!("{name} cooks"));
            let values = compiled
                .vars
                .iter()
                .filter(|(_, v)| v.default.is_none())
                .map(|(k, v)| {
                    let mut candidates: Vec<String> = v.allowed.clone();
                    candidates.extend([
                        format!("test-{k}"),
                        "42".into(),
                        "owner/repo".into(),
                        "1.2.3".into(),
                    ]);
                    let fits = |c: &String| {
                        v.pattern
                            .as_ref()
                            .is_none_or(|p| regex::Regex::new(p).is_ok_and(|re| re.is_match(c)))
                    };
                    let value = candidates
                        .into_iter()
                        .find(fits)
                        .unwrap_or_else(|| panic!("no test value fits var `{k}`"));
                    (k.clone(), value)
                })
                .collect();
            let result = cook(
                &db,
                ws,
                file,
                CookOptions {
                    vars: Some(values),
                    ..CookOptions::default()
                },
            );
            let Some(r) = result.resolved else {
                panic!(
                    "{name} did not cook in runtime mode: {:?}",
                    result
                        .diagnostics
                        .iter()
                        .map(|d| &d.message)
                        .collect::<Vec<_>>()
                );
            };
            fn texts(steps: &[RStep], out: &mut Vec<String>) {
                for s in steps {
                    out.extend(s.title.iter().chain(s.description.iter()).cloned());
                    texts(&s.children, out);
                }
            }
            let mut all = Vec::new();
            texts(&r.steps, &mut all);
            for var in compiled.vars.keys() {
                let placeholder = format!("{{{{{var}}}}}");
                let left = all
                    .iter()
                    .filter(|t| {
                        gtc::expr::template::var_refs(t)
                            .iter()
                            .any(|r| &r.name == var)
                    })
                    .count();
                assert_eq!(
                    left, 0,
                    "{name}: {placeholder} left after runtime substitution"
                );
            }
            cooked += 1;
        }
    }
    assert_eq!(cooked, 51);
}

//! Every corpus formula cooks (compile mode), and its resolved step ids and
//! dependencies are snapshotted; the three formulas with check errors do not cook.

use gtc_e2e::{cook_listings, corpus_dir};

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
    for project in ["beads", "gastown"] {
        let dir = corpus.join(project);
        let (files, _) = gtc::driver::collect_paths(std::slice::from_ref(&dir));
        let texts: Vec<(String, String)> = files
            .iter()
            .map(|f| {
                let rel = format!("{project}/{}", f.strip_prefix(&dir).unwrap_or(f).display());
                (rel, std::fs::read_to_string(f).unwrap_or_default())
            })
            .collect();
        let sources: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
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

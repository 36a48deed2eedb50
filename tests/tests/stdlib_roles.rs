//! The village's role formulas in the stdlib (`mol-deacon-patrol`, `mol-witness-patrol`,
//! `mol-refinery-patrol`, `mol-polecat-work`), cooked in compile mode from the embedded
//! copies: a change to what the roles follow shows up here for review.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gtc::driver::{LoadOptions, cook_formula};

#[test]
fn the_role_formulas_cook_as_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LoadOptions {
        search_path: Vec::new(),
        cwd: dir.path().to_path_buf(),
        home: Some(dir.path().to_path_buf()),
    };
    for name in [
        "mol-deacon-patrol",
        "mol-witness-patrol",
        "mol-refinery-patrol",
        "mol-polecat-work",
    ] {
        let (cooked, warnings) = cook_formula(name, None, &opts).unwrap_or_else(|e| panic!("{e}"));
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        insta::assert_snapshot!(name, gtc::cook::to_json(&cooked));
    }
}

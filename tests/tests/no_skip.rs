//! The corpus tests cannot pass vacuously: under `CI` a missing `../shared/corpus` is an
//! error, not a skip.

use gtc_e2e::locate_corpus;
use std::path::PathBuf;

#[test]
fn a_missing_corpus_fails_under_ci_and_skips_otherwise() {
    let missing = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("no-such-corpus-dir");
    let err = locate_corpus(missing.clone(), true).expect_err("CI cannot skip");
    assert!(err.contains("no-such-corpus-dir"), "{err}");
    assert!(err.contains("CI is set"), "{err}");
    assert_eq!(locate_corpus(missing, false), Ok(None));
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(locate_corpus(here.clone(), true), Ok(Some(here)));
}

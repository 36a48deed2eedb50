//! The embedded standard library checks clean, and every file of `stdlib-formulas/`
//! is embedded (none forgotten in `source/search_path.rs`).

use gtc::source::STDLIB;
use gtc_e2e::{check, diagnostic_lines};

#[test]
fn every_stdlib_formula_checks_clean() {
    let sources: Vec<(&str, &str)> = STDLIB.iter().map(|(n, t)| (*n, *t)).collect();
    let got = diagnostic_lines(&check(&sources));
    assert!(got.is_empty(), "{got:#?}");
}

#[test]
fn every_file_in_stdlib_formulas_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib-formulas");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.retain(|n| n.contains(".formula."));
    on_disk.sort();
    let mut embedded: Vec<String> = STDLIB.iter().map(|(n, _)| (*n).to_owned()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

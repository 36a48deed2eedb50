//! Every formula of `../shared/corpus` checks with zero errors, except the three
//! that the reference tool rejects for a var both `required` and with a `default`:
//! each of those gets exactly that error, at the var.

use gtc::db::Database;
use gtc::diagnostic::{Code, Severity};
use gtc::driver::{LoadOptions, collect_paths, load, report};
use gtc::source::SearchEnv;
use gtc_e2e::corpus_dir;

const REQUIRED_WITH_DEFAULT: &[(&str, &str, u32)] = &[
    ("mol-digest-generate.formula.toml", "period", 224),
    ("mol-orphan-scan.formula.toml", "scope", 323),
    ("mol-shutdown-dance.formula.toml", "requester", 516),
];

#[test]
fn corpus_checks_clean_but_for_the_three_known_errors() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let (files, problems) = collect_paths(&[corpus]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(files.len(), 54, "the corpus has 54 formulas");
    let db = Database::default();
    let loaded = load(&db, &files, &LoadOptions::default(), &SearchEnv::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let ws = loaded.workspace;
    let report = report(&db, ws);
    let mut seen = Vec::new();
    for d in report.diagnostics() {
        if d.diagnostic.severity != Severity::Error {
            continue;
        }
        let name = d
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let expected = REQUIRED_WITH_DEFAULT.iter().find(|(f, _, _)| *f == name);
        let Some((_, var, line)) = expected else {
            panic!(
                "unexpected error in {name}: {} {} at {}:{}",
                d.diagnostic.code, d.diagnostic.message, d.start.line, d.start.column
            );
        };
        assert_eq!(d.diagnostic.code, Code::RequiredWithDefault, "{name}");
        assert!(
            d.diagnostic.message.contains(&format!("`{var}`")),
            "{}",
            d.diagnostic.message
        );
        assert_eq!(d.start.line, *line, "{name}: the error points at the var");
        seen.push(name);
    }
    seen.sort();
    let mut want: Vec<String> = REQUIRED_WITH_DEFAULT
        .iter()
        .map(|(f, _, _)| f.to_string())
        .collect();
    want.sort();
    assert_eq!(seen, want, "each of the three gets exactly one error");
}

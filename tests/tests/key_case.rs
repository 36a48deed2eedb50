//! Keys spelled in another case (`Depends_On`, `ID`): the reference engines' decoders match
//! keys case-insensitively, so these are honoured here too, with a warning (GTC035) naming
//! the canonical spelling and a machine-applicable fix. Exceptions follow the reference:
//! the keys of a TOML `[vars.NAME]` table are matched exactly.

use gtc::diagnostic::{Code, render_json};
use gtc_e2e::{check, cook_listing, diagnostic_lines, render_plain};

const TOML: &str = r#"formula = "cased"

[[steps]]
id = "build"
Title = "Build"

[[steps]]
ID = "ship"
title = "Ship"
"Depends_On" = ["build"]
"#;

#[test]
fn toml_case_variants_are_honoured_with_a_warning_and_a_fix() {
    let report = check(&[("cased.formula.toml", TOML)]);
    assert_eq!(
        diagnostic_lines(&report),
        [
            "cased.formula.toml:5:1 warning GTC035 key `Title` is read as `title`",
            "cased.formula.toml:8:1 warning GTC035 key `ID` is read as `id`",
            "cased.formula.toml:10:1 warning GTC035 key `Depends_On` is read as `depends_on`",
        ]
    );
    insta::assert_snapshot!("key_case_toml_human", render_plain(&report));
    insta::assert_snapshot!("key_case_toml_json", render_json(&report));
    // SARIF carries the same fix: a replacement of the key's region.
    let sarif: serde_json::Value = serde_json::from_str(&gtc::diagnostic::render_sarif(&report))
        .unwrap_or_else(|e| panic!("{e}"));
    let fix = &sarif["runs"][0]["results"][2]["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "rename `Depends_On` to `depends_on`"
    );
    let replacement = &fix["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "depends_on");
    assert_eq!(replacement["deletedRegion"]["startLine"], 10);
    assert_eq!(replacement["deletedRegion"]["startColumn"], 2);
    assert_eq!(replacement["deletedRegion"]["endColumn"], 12);
    // The values are kept: the dependency is not lost.
    assert_eq!(
        cook_listing(&[("cased.formula.toml", TOML)]),
        Ok(vec![String::from("build"), String::from("ship <- build")])
    );
}

#[test]
fn applying_the_fixes_gives_a_clean_formula() {
    let report = check(&[("cased.formula.toml", TOML)]);
    let mut edits: Vec<(gtc::source::Span, String)> = report
        .diagnostics()
        .filter_map(|d| d.diagnostic.fixes.first().cloned())
        .flat_map(|f| f.edits)
        .collect();
    assert_eq!(edits.len(), 3);
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start()));
    let mut fixed = TOML.to_owned();
    for (span, text) in edits {
        fixed.replace_range(span.range(), &text);
    }
    assert!(fixed.contains("\"depends_on\" = [\"build\"]"), "{fixed}");
    assert!(
        check(&[("cased.formula.toml", &fixed)])
            .diagnostics()
            .next()
            .is_none()
    );
}

#[test]
fn json_and_yaml_variants_are_honoured_in_var_tables_too() {
    let json = r#"{
  "formula": "cased",
  "vars": {"who": {"Default": "me"}},
  "steps": [
    {"id": "a", "title": "A {{who}}"},
    {"Id": "b", "title": "B", "NEEDS": ["a"]}
  ]
}
"#;
    let report = check(&[("cased.formula.json", json)]);
    assert_eq!(
        diagnostic_lines(&report),
        [
            "cased.formula.json:3:20 warning GTC035 key `Default` is read as `default`",
            "cased.formula.json:6:6 warning GTC035 key `Id` is read as `id`",
            "cased.formula.json:6:31 warning GTC035 key `NEEDS` is read as `needs`",
        ]
    );
    // The fix keeps the JSON quotes: only the text inside them is replaced.
    let fix = report
        .diagnostics()
        .find_map(|d| d.diagnostic.fixes.first().cloned())
        .unwrap_or_else(|| panic!("a fix"));
    assert_eq!(fix.edits.len(), 1);
    assert_eq!(&json[fix.edits[0].0.range()], "Default");
    assert_eq!(fix.edits[0].1, "default");
    assert_eq!(
        cook_listing(&[("cased.formula.json", json)]),
        Ok(vec![String::from("a"), String::from("b <- a")])
    );

    let yaml = "formula: cased\nsteps:\n  - id: a\n    title: A\n  - id: b\n    Title: B\n    Needs: [a]\n";
    assert_eq!(
        diagnostic_lines(&check(&[("cased.formula.yaml", yaml)])),
        [
            "cased.formula.yaml:6:5 warning GTC035 key `Title` is read as `title`",
            "cased.formula.yaml:7:5 warning GTC035 key `Needs` is read as `needs`",
        ]
    );
}

#[test]
fn toml_var_tables_match_keys_exactly_like_the_reference() {
    // beads' TOML var decoder reads `default` with an exact match: `Default` is ignored
    // there, so it is an unknown key here (and the var has no default).
    let toml = "formula = \"v\"\n\n[vars.who]\nDefault = \"me\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A {{who}}\"\n";
    let report = check(&[("v.formula.toml", toml)]);
    let lines = diagnostic_lines(&report);
    assert_eq!(
        lines,
        ["v.formula.toml:4:1 warning GTC002 unknown key `Default` in a var"],
        "{lines:?}"
    );
    let d = report
        .diagnostics()
        .next()
        .unwrap_or_else(|| panic!("one diagnostic"));
    assert_eq!(d.diagnostic.code, Code::UnknownKey);
    assert!(
        d.diagnostic
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`default`") && h.contains("exactly")),
        "{:?}",
        d.diagnostic.help
    );
}

#[test]
fn a_key_set_in_two_spellings_is_an_error() {
    let toml = "formula = \"twice\"\n\n[[steps]]\nid = \"a\"\nID = \"b\"\ntitle = \"A\"\n";
    assert_eq!(
        diagnostic_lines(&check(&[("twice.formula.toml", toml)])),
        ["twice.formula.toml:5:1 error GTC029 `ID` and `id` both set `id`"]
    );
}

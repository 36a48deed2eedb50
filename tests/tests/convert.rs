//! `gtc convert`: every corpus formula, and every valid fixture, goes TOML -> JSON ->
//! TOML and TOML -> YAML -> TOML (and JSON/YAML fixtures through the other formats)
//! and reads back as the same model; the converted files check like the original.

use gtc::syntax::emit::{Plain, emit};
use gtc::syntax::{Format, parse};
use gtc_e2e::{check, corpus_dir, diagnostic_lines, fixtures_dir};

fn round_trip(name: &str, text: &str, from: Format) {
    let original = parse(text, from);
    assert!(original.errors.is_empty(), "{name}: {:?}", original.errors);
    let model = Plain::of(&original.root).normalized();
    for to in [Format::Toml, Format::Json, Format::Yaml] {
        let there = emit(&original.root, to).unwrap_or_else(|e| panic!("{name} -> {to:?}: {e:?}"));
        let parsed = parse(&there, to);
        assert!(
            parsed.errors.is_empty(),
            "{name} -> {to:?} does not parse: {:?}\n{there}",
            parsed.errors
        );
        assert_eq!(
            Plain::of(&parsed.root).normalized(),
            model,
            "{name} -> {to:?} changed the model:\n{there}"
        );
        let back =
            emit(&parsed.root, from).unwrap_or_else(|e| panic!("{name} -> {to:?} -> back: {e:?}"));
        let reparsed = parse(&back, from);
        assert_eq!(
            Plain::of(&reparsed.root).normalized(),
            model,
            "{name} -> {to:?} -> {from:?} changed the model"
        );
        // Writing is deterministic and stable: converting the converted file again changes nothing.
        assert_eq!(
            emit(&parsed.root, to).ok(),
            Some(there.clone()),
            "{name} -> {to:?} is not stable"
        );
    }
}

#[test]
fn corpus_formulas_round_trip_through_every_format() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let (files, _) = gtc::driver::collect_paths(&[corpus]);
    assert_eq!(files.len(), 54);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        round_trip(&f.display().to_string(), &text, Format::Toml);
    }
}

#[test]
fn valid_fixtures_round_trip_and_check_the_same() {
    let root = fixtures_dir().join("traps");
    let (files, _) = gtc::driver::collect_paths(&[root]);
    assert!(files.len() > 10);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let from = Format::from_path(&f).unwrap_or(Format::Toml);
        let name = f.display().to_string();
        round_trip(&name, &text, from);
        // A single-file trap checks clean, before and after conversion.
        if f.parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "traps")
        {
            let tree = parse(&text, from);
            for to in [Format::Toml, Format::Json, Format::Yaml] {
                let Ok(converted) = emit(&tree.root, to) else {
                    continue;
                };
                let ext = match to {
                    Format::Toml => "toml",
                    Format::Json => "json",
                    Format::Yaml => "yaml",
                };
                let path = format!("converted.formula.{ext}");
                let got = diagnostic_lines(&check(&[(path.as_str(), converted.as_str())]));
                assert!(got.is_empty(), "{name} as {ext}: {got:?}\n{converted}");
            }
        }
    }
}

#[test]
fn awkward_strings_survive() {
    let text = "formula = \"f\"\ndescription = \"\"\"\n  indented first line\nwith \"quotes\" and \\\\ backslash\n\ttab\n\n\"\"\"\ntitle = \"yes\"\nother = \"1.5\"\nnumber = 1.5\nbig = 1e300\nkey-with-dash = \"a: b # c\"\n\"quoted key\" = \"{{var}}\"\nempty = \"\"\nlist = []\ntable = {}\n";
    round_trip("awkward", text, Format::Toml);
}

#[test]
fn null_cannot_become_toml() {
    let tree = parse("formula: f\nx: ~\n", Format::Yaml);
    let e = emit(&tree.root, Format::Toml).expect_err("TOML has no null");
    assert!(e.message.contains("no null"));
}

//! Every fix `gtc check` offers repairs what it says and breaks nothing: for every seeded
//! fixture (and cases in each format below), each fix of each diagnostic is applied to the
//! text and the file checked again: the diagnostic is gone, and no syntax error, wrong
//! type or other new error appears.

use gtc::diagnostic::{Code, Fix, Report, Severity};
use gtc_e2e::{check, fixtures_dir};

fn apply(text: &str, fix: &Fix) -> String {
    let mut out = text.to_owned();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start()));
    for (span, new) in edits {
        out.replace_range(span.range(), &new);
    }
    out
}

/// (code, message) of each diagnostic of the last file.
fn found(report: &Report) -> Vec<(Code, Severity, String)> {
    report
        .files
        .last()
        .map(|f| {
            f.diagnostics
                .iter()
                .map(|d| {
                    (
                        d.diagnostic.code,
                        d.diagnostic.severity,
                        d.diagnostic.message.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Apply each fix of each diagnostic of the last of `sources` and check the result;
/// returns the fixes seen, as `CODE: message`.
fn check_fixes(sources: &[(&str, &str)]) -> Vec<String> {
    let Some(&(path, text)) = sources.last() else {
        return Vec::new();
    };
    let report = check(sources);
    let before = found(&report);
    let mut seen = Vec::new();
    let Some(file) = report.files.last() else {
        return seen;
    };
    for d in &file.diagnostics {
        for fix in &d.diagnostic.fixes {
            seen.push(format!("{}: {}", d.diagnostic.code, fix.message));
            let fixed = apply(text, fix);
            let mut others: Vec<(&str, &str)> = sources[..sources.len() - 1].to_vec();
            others.push((path, &fixed));
            let after = found(&check(&others));
            let what = format!(
                "{path}: `{}` for {} {}\n{fixed}",
                fix.message, d.diagnostic.code, d.diagnostic.message
            );
            let key = (
                d.diagnostic.code,
                d.diagnostic.severity,
                d.diagnostic.message.clone(),
            );
            let count = |v: &[(Code, Severity, String)]| v.iter().filter(|x| **x == key).count();
            assert!(
                count(&after) < count(&before),
                "the diagnostic stays: {what}\n{after:?}"
            );
            for a in after.iter().filter(|a| !before.contains(a)) {
                assert!(
                    !matches!(a.0, Code::Syntax | Code::WrongType | Code::UnknownKey)
                        && a.1 != Severity::Error,
                    "new {a:?} after {what}"
                );
            }
        }
    }
    seen
}

#[test]
fn every_fix_of_the_seeded_fixtures_repairs_its_diagnostic() {
    let dir = fixtures_dir().join("seeded");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.contains(".formula."))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut fixes = 0;
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        fixes += check_fixes(&[(name.as_str(), text.as_str())]).len();
    }
    assert!(fixes >= 30, "{fixes} fixes among {} fixtures", names.len());
}

#[test]
fn fixes_in_each_format() {
    let toml = "formula = \"a\"\n\n[vars.unused]\ndefault = \"x\"\n\n[vars.name]\ndefault = \"x\"\nenum = [\"x\", \"yes\"]\n\n[[steps]]\nid = \"build\"\ntitel = \"B\"\ndescription = \"{{nme}} {{fresh}}\"\n\n[[steps]]\nid = \"t\"\ntitle = \"T {{name}}\"\nneeds = [\"biuld\"]\nwaits_for = \"children-of(biuld)\"\n[steps.gate]\ntype = \"humna\"\n";
    assert_eq!(
        check_fixes(&[("a.formula.toml", toml)]),
        [
            "GTC012: remove the declaration of `unused`",
            "GTC002: rename `titel` to `title`",
            "GTC011: change `nme` to `name`",
            "GTC011: declare `nme` in `vars`",
            "GTC011: declare `fresh` in `vars`",
            "GTC006: change `biuld` to `build`",
            "GTC006: change `biuld` to `build`",
            "GTC023: change `humna` to `human`",
        ]
    );
    let json = "{\n  \"formula\": \"a\",\n  \"type\": \"workfow\",\n  \"vars\": {\n    \"unused\": {\"default\": \"x\"}\n  },\n  \"steps\": [\n    {\"id\": \"build\", \"title\": \"B {{who}}\"},\n    {\"id\": \"t\", \"title\": \"T\", \"depends_on\": [\"biuld\"]}\n  ]\n}\n";
    assert_eq!(
        check_fixes(&[("a.formula.json", json)]),
        [
            "GTC021: change `workfow` to `workflow`",
            "GTC012: remove the declaration of `unused`",
            "GTC011: declare `who` in `vars`",
            "GTC006: change `biuld` to `build`",
        ]
    );
    let yaml = "formula: a\nsteps:\n  - id: build\n    title: \"B {{who}}\"\n  - id: t\n    title: T\n    Needs: [biuld]\n";
    assert_eq!(
        check_fixes(&[("a.formula.yaml", yaml)]),
        [
            "GTC011: declare `who` in `vars`",
            "GTC035: rename `Needs` to `needs`",
            "GTC006: change `biuld` to `build`",
        ]
    );
    let parent = "formula = \"base\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n";
    let expansion = "formula = \"exp-build\"\ntype = \"expansion\"\n[[template]]\nid = \"{target}.b\"\ntitle = \"B\"\n";
    let child = "formula = \"c\"\nextends = [\"bsae\"]\n[[steps]]\nid = \"y\"\ntitle = \"Y\"\nexpand = \"exp-biuld\"\n";
    assert_eq!(
        check_fixes(&[
            ("base.formula.toml", parent),
            ("exp-build.formula.toml", expansion),
            ("c.formula.toml", child)
        ]),
        [
            "GTC008: change `bsae` to `base`",
            "GTC008: change `exp-biuld` to `exp-build`",
        ]
    );
}

/// No fix where applying it could not be right: a respelling into a key the table
/// already has, a value spelt with escapes, a suggestion that needs quoting.
#[test]
fn no_fix_where_it_would_be_wrong() {
    let dup = "formula = \"a\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\ntitel = \"Y\"\n";
    assert!(check_fixes(&[("a.formula.toml", dup)]).is_empty());
    let escaped = "formula = \"a\"\n[[steps]]\nid = \"build\"\ntitle = \"B\"\n[[steps]]\nid = \"t\"\ntitle = \"T\"\nneeds = [\"biul\\u0064x\"]\n";
    assert!(check_fixes(&[("a.formula.toml", escaped)]).is_empty());
}

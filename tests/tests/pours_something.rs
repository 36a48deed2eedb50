//! Nothing pours to nothing: a convoy cooks into its legs (parallel) and a synthesis step
//! that needs them; a standalone expansion poured on its own (runtime mode) materialises
//! its template against the target `main` (spec §3.1 step 9); anything else that cooks to
//! no steps is a warning (GTC036) when checked.

use gtc::cook::{CookOptions, RStep, cook};
use gtc_e2e::{check, corpus_dir, diagnostic_lines, project_sources};
use std::collections::BTreeMap;

/// `id <- needs: title` lines of the cooked last source, compile mode or runtime (`Some`).
fn listing(sources: &[(&str, &str)], vars: Option<&[(&str, &str)]>) -> Vec<String> {
    let db = gtc::db::Database::default();
    let ws = gtc::driver::memory_workspace(&db, sources);
    let file = *ws.files(&db).last().unwrap_or_else(|| panic!("no sources"));
    let opts = CookOptions {
        vars: vars.map(|v| {
            v.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>()
        }),
        ..CookOptions::default()
    };
    let c = cook(&db, ws, file, opts);
    let r = c
        .resolved
        .unwrap_or_else(|| panic!("did not cook: {:?}", c.diagnostics));
    fn walk(steps: &[RStep], out: &mut Vec<String>) {
        for s in steps {
            let needs = if s.needs.is_empty() {
                String::new()
            } else {
                format!(" <- {}", s.needs.join(", "))
            };
            out.push(format!(
                "{}{needs}: {}",
                s.id,
                s.title.as_deref().unwrap_or("")
            ));
            walk(&s.children, out);
        }
    }
    let mut out = Vec::new();
    walk(&r.steps, &mut out);
    out
}

const CONVOY: &str = r#"formula = "review"
type = "convoy"

[[legs]]
id = "correctness"
title = "Correctness"
focus = "Is it right?"

[[legs]]
id = "style"
title = "Style"

[[legs]]
id = "security"
title = "Security"

[synthesis]
title = "Synthesis"
depends_on = ["correctness", "security"]
"#;

#[test]
fn a_convoy_cooks_into_parallel_legs_and_a_synthesis() {
    let expected = [
        "correctness: Correctness",
        "style: Style",
        "security: Security",
        "synthesis <- correctness, security: Synthesis",
    ];
    assert_eq!(listing(&[("review.formula.toml", CONVOY)], None), expected);
    assert_eq!(
        listing(&[("review.formula.toml", CONVOY)], Some(&[])),
        expected
    );
    // Without depends_on the synthesis needs every leg; an `id` names it; type inferred.
    let all = CONVOY.replace("type = \"convoy\"\n", "").replace(
        "depends_on = [\"correctness\", \"security\"]\n",
        "id = \"verdict\"\n",
    );
    assert_eq!(
        listing(&[("review.formula.toml", &all)], None),
        [
            "correctness: Correctness",
            "style: Style",
            "security: Security",
            "verdict <- correctness, style, security: Synthesis",
        ]
    );
    // A convoy without synthesis is its legs.
    let legs_only = &CONVOY[..CONVOY.find("[synthesis]").unwrap_or(CONVOY.len())];
    assert_eq!(
        listing(&[("review.formula.toml", legs_only)], None),
        [
            "correctness: Correctness",
            "style: Style",
            "security: Security"
        ]
    );
    assert!(
        check(&[("review.formula.toml", CONVOY)])
            .diagnostics()
            .next()
            .is_none()
    );
}

#[test]
fn a_synthesis_id_that_collides_with_a_leg_is_reported() {
    let clash = CONVOY.replace("[synthesis]\n", "[synthesis]\nid = \"style\"\n");
    let lines = diagnostic_lines(&check(&[("review.formula.toml", &clash)]));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("error GTC005") && l.contains("`style`")),
        "{lines:?}"
    );
}

const EXPANSION: &str = r#"formula = "exp-review"
type = "expansion"
description = "Review something"

[vars.depth]
default = "light"

[vars.who]
default = "me"

[[template]]
id = "{target}.draft"
title = "Draft {target.title} ({depth}) for {{who}}"

[[template]]
id = "{target}.check"
title = "Check {target.description}"
needs = ["{target}.draft"]
"#;

#[test]
fn a_standalone_expansion_materialises_its_template_when_poured() {
    let src = [("exp-review.formula.toml", EXPANSION)];
    // Compile mode prints what the reference prints: the template, no steps.
    assert!(listing(&src, None).is_empty());
    assert_eq!(
        listing(&src, Some(&[("depth", "deep")])),
        [
            "main.draft: Draft exp-review (deep) for me",
            "main.check <- main.draft: Check Review something",
        ]
    );
    // Checking an expansion formula does not warn that it cooks to nothing.
    assert!(check(&src).diagnostics().next().is_none());
}

#[test]
fn formulas_that_cook_to_no_steps_are_a_warning() {
    let cases = [
        (
            "empty.formula.toml",
            "formula = \"empty\"\ndescription = \"nothing yet\"\n",
            "empty.formula.toml:1:11 warning GTC036 `empty` cooks to no steps: pouring it makes an empty molecule",
        ),
        (
            "hollow.formula.toml",
            "formula = \"hollow\"\nextends = [\"empty\"]\n",
            "hollow.formula.toml:1:11 warning GTC036 `hollow` cooks to no steps: pouring it makes an empty molecule",
        ),
    ];
    let sources: Vec<(&str, &str)> = cases.iter().map(|(p, t, _)| (*p, *t)).collect();
    let lines = diagnostic_lines(&check(&sources));
    let expected: Vec<&str> = cases.iter().map(|(_, _, l)| *l).collect();
    assert_eq!(lines, expected);
    // An aspect is applied by other formulas, never poured: no warning.
    let aspect = "formula = \"audit\"\ntype = \"aspect\"\n\n[[advice]]\ntarget = \"*\"\n[advice.after]\nid = \"audit-{step.id}\"\n";
    assert!(
        check(&[("audit.formula.toml", aspect)])
            .diagnostics()
            .next()
            .is_none()
    );
}

#[test]
fn no_corpus_formula_cooks_to_no_steps() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    for project in ["beads", "gastown"] {
        let texts = project_sources(&corpus, project);
        let sources: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let lines = diagnostic_lines(&check(&sources));
        let empty: Vec<&String> = lines.iter().filter(|l| l.contains("GTC036")).collect();
        assert!(empty.is_empty(), "{empty:?}");
    }
}

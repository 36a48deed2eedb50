//! Nothing pours to nothing: a convoy cooks into its legs (parallel) and a synthesis step
//! that needs them; a standalone expansion poured on its own (runtime mode) materialises
//! its template against the target `main` (spec §3.1 step 9); anything else that cooks to
//! no steps is a warning (GTC036) when checked.

use gtc_e2e::{
    PROJECTS, borrowed, check, cook_last, corpus_dir, diagnostic_lines, project_sources, titled,
};

/// `id <- needs: title` lines of the cooked last source, compile mode or runtime (`Some`).
fn listing(sources: &[(&str, &str)], vars: Option<&[(&str, &str)]>) -> Vec<String> {
    match cook_last(sources, vars) {
        Ok(r) => titled(&r.steps),
        Err(e) => panic!("did not cook: {e:?}"),
    }
}

const CONVOY: &str = include_str!("../fixtures/formulas/review.formula.toml");

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

const EXPANSION: &str = include_str!("../fixtures/formulas/exp-review.formula.toml");

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
    for project in PROJECTS {
        let texts = project_sources(&corpus, project);
        let lines = diagnostic_lines(&check(&borrowed(&texts)));
        let empty: Vec<&String> = lines.iter().filter(|l| l.contains("GTC036")).collect();
        assert!(empty.is_empty(), "{empty:?}");
    }
}

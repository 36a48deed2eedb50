//! Checks that need several formulas at once: inheritance through `extends`,
//! duplicates between parents, cycles across files, and formula kinds.

use gtc_e2e::{check, diagnostic_lines};

fn lines(sources: &[(&str, &str)]) -> Vec<String> {
    diagnostic_lines(&check(sources))
}

#[test]
fn two_parents_defining_one_step_id_is_a_duplicate() {
    let got = lines(&[
        (
            "a.formula.toml",
            "formula = \"a\"\n[[steps]]\nid = \"test\"\ntitle = \"A test\"\n",
        ),
        (
            "b.formula.toml",
            "formula = \"b\"\n[[steps]]\nid = \"test\"\ntitle = \"B test\"\n",
        ),
        (
            "c.formula.toml",
            "formula = \"c\"\nextends = [\"a\", \"b\"]\n[[steps]]\nid = \"x\"\ntitle = \"X\"\nneeds = [\"test\"]\n",
        ),
    ]);
    assert_eq!(
        got,
        ["c.formula.toml:2:17 error GTC005 step `test` is inherited from both `a` and `b`"]
    );
}

#[test]
fn a_diamond_brings_the_grandparents_steps_twice() {
    let got = lines(&[
        (
            "gp.formula.toml",
            "formula = \"gp\"\n[[steps]]\nid = \"setup\"\ntitle = \"S\"\n",
        ),
        ("l.formula.toml", "formula = \"l\"\nextends = [\"gp\"]\n"),
        ("r.formula.toml", "formula = \"r\"\nextends = [\"gp\"]\n"),
        (
            "d.formula.toml",
            "formula = \"d\"\nextends = [\"l\", \"r\"]\n",
        ),
    ]);
    assert_eq!(
        got,
        ["d.formula.toml:2:17 error GTC005 step `setup` is inherited from both `l` and `r`"]
    );
}

#[test]
fn a_child_overriding_a_parent_step_is_not_a_duplicate() {
    let got = lines(&[
        (
            "p.formula.toml",
            "formula = \"p\"\n[vars.who]\ndefault = \"me\"\n[[steps]]\nid = \"a\"\ntitle = \"A {{who}}\"\n",
        ),
        (
            "c.formula.toml",
            "formula = \"c\"\nextends = [\"p\"]\n[[steps]]\nid = \"a\"\ntitle = \"Better A for {{who}}\"\n",
        ),
    ]);
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn extends_cycles_are_reported_with_their_path() {
    let got = lines(&[
        (
            "x.formula.toml",
            "formula = \"x\"\nextends = [\"y\"]\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n",
        ),
        ("y.formula.toml", "formula = \"y\"\nextends = [\"z\"]\n"),
        ("z.formula.toml", "formula = \"z\"\nextends = [\"x\"]\n"),
    ]);
    assert!(
        got.contains(
            &"x.formula.toml:2:12 error GTC009 circular extends: x -> y -> z -> x".to_owned()
        ),
        "{got:?}"
    );
    assert_eq!(
        got.iter().filter(|l| l.contains("GTC009")).count(),
        3,
        "each file in the cycle is told: {got:?}"
    );
}

#[test]
fn unknown_parents_suggest_a_near_name() {
    let got = lines(&[
        (
            "base.formula.toml",
            "formula = \"base\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n",
        ),
        ("c.formula.toml", "formula = \"c\"\nextends = [\"bsae\"]\n"),
    ]);
    assert_eq!(
        got,
        ["c.formula.toml:2:12 error GTC008 extends unknown formula `bsae`"]
    );
    let report = check(&[
        (
            "base.formula.toml",
            "formula = \"base\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n",
        ),
        ("c.formula.toml", "formula = \"c\"\nextends = [\"bsae\"]\n"),
    ]);
    let help = report
        .diagnostics()
        .find_map(|d| d.diagnostic.help.clone())
        .unwrap_or_default();
    assert!(help.starts_with("did you mean `base`?"), "{help}");
}

#[test]
fn expansions_and_aspects_must_be_of_their_kind() {
    let got = lines(&[
        (
            "w.formula.toml",
            "formula = \"w\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n",
        ),
        (
            "u.formula.toml",
            "formula = \"u\"\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nexpand = \"w\"\n[compose]\naspects = [\"w\", \"exp-tdd\"]\n",
        ),
    ]);
    assert_eq!(
        got,
        [
            "u.formula.toml:5:10 error GTC025 step `expand` needs an expansion formula, but `w` is a workflow formula",
            "u.formula.toml:7:12 error GTC025 `compose.aspects` needs an aspect formula, but `w` is a workflow formula",
            "u.formula.toml:7:17 error GTC025 `compose.aspects` needs an aspect formula, but `exp-tdd` is an expansion formula",
        ]
    );
}

#[test]
fn checked_files_shadow_the_stdlib() {
    // A checked file named like a stdlib formula wins over it.
    let got = lines(&[
        (
            "exp-tdd.formula.toml",
            "formula = \"exp-tdd\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n",
        ),
        (
            "u.formula.toml",
            "formula = \"u\"\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nexpand = \"exp-tdd\"\n",
        ),
    ]);
    assert_eq!(
        got,
        [
            "u.formula.toml:5:10 error GTC025 step `expand` needs an expansion formula, but `exp-tdd` is a workflow formula"
        ]
    );
}

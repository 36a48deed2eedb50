//! Focused cooking cases, one per construct: the exact resulting step ids and dependencies.

use gtc_e2e::cook_listing;

fn cook(sources: &[(&str, &str)]) -> Vec<String> {
    cook_listing(sources).unwrap_or_else(|e| panic!("cook failed: {e:?}"))
}

fn cook_err(sources: &[(&str, &str)]) -> Vec<String> {
    match cook_listing(sources) {
        Ok(l) => panic!("expected an error, cooked {l:?}"),
        Err(e) => e,
    }
}

#[test]
fn extends_overrides_in_place_and_appends() {
    let parent = "formula = \"p\"\n[vars.a]\ndefault = \"1\"\n[[steps]]\nid = \"one\"\ntitle = \"One {{a}}\"\n[[steps]]\nid = \"two\"\ntitle = \"Two\"\nneeds = [\"one\"]\n";
    let child = "formula = \"c\"\nextends = [\"p\"]\n[[steps]]\nid = \"one\"\ntitle = \"Better one\"\n[[steps]]\nid = \"three\"\ntitle = \"Three\"\nneeds = [\"two\"]\n";
    assert_eq!(
        cook(&[("p.formula.toml", parent), ("c.formula.toml", child)]),
        ["one", "two <- one", "three <- two"]
    );
}

#[test]
fn count_loops_chain_iterations_and_rewrite_local_needs() {
    let f = "formula = \"l\"\n[[steps]]\nid = \"start\"\ntitle = \"S\"\n[[steps]]\nid = \"rep\"\ntitle = \"R\"\n[steps.loop]\ncount = 3\n[[steps.loop.body]]\nid = \"a\"\ntitle = \"A\"\nneeds = [\"start\"]\n[[steps.loop.body]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"a\"]\n";
    assert_eq!(
        cook(&[("l.formula.toml", f)]),
        [
            "start",
            "rep.iter1.a <- start",
            "rep.iter1.b <- rep.iter1.a",
            "rep.iter2.a <- start, rep.iter1.b",
            "rep.iter2.b <- rep.iter2.a",
            "rep.iter3.a <- start, rep.iter2.b",
            "rep.iter3.b <- rep.iter3.a",
        ]
    );
}

#[test]
fn range_loops_substitute_their_var_and_read_var_defaults() {
    let f = "formula = \"r\"\n[vars.disks]\ndefault = \"2\"\n[[steps]]\nid = \"moves\"\ntitle = \"M\"\n[steps.loop]\nrange = \"1..2^{disks}-1\"\nvar = \"n\"\n[[steps.loop.body]]\nid = \"move\"\ntitle = \"Move {n}\"\n";
    assert_eq!(
        cook(&[("r.formula.toml", f)]),
        [
            "moves.iter1.move",
            "moves.iter2.move <- moves.iter1.move",
            "moves.iter3.move <- moves.iter2.move"
        ]
    );
}

#[test]
fn until_loops_expand_once_with_a_loop_label() {
    let f = "formula = \"u\"\n[[steps]]\nid = \"poll\"\ntitle = \"P\"\n[steps.loop]\nuntil = \"check.status == 'complete'\"\nmax = 5\n[[steps.loop.body]]\nid = \"check\"\ntitle = \"C\"\n";
    assert_eq!(
        cook(&[("u.formula.toml", f)]),
        [r#"poll.iter1.check [loop:{"max":5,"until":"check.status == 'complete'"}]"#]
    );
}

#[test]
fn branch_forks_and_joins_and_gate_rules_label_their_step() {
    let f = "formula = \"b\"\n[[steps]]\nid = \"plan\"\ntitle = \"P\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n[[steps]]\nid = \"y\"\ntitle = \"Y\"\n[[steps]]\nid = \"merge\"\ntitle = \"M\"\n[[compose.branch]]\nfrom = \"plan\"\nsteps = [\"x\", \"y\"]\njoin = \"merge\"\n[[compose.gate]]\nbefore = \"merge\"\ncondition = \"x.status == 'complete'\"\n";
    assert_eq!(
        cook(&[("b.formula.toml", f)]),
        [
            "plan",
            "x <- plan",
            "y <- plan",
            r#"merge <- x, y [gate:{"condition":"x.status == 'complete'"}]"#
        ]
    );
}

#[test]
fn advice_inserts_before_and_after_matching_steps() {
    let f = "formula = \"a\"\n[[steps]]\nid = \"build\"\ntitle = \"Build\"\n[[steps]]\nid = \"deploy\"\ntitle = \"Deploy\"\nneeds = [\"build\"]\n[[advice]]\ntarget = \"deploy\"\n[advice.around]\n[[advice.around.before]]\nid = \"{step.id}-check\"\ntitle = \"Check {step.title}\"\n[[advice.around.before]]\nid = \"{step.id}-approve\"\n[[advice.around.after]]\nid = \"{step.id}-verify\"\n";
    assert_eq!(
        cook(&[("a.formula.toml", f)]),
        [
            "build",
            "deploy-check",
            "deploy-approve <- deploy-check",
            "deploy <- build, deploy-approve",
            "deploy-verify <- deploy",
        ]
    );
}

#[test]
fn compose_expand_replaces_the_target_and_rewires_dependents() {
    let f = "formula = \"e\"\n[[steps]]\nid = \"design\"\ntitle = \"D\"\n[[steps]]\nid = \"feature\"\ntitle = \"F\"\nneeds = [\"design\"]\n[[steps]]\nid = \"ship\"\ntitle = \"S\"\nneeds = [\"feature\"]\n[[compose.expand]]\ntarget = \"feature\"\nwith = \"exp-tdd\"\n";
    assert_eq!(
        cook(&[("e.formula.toml", f)]),
        [
            "design",
            "feature.red <- design",
            "feature.green <- feature.red",
            "feature.refactor <- feature.green",
            "ship <- feature.refactor",
        ]
    );
}

#[test]
fn inline_expand_keeps_dependents_on_the_replaced_id_like_the_reference() {
    let f = "formula = \"i\"\n[[steps]]\nid = \"feature\"\ntitle = \"F\"\nexpand = \"exp-tdd\"\n[[steps]]\nid = \"ship\"\ntitle = \"S\"\nneeds = [\"feature\"]\n";
    assert_eq!(
        cook(&[("i.formula.toml", f)]),
        [
            "feature.red",
            "feature.green <- feature.red",
            "feature.refactor <- feature.green",
            "ship <- feature"
        ]
    );
}

#[test]
fn map_expands_every_matching_step_in_tree_order() {
    let f = "formula = \"m\"\n[[steps]]\nid = \"impl-a\"\ntitle = \"A\"\n[[steps]]\nid = \"impl-b\"\ntitle = \"B\"\nneeds = [\"impl-a\"]\n[[compose.map]]\nselect = \"impl-*\"\nwith = \"exp-tdd\"\n";
    assert_eq!(
        cook(&[("m.formula.toml", f)]),
        [
            "impl-a.red",
            "impl-a.green <- impl-a.red",
            "impl-a.refactor <- impl-a.green",
            "impl-b.red <- impl-a.refactor",
            "impl-b.green <- impl-b.red",
            "impl-b.refactor <- impl-b.green",
        ]
    );
}

#[test]
fn expansion_vars_default_and_override() {
    let exp = "formula = \"exp-rev\"\ntype = \"expansion\"\n[vars.who]\ndefault = \"bob\"\n[[template]]\nid = \"{target}.by-{who}\"\ntitle = \"Review {target.title} by {who}\"\n";
    let f = "formula = \"v\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"b\"\ntitle = \"B\"\n[[compose.expand]]\ntarget = \"a\"\nwith = \"exp-rev\"\n[[compose.expand]]\ntarget = \"b\"\nwith = \"exp-rev\"\nvars = { who = \"amy\" }\n";
    assert_eq!(
        cook(&[("exp-rev.formula.toml", exp), ("v.formula.toml", f)]),
        ["a.by-bob", "b.by-amy"]
    );
}

#[test]
fn aspects_apply_their_advice_after_expansions() {
    let f = "formula = \"s\"\n[[steps]]\nid = \"build\"\ntitle = \"B\"\n[[steps]]\nid = \"deploy\"\ntitle = \"D\"\nneeds = [\"build\"]\n[compose]\naspects = [\"aspect-approval\"]\n";
    assert_eq!(
        cook(&[("s.formula.toml", f)]),
        ["build", "approve-deploy", "deploy <- build, approve-deploy"]
    );
}

#[test]
fn children_keep_their_nesting() {
    let f = "formula = \"c\"\n[[steps]]\nid = \"build\"\ntitle = \"B\"\n[[steps.children]]\nid = \"unit\"\ntitle = \"U\"\n[[steps.children]]\nid = \"lint\"\ntitle = \"L\"\nneeds = [\"unit\"]\n";
    assert_eq!(
        cook(&[("c.formula.toml", f)]),
        ["build", "  unit", "  lint <- unit"]
    );
}

#[test]
fn a_loop_over_the_step_limit_is_an_error() {
    let f = "formula = \"big\"\n[vars.n]\ndefault = \"1000000\"\n[[steps]]\nid = \"each\"\ntitle = \"E\"\n[steps.loop]\nrange = \"1..{n}\"\nvar = \"i\"\n[[steps.loop.body]]\nid = \"w\"\ntitle = \"W {i}\"\n";
    let e = cook_err(&[("big.formula.toml", f)]);
    assert!(
        e.iter()
            .any(|l| l.starts_with("GTC031") && l.contains("limit")),
        "{e:?}"
    );
}

#[test]
fn a_range_whose_var_has_no_value_is_an_error() {
    let f = "formula = \"nv\"\n[vars.n]\nrequired = true\n[[steps]]\nid = \"each\"\ntitle = \"E\"\n[steps.loop]\nrange = \"1..{n}\"\n[[steps.loop.body]]\nid = \"w\"\ntitle = \"W\"\n";
    let e = cook_err(&[("nv.formula.toml", f)]);
    assert!(
        e.iter()
            .any(|l| l.starts_with("GTC031") && l.contains("needs a value for var `n`")),
        "{e:?}"
    );
}

#[test]
fn formulas_with_check_errors_are_not_cooked() {
    let f = "formula = \"bad\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\nneeds = [\"nope\"]\n";
    let e = cook_err(&[("bad.formula.toml", f)]);
    assert_eq!(e, ["GTC006 needs references unknown step `nope`"]);
}

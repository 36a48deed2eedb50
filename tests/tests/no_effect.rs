//! Keys whose value composition would drop are reported where they are written (GTC037),
//! and the data the reference drops for no reason (`notes` of loop body steps and
//! template steps) is kept.

use gtc_e2e::{
    PROJECTS, borrowed, check, cook_last, corpus_dir, diagnostic_lines, project_sources,
};

fn no_effect_lines(sources: &[(&str, &str)]) -> Vec<String> {
    diagnostic_lines(&check(sources))
        .into_iter()
        .filter(|l| l.contains("GTC037"))
        .collect()
}

#[test]
fn template_keys_that_expansion_drops_are_reported() {
    let exp = r#"formula = "exp-guarded"
type = "expansion"

[[template]]
id = "{target}.run"
title = "Run"
condition = "{{fast}}"
waits_for = "all-children"
notes = "kept"

[template.gate]
type = "human"

[[template.loop.body]]
id = "again"
title = "Again"
"#;
    let lines = no_effect_lines(&[("exp-guarded.formula.toml", exp)]);
    assert_eq!(
        lines,
        [
            "exp-guarded.formula.toml:7:13 warning GTC037 `condition` of template step `{target}.run` has no effect: expansion drops it",
            "exp-guarded.formula.toml:8:13 warning GTC037 `waits_for` of template step `{target}.run` has no effect: expansion drops it",
            "exp-guarded.formula.toml:11:1 warning GTC037 `gate` of template step `{target}.run` has no effect: expansion drops it",
            "exp-guarded.formula.toml:14:12 warning GTC037 `loop` of template step `{target}.run` has no effect: expansion drops it",
        ]
    );
}

#[test]
fn keys_of_a_step_an_expansion_replaces_are_reported() {
    let f = r#"formula = "targets"

[[steps]]
id = "inline"
expand = "exp-tdd"
priority = 0
labels = ["urgent"]

[[steps]]
id = "ruled"
title = "Ruled"
type = "bug"

[[steps]]
id = "mapped-1"
title = "Mapped"
assignee = "alice"

[[steps]]
id = "kept"
title = "Kept"
priority = 1

[[compose.expand]]
target = "ruled"
with = "exp-tdd"

[[compose.map]]
select = "mapped-*"
with = "exp-tdd"
"#;
    assert_eq!(
        no_effect_lines(&[("targets.formula.toml", f)]),
        [
            "targets.formula.toml:6:12 warning GTC037 `priority` of step `inline` has no effect: its `expand` replaces the step with the expansion's steps",
            "targets.formula.toml:7:11 warning GTC037 `labels` of step `inline` has no effect: its `expand` replaces the step with the expansion's steps",
            "targets.formula.toml:12:8 warning GTC037 `type` of step `ruled` has no effect: a `compose.expand` rule replaces the step with the expansion's steps",
            "targets.formula.toml:17:12 warning GTC037 `assignee` of step `mapped-1` has no effect: a `compose.map` rule replaces the step with the expansion's steps",
        ]
    );
}

#[test]
fn keys_that_extends_drops_are_reported() {
    let parent = "formula = \"parent\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n\n[[compose.branch]]\nfrom = \"a\"\nsteps = [\"a\"]\njoin = \"a\"\n";
    let child = r#"formula = "child"
extends = ["parent"]
phase = "vapor"

[[steps]]
id = "b"
title = "B"
needs = ["a"]

[[advice]]
target = "b"
[advice.after]
id = "after-b"

[[compose.gate]]
before = "b"
condition = "a.status == 'complete'"

[[compose.expand]]
target = "b"
with = "exp-tdd"
"#;
    let lines = no_effect_lines(&[
        ("parent.formula.toml", parent),
        ("child.formula.toml", child),
    ]);
    assert_eq!(
        lines,
        [
            "child.formula.toml:2:12 warning GTC037 `compose.branch` of what it extends has no effect: when a formula and what it extends both have `compose`, only bond_points, hooks, expand and map are merged (as the reference does)",
            "child.formula.toml:3:9 warning GTC037 `phase` has no effect in a formula that `extends` others: extends drops it",
            "child.formula.toml:10:1 warning GTC037 `advice` has no effect in a formula that `extends` others: extends drops it",
            "child.formula.toml:15:1 warning GTC037 `compose.gate` of `child` has no effect: when a formula and what it extends both have `compose`, only bond_points, hooks, expand and map are merged (as the reference does)",
        ]
    );
}

#[test]
fn advice_args_and_root_source_are_reported() {
    let f = r#"formula = "adv"
source = "/somewhere/else.formula.toml"

[[steps]]
id = "deploy"
title = "Deploy"

[[advice]]
target = "deploy"
[advice.before]
id = "check"
args = { level = "high" }
output = { file = "x" }
"#;
    assert_eq!(
        no_effect_lines(&[("adv.formula.toml", f)]),
        [
            "adv.formula.toml:2:1 warning GTC037 `source` has no effect: the engines set it to the file's path",
            "adv.formula.toml:12:1 warning GTC037 `args` of an advice step has no effect: advice drops it",
            "adv.formula.toml:13:1 warning GTC037 `output` of an advice step has no effect: advice drops it",
        ]
    );
}

#[test]
fn notes_survive_loops_and_expansions() {
    let exp = "formula = \"exp-n\"\ntype = \"expansion\"\n\n[[template]]\nid = \"{target}.a\"\ntitle = \"A\"\nnotes = \"about {target}\"\n";
    let f = "formula = \"n\"\n\n[[steps]]\nid = \"l\"\ntitle = \"L\"\n[steps.loop]\ncount = 1\n[[steps.loop.body]]\nid = \"b\"\ntitle = \"B\"\nnotes = \"remember\"\n\n[[steps]]\nid = \"x\"\nexpand = \"exp-n\"\n";
    let r = cook_last(&[("exp-n.formula.toml", exp), ("n.formula.toml", f)], None)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let notes: Vec<(String, Option<String>)> = r
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.notes.clone()))
        .collect();
    assert_eq!(
        notes,
        [
            (String::from("l.iter1.b"), Some(String::from("remember"))),
            (String::from("x.a"), Some(String::from("about x"))),
        ]
    );
}

#[test]
fn no_corpus_formula_has_keys_without_effect() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    for project in PROJECTS {
        let texts = project_sources(&corpus, project);
        assert_eq!(
            no_effect_lines(&borrowed(&texts)),
            Vec::<String>::new(),
            "{project}"
        );
    }
}

#[test]
fn keys_of_a_loop_container_are_reported() {
    // The loop's iterations replace the container step: its dependencies, children and
    // other keys go with it (the reference drops them silently; `moves.iter1` would start
    // before `setup`).
    let f = r#"formula = "looped"

[[steps]]
id = "setup"
title = "Setup"

[[steps]]
id = "moves"
title = "Moves"
description = "kept as documentation"
needs = ["setup"]
priority = 1
labels = ["hot"]

[[steps.children]]
id = "lost"
title = "Lost"

[steps.loop]
count = 2

[[steps.loop.body]]
id = "move"
title = "Move"
"#;
    let lines = no_effect_lines(&[("looped.formula.toml", f)]);
    assert_eq!(
        lines,
        [
            "looped.formula.toml:11:10 warning GTC037 `needs` of loop step `moves` has no effect: the loop's iterations replace the step",
            "looped.formula.toml:12:12 warning GTC037 `priority` of loop step `moves` has no effect: the loop's iterations replace the step",
            "looped.formula.toml:13:11 warning GTC037 `labels` of loop step `moves` has no effect: the loop's iterations replace the step",
            "looped.formula.toml:15:1 warning GTC037 `children` of loop step `moves` has no effect: the loop's iterations replace the step",
        ]
    );
    // A dependency written on the body's first step is kept by every iteration.
    let fixed = f
        .replace(
            "needs = [\"setup\"]\npriority = 1\nlabels = [\"hot\"]\n",
            "",
        )
        .replace("[[steps.children]]\nid = \"lost\"\ntitle = \"Lost\"\n", "")
        .replace(
            "title = \"Move\"\n",
            "title = \"Move\"\nneeds = [\"setup\"]\n",
        );
    assert_eq!(
        no_effect_lines(&[("looped.formula.toml", &fixed)]),
        Vec::<String>::new()
    );
    let cooked = cook_last(&[("looped.formula.toml", &fixed)], None).expect("cooks");
    let first = cooked
        .steps
        .iter()
        .find(|s| s.id == "moves.iter1.move")
        .expect("iteration 1");
    assert_eq!(first.needs, ["setup"]);
}

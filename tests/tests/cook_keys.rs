//! Keys the model accepts reach the cooked formula: step `metadata` (also through loops and
//! expansions, where the reference drops it), an advice step's `type`, the root `pour`.

use serde_json::{Value, json};

/// Cook the last of `sources` (compile mode) and return the cooked JSON.
fn cooked(sources: &[(&str, &str)]) -> Value {
    let r = gtc_e2e::cook_last(sources, None).unwrap_or_else(|e| panic!("did not cook: {e:?}"));
    serde_json::from_str(&gtc::cook::to_json(&r)).unwrap_or_else(|e| panic!("{e}"))
}

fn step<'a>(v: &'a Value, id: &str) -> &'a Value {
    fn find<'a>(steps: &'a Value, id: &str) -> Option<&'a Value> {
        steps.as_array()?.iter().find_map(|s| {
            if s["id"] == id {
                Some(s)
            } else {
                find(&s["children"], id)
            }
        })
    }
    find(&v["steps"], id).unwrap_or_else(|| panic!("no step {id} in {v:#}"))
}

#[test]
fn step_metadata_reaches_the_cooked_formula() {
    let toml = r#"formula = "meta"

[[steps]]
id = "build"
title = "Build"
metadata = { owner = "ci", retries = 2, ratio = 0.5, tags = ["a", "b"], nested = { on = true } }

[[steps.children]]
id = "unit"
title = "Unit"
[steps.children.metadata]
suite = "unit"

[[steps]]
id = "soak"
title = "Soak"
[steps.loop]
count = 2
[[steps.loop.body]]
id = "run"
title = "Run"
metadata = { kind = "soak" }

[[steps]]
id = "review"
expand = "exp-meta"
"#;
    let exp = r#"formula = "exp-meta"
type = "expansion"

[[template]]
id = "{target}.look"
title = "Look"
metadata = { from = "template" }
"#;
    let v = cooked(&[("exp-meta.formula.toml", exp), ("meta.formula.toml", toml)]);
    // Keys sorted, as Go marshals a map; values keep their JSON types.
    assert_eq!(
        step(&v, "build")["metadata"],
        json!({"nested": {"on": true}, "owner": "ci", "ratio": 0.5, "retries": 2, "tags": ["a", "b"]})
    );
    assert_eq!(step(&v, "unit")["metadata"], json!({"suite": "unit"}));
    assert_eq!(
        step(&v, "soak.iter1.run")["metadata"],
        json!({"kind": "soak"})
    );
    assert_eq!(
        step(&v, "soak.iter2.run")["metadata"],
        json!({"kind": "soak"})
    );
    assert_eq!(
        step(&v, "review.look")["metadata"],
        json!({"from": "template"})
    );
    assert!(step(&v, "review.look").get("notes").is_none());
}

#[test]
fn advice_step_type_reaches_the_cooked_formula() {
    let toml = r#"formula = "adv"

[[steps]]
id = "deploy"
title = "Deploy"

[[advice]]
target = "deploy"
[advice.before]
id = "check-{step.id}"
type = "bug"
[advice.after]
id = "verify-{step.id}"
"#;
    let v = cooked(&[("adv.formula.toml", toml)]);
    assert_eq!(step(&v, "check-deploy")["type"], "bug");
    assert!(step(&v, "verify-deploy").get("type").is_none());
}

#[test]
fn root_pour_reaches_the_cooked_formula() {
    let base = "formula = \"p\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n";
    assert!(cooked(&[("p.formula.toml", base)]).get("pour").is_none());
    let on = base.replace("formula = \"p\"\n", "formula = \"p\"\npour = true\n");
    assert_eq!(cooked(&[("p.formula.toml", &on)])["pour"], true);
    let off = base.replace("formula = \"p\"\n", "formula = \"p\"\npour = false\n");
    assert_eq!(cooked(&[("p.formula.toml", &off)])["pour"], false);
    // Gas Town takes `pour` from the child of an `extends`.
    let child = "formula = \"c\"\nextends = [\"p\"]\npour = false\n";
    assert_eq!(
        cooked(&[("p.formula.toml", base), ("c.formula.toml", child)])["pour"],
        false
    );
}

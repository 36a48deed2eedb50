//! Properties of cooking over random valid formulas with composition: cooking is
//! deterministic, the cooked DAG is acyclic whenever the check passes, and every
//! step keeps a source record.

use gtc::cook::{CookOptions, RStep, cook, to_json};
use gtc::db::Database;
use gtc::diagnostic::Severity;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

/// One generated step: its dependencies (indexes of earlier steps) and decorations.
#[derive(Debug, Clone)]
struct GenStep {
    needs: Vec<usize>,
    children: usize,
    loop_count: Option<(u8, u8)>,
    expand: bool,
}

fn gen_step(i: usize) -> impl Strategy<Value = GenStep> {
    let needs = if i == 0 {
        Just(Vec::new()).boxed()
    } else {
        proptest::collection::vec(0..i, 0..3).boxed()
    };
    (
        needs,
        0usize..3,
        proptest::option::of((1u8..4, 1u8..3)),
        proptest::bool::weighted(0.15),
    )
        .prop_map(|(needs, children, loop_count, expand)| GenStep {
            needs,
            children,
            loop_count,
            expand,
        })
}

fn gen_formula() -> impl Strategy<Value = (Vec<GenStep>, Option<String>, bool)> {
    (1usize..25).prop_flat_map(|n| {
        let steps: Vec<_> = (0..n).map(gen_step).collect();
        let advice = proptest::option::of(prop_oneof![
            Just("s1*".to_owned()),
            Just("*".to_owned()),
            Just("s0".to_owned())
        ]);
        (steps, advice, proptest::bool::ANY)
    })
}

fn render((steps, advice, aspect): &(Vec<GenStep>, Option<String>, bool)) -> String {
    let mut t = String::from("formula = \"gen\"\n");
    for (i, s) in steps.iter().enumerate() {
        t.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n"
        ));
        let mut needs: Vec<String> = s.needs.iter().map(|n| format!("\"s{n}\"")).collect();
        needs.dedup();
        if !needs.is_empty() {
            t.push_str(&format!("needs = [{}]\n", needs.join(", ")));
        }
        if s.expand && s.children == 0 && s.loop_count.is_none() {
            t.push_str("expand = \"exp-tdd\"\n");
        }
        if let Some((count, body)) = s.loop_count {
            t.push_str(&format!("[steps.loop]\ncount = {count}\n"));
            for b in 0..body {
                t.push_str(&format!(
                    "[[steps.loop.body]]\nid = \"b{b}\"\ntitle = \"Body {b}\"\n"
                ));
                if b > 0 {
                    t.push_str(&format!("needs = [\"b{}\"]\n", b - 1));
                }
            }
        } else {
            for c in 0..s.children {
                t.push_str(&format!(
                    "[[steps.children]]\nid = \"s{i}c{c}\"\ntitle = \"Child {c}\"\n"
                ));
            }
        }
    }
    if let Some(target) = advice {
        t.push_str(&format!(
            "\n[[advice]]\ntarget = \"{target}\"\n[advice.after]\nid = \"{{step.id}}-after\"\n"
        ));
    }
    if *aspect {
        t.push_str("\n[compose]\naspects = [\"aspect-approval\"]\n");
    }
    t
}

fn cook_text(text: &str) -> (bool, Option<gtc::cook::Resolved>) {
    let db = Database::default();
    let ws = gtc::driver::memory_workspace(&db, &[("gen.formula.toml", text)]);
    let file = ws.files(&db)[0];
    let clean = !gtc::db::all_diagnostics(&db, ws, file)
        .iter()
        .any(|d| d.severity == Severity::Error);
    (clean, cook(&db, ws, file, CookOptions::default()).resolved)
}

fn flatten<'a>(steps: &'a [RStep], out: &mut Vec<&'a RStep>) {
    for s in steps {
        out.push(s);
        flatten(&s.children, out);
    }
}

fn is_acyclic(steps: &[&RStep]) -> bool {
    let ids: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // Kahn's algorithm over the edges that land on existing steps.
    let mut indegree = vec![0usize; steps.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); steps.len()];
    for (i, s) in steps.iter().enumerate() {
        let needs: HashSet<&str> = s.needs.iter().map(String::as_str).collect();
        for n in needs {
            if let Some(&j) = ids.get(n) {
                indegree[i] += 1;
                dependents[j].push(i);
            }
        }
    }
    let mut ready: Vec<usize> = (0..steps.len()).filter(|&i| indegree[i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for &d in &dependents[i] {
            indegree[d] -= 1;
            if indegree[d] == 0 {
                ready.push(d);
            }
        }
    }
    done == steps.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn cooking_is_deterministic_acyclic_and_sourced(spec in gen_formula()) {
        let text = render(&spec);
        let (clean, first) = cook_text(&text);
        let (_, second) = cook_text(&text);
        prop_assert_eq!(first.as_ref().map(to_json), second.as_ref().map(to_json), "deterministic:\n{}", text);
        if clean {
            let r = first.unwrap_or_else(|| panic!("a clean formula cooks:\n{text}"));
            let mut all = Vec::new();
            flatten(&r.steps, &mut all);
            prop_assert!(is_acyclic(&all), "cooked DAG has a cycle:\n{}", text);
            for s in &all {
                prop_assert!(!s.source.formula.is_empty() && !s.source.path.is_empty() && s.source.line > 0, "{} has no source record", s.id);
            }
        }
    }
}

#[test]
fn generated_formulas_do_check_clean() {
    // Guard against a vacuous property: a typical generated formula passes the check.
    let spec = (
        vec![
            GenStep {
                needs: vec![],
                children: 1,
                loop_count: None,
                expand: false,
            },
            GenStep {
                needs: vec![0],
                children: 0,
                loop_count: Some((2, 2)),
                expand: false,
            },
            GenStep {
                needs: vec![0],
                children: 0,
                loop_count: None,
                expand: true,
            },
            GenStep {
                needs: vec![1, 2],
                children: 0,
                loop_count: None,
                expand: false,
            },
        ],
        Some("s1*".to_owned()),
        true,
    );
    let text = render(&spec);
    let (clean, cooked) = cook_text(&text);
    assert!(clean, "{text}");
    let r = cooked.unwrap_or_else(|| panic!("cooks"));
    let mut all = Vec::new();
    flatten(&r.steps, &mut all);
    assert!(is_acyclic(&all));
    assert!(all.len() > 8, "{}", all.len());
}

//! `gt run` end to end with the script agent: the village drives molecules to the end,
//! the refinery merges the work into main of a real repository, first in first out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod town;

use std::time::Duration;
use town::{Town, assert_merged_fifo, fan};

const RIG: &str = "[rigs.app]\npath = \".\"\nbranch = \"main\"\n";
const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn parallel_branches_are_worked_merged_in_fifo_order_and_digested() {
    let town = Town::new(&format!("{RIG}[village]\nheartbeat = \"200ms\"\n"));
    town.formula("mol-fan", &fan("mol-fan", 6));
    let out = town.run(&["mol-fan", "--polecats", "3"], LIMIT).ok();
    let runs = town.runs();
    assert_eq!(runs.len(), 1);
    let mol = &runs[0].id;
    assert!(
        out.stdout.contains(&format!("{mol} is complete")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("## Molecule Execution Summary"),
        "the digest is printed"
    );
    assert_merged_fifo(&town, mol, "app");
    // The digest is in the ledger, a child of the closed root.
    let issues = town.issues();
    let root = issues.iter().find(|i| &i.id == mol).unwrap();
    assert_eq!(root.status, "closed");
    let digest = issues
        .iter()
        .find(|i| i.labels.iter().any(|l| l == "digest") && i.parent() == Some(mol.as_str()))
        .unwrap_or_else(|| panic!("no digest of {mol}"));
    assert!(
        digest
            .description
            .as_deref()
            .unwrap_or("")
            .contains("**Completed**: 7/7")
    );
    // The work is on main, and no step branch is left.
    for i in 1..=6 {
        assert!(town.path().join(format!("gt-work/{mol}.s{i}.md")).is_file());
    }
    assert_eq!(town.git(&["branch", "--list", "gt/*"]), "");
    // The polecats who did the work are the steps' assignees.
    for s in town.steps(mol) {
        assert!(
            s.assignee
                .as_deref()
                .unwrap_or("")
                .starts_with("app/polecat-"),
            "{s:?}"
        );
    }
}

#[test]
fn a_rig_without_git_closes_steps_without_a_merge_queue() {
    let town = Town::new("[rigs.plain]\ngit = false\n");
    town.formula("mol-fan", &fan("mol-fan", 4));
    town.run(&["mol-fan", "--polecats", "2"], LIMIT).ok();
    let mol = town.runs()[0].id.clone();
    for s in town.steps(&mol) {
        assert_eq!(s.status, "closed", "{s:?}");
    }
    assert!(town.merge_requests("plain").is_empty());
}

//! `gt sync` end to end: two clones edit one ledger concurrently (new issues, closes, the
//! same field changed on both sides) and sync through a bare remote on disk; both end with
//! the same ledger and nothing lost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::{git, gt_in, id_of, json_in};

fn export(dir: &Path) -> Vec<Value> {
    gt_in(dir, &["export"])
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn two_clones_sync_through_a_bare_remote_and_converge() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let remote = root.join("remote.git");
    std::fs::create_dir(&remote).unwrap();
    git(&remote, &["init", "--bare", "-q", "-b", "main"]);
    let a = root.join("a");
    std::fs::create_dir(&a).unwrap();
    git(&a, &["init", "-q", "-b", "main"]);
    git(&a, &["remote", "add", "origin", remote.to_str().unwrap()]);
    gt_in(&a, &["init", "--prefix", "s"]).ok();
    let shared = id_of(&json_in(&a, &["create", "Shared title"])[0]);
    let to_close = id_of(&json_in(&a, &["create", "Close me"])[0]);
    let first = json_in(&a, &["sync"]);
    assert_eq!(first["committed"], true);
    assert_eq!(first["pushed"], true, "{first}");
    git(&a, &["branch", "--set-upstream-to=origin/main"]);

    git(root, &["clone", "-q", remote.to_str().unwrap(), "b"]);
    let b = root.join("b");
    // A fresh clone reads the ledger from the JSONL.
    assert_eq!(id_of(&json_in(&b, &["show", &shared])[0]), shared);

    // Concurrent edits on both sides.
    let new_a = id_of(&json_in(&a, &["create", "Only in A"])[0]);
    json_in(&a, &["close", &to_close, "--reason", "done in A"]);
    json_in(&a, &["update", &shared, "--title", "A's title"]);
    let new_b = id_of(&json_in(&b, &["create", "Only in B"])[0]);
    json_in(
        &b,
        &["update", &shared, "--title", "B's title", "--priority", "1"],
    );

    json_in(&a, &["sync"]);
    let out = gt_in(&b, &["sync"]).ok();
    assert!(
        out.stderr.contains(&format!("conflict: {shared} `title`")),
        "{}",
        out.stderr
    );
    let a_again = json_in(&a, &["sync"]);
    assert_eq!(a_again["fetched"], true, "{a_again}");

    let ea = export(&a);
    let eb = export(&b);
    assert_eq!(ea, eb, "both clones hold the same ledger");
    let find = |id: &str| ea.iter().find(|r| r["id"] == id).cloned().unwrap();
    assert_eq!(
        find(&shared)["title"],
        "B's title",
        "the later edit wins the same field"
    );
    assert_eq!(
        find(&shared)["priority"],
        1,
        "a field only B changed is kept"
    );
    assert_eq!(find(&to_close)["status"], "closed");
    assert_eq!(find(&to_close)["close_reason"], "done in A");
    find(&new_a);
    find(&new_b);
    assert_eq!(ea.len(), 4);
    // The committed files are equal too.
    let ja = std::fs::read_to_string(a.join(".beads/issues.jsonl")).unwrap();
    let jb = std::fs::read_to_string(b.join(".beads/issues.jsonl")).unwrap();
    assert_eq!(ja, jb);
}

#[test]
fn sync_without_a_remote_commits_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    gt_in(dir, &["init", "--prefix", "s"]).ok();
    json_in(dir, &["create", "One"]);
    let first = json_in(dir, &["sync"]);
    assert_eq!(first["committed"], true);
    assert!(first["remote"].is_null());
    let again = json_in(dir, &["sync"]);
    assert_eq!(again["committed"], false, "no change, no commit");
    let text = gt_in(dir, &["sync"]).ok().stdout;
    assert!(text.contains("no remote"), "{text}");
}

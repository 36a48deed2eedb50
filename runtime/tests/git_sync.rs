//! End-to-end tests of `gt::git::sync` against a bare remote and clones on
//! disk. The system `git` is used here only to set up clones and to inspect
//! results.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use gt::git::{ConflictKind, Side, SyncOptions, sync, sync_with};
use serde_json::{Value, json};

const LEDGER: &str = ".beads/issues.jsonl";

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gt-git-sync-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A bare remote and two clones `a` and `b` of it, all on branch `main`.
fn setup(s: &Scratch) -> (PathBuf, PathBuf, PathBuf) {
    let remote = s.0.join("remote.git");
    git(
        &s.0,
        &["init", "--bare", "-b", "main", remote.to_str().unwrap()],
    );
    let mut clones = Vec::new();
    for name in ["a", "b"] {
        let dir = s.0.join(name);
        git(
            &s.0,
            &[
                "clone",
                "-q",
                remote.to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
        );
        git(&dir, &["symbolic-ref", "HEAD", "refs/heads/main"]);
        clones.push(dir);
    }
    let b = clones.pop().unwrap();
    let a = clones.pop().unwrap();
    (remote, a, b)
}

fn write_ledger(dir: &Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    write_raw(dir, &text);
}

fn write_raw(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join(".beads")).unwrap();
    std::fs::write(dir.join(LEDGER), text).unwrap();
}

fn read_ledger(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(LEDGER)).unwrap()
}

fn issue(text: &str, id: &str) -> Value {
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("issue {id} missing from\n{text}"))
}

fn commit_count(dir: &Path, rev: &str) -> usize {
    git(dir, &["rev-list", "--count", rev])
        .trim()
        .parse()
        .unwrap()
}

fn status(dir: &Path) -> String {
    git(dir, &["status", "--porcelain"])
}

fn rec(id: &str, title: &str, status: &str, updated: &str) -> Value {
    json!({"id": id, "title": title, "status": status, "priority": 2, "updated_at": updated})
}

#[test]
fn two_clones_converge_and_conflict_goes_to_later_update() {
    let s = Scratch::new("converge");
    let (remote, a, b) = setup(&s);
    let ledger = Path::new(LEDGER);

    // A creates the ledger and publishes it; B picks it up by fast-forward.
    write_ledger(
        &a,
        &[
            rec("gt-1", "first", "open", "2026-01-01T00:00:00Z"),
            rec("gt-2", "shared", "open", "2026-01-01T00:00:00Z"),
        ],
    );
    let r = sync(&a, ledger, "a: create").unwrap();
    assert!(r.committed && r.fetched && r.pushed && !r.merged);
    let r = sync(&b, ledger, "b: first sync").unwrap();
    assert!(!r.committed && r.fast_forwarded && !r.pushed, "{r:?}");
    assert_eq!(read_ledger(&a), read_ledger(&b));

    // Diverging edits.
    write_ledger(
        &a,
        &[
            rec("gt-1", "first", "closed", "2026-01-02T00:00:00Z"),
            rec("gt-2", "title from a", "open", "2026-01-03T00:00:00.250Z"),
            rec("gt-3", "new in a", "open", "2026-01-02T00:00:00Z"),
        ],
    );
    let mut b_shared = rec("gt-2", "title from b", "open", "2026-01-03T00:00:00Z");
    b_shared["priority"] = json!(0);
    write_ledger(
        &b,
        &[
            rec("gt-1", "first", "open", "2026-01-01T00:00:00Z"),
            b_shared,
            rec("gt-4", "new in b", "open", "2026-01-02T00:00:00Z"),
        ],
    );

    let ra = sync(&a, ledger, "a: edits").unwrap();
    assert!(ra.committed && ra.pushed && !ra.merged);
    let rb = sync(&b, ledger, "b: edits").unwrap();
    assert!(rb.committed && rb.merged && rb.pushed, "{rb:?}");
    let ra2 = sync(&a, ledger, "a: again").unwrap();
    assert!(
        !ra2.committed && ra2.fast_forwarded && !ra2.pushed,
        "{ra2:?}"
    );

    let (ta, tb) = (read_ledger(&a), read_ledger(&b));
    assert_eq!(ta, tb, "both clones end byte-identical");
    assert_eq!(ta.lines().count(), 4, "nothing lost:\n{ta}");
    assert_eq!(issue(&ta, "gt-1")["status"], "closed");
    assert_eq!(issue(&ta, "gt-3")["title"], "new in a");
    assert_eq!(issue(&ta, "gt-4")["title"], "new in b");
    let shared = issue(&ta, "gt-2");
    assert_eq!(shared["title"], "title from a", "the later updated_at wins");
    assert_eq!(
        shared["priority"], 0,
        "a field changed on one side only is kept"
    );
    assert_eq!(shared["updated_at"], "2026-01-03T00:00:00.250Z");

    assert_eq!(rb.conflicts.len(), 1, "{:?}", rb.conflicts);
    let c = &rb.conflicts[0];
    assert_eq!(
        (c.id.as_str(), c.field.as_str(), c.kind),
        ("gt-2", "title", ConflictKind::Field)
    );
    assert_eq!(c.chosen, Side::Theirs);
    assert_eq!(c.ours, Some(json!("title from b")));

    // History: B made a real merge commit with two parents, and everyone agrees.
    let merge_parents = git(&b, &["log", "-1", "--format=%P", "HEAD"]);
    assert_eq!(merge_parents.split_whitespace().count(), 2);
    let heads: Vec<String> = [&a, &b, &remote]
        .iter()
        .map(|d| git(d, &["rev-parse", "main"]).trim().to_string())
        .collect();
    assert_eq!(heads[0], heads[1]);
    assert_eq!(heads[1], heads[2]);
    assert_eq!(status(&a), "", "git status stays clean");
    assert_eq!(status(&b), "", "git status stays clean");
}

#[test]
fn no_remote_only_commits_and_no_change_makes_no_commit() {
    let s = Scratch::new("local");
    let dir = s.0.join("repo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "untracked, not ours\n").unwrap();
    write_ledger(&dir, &[rec("gt-1", "one", "open", "2026-01-01T00:00:00Z")]);

    let r = sync(&dir, Path::new(LEDGER), "first").unwrap();
    assert!(
        r.committed && !r.fetched && !r.pushed && r.remote.is_none(),
        "{r:?}"
    );
    assert_eq!(commit_count(&dir, "HEAD"), 1);
    assert_eq!(
        git(&dir, &["ls-files"]),
        ".beads/issues.jsonl\n",
        "only the ledger is committed"
    );
    assert_eq!(status(&dir), "?? notes.txt\n");

    let r = sync(&dir, Path::new(LEDGER), "again").unwrap();
    assert!(!r.committed, "{r:?}");
    assert_eq!(commit_count(&dir, "HEAD"), 1, "no change, no commit");

    write_ledger(
        &dir,
        &[rec("gt-1", "one", "closed", "2026-01-02T00:00:00Z")],
    );
    let r = sync(&dir, Path::new(LEDGER), "close").unwrap();
    assert!(r.committed);
    assert_eq!(commit_count(&dir, "HEAD"), 2);
    assert_eq!(git(&dir, &["log", "-1", "--format=%s"]), "close\n");
    assert_eq!(status(&dir), "?? notes.txt\n");
}

#[test]
fn sync_twice_with_remote_and_no_change_makes_no_commit() {
    let s = Scratch::new("twice");
    let (remote, a, _b) = setup(&s);
    write_ledger(&a, &[rec("gt-1", "one", "open", "2026-01-01T00:00:00Z")]);
    sync(&a, Path::new(LEDGER), "first").unwrap();
    let before = (commit_count(&a, "HEAD"), commit_count(&remote, "main"));
    let r = sync(&a, Path::new(LEDGER), "second").unwrap();
    assert!(!r.committed && !r.merged && !r.pushed && r.fetched, "{r:?}");
    assert_eq!(
        (commit_count(&a, "HEAD"), commit_count(&remote, "main")),
        before
    );
}

#[test]
fn corrupt_line_is_preserved_through_merge() {
    let s = Scratch::new("corrupt");
    let (_remote, a, b) = setup(&s);
    let ledger = Path::new(LEDGER);
    write_ledger(&a, &[rec("gt-1", "one", "open", "2026-01-01T00:00:00Z")]);
    sync(&a, ledger, "a").unwrap();
    sync(&b, ledger, "b").unwrap();

    let mut text = read_ledger(&a);
    text.push_str("{\"id\": \"gt-2\", \"title\": \"cut off\n");
    write_raw(&a, &text);
    write_ledger(
        &b,
        &[
            rec("gt-1", "one", "open", "2026-01-01T00:00:00Z"),
            rec("gt-3", "three", "open", "2026-01-02T00:00:00Z"),
        ],
    );
    sync(&a, ledger, "a: corrupt").unwrap();
    let rb = sync(&b, ledger, "b: add").unwrap();
    assert!(rb.merged);
    assert_eq!(rb.corrupt.len(), 1, "{:?}", rb.corrupt);
    assert!(rb.corrupt[0].kept);
    assert_eq!(rb.corrupt[0].side, Side::Theirs);
    sync(&a, ledger, "a: again").unwrap();
    let (ta, tb) = (read_ledger(&a), read_ledger(&b));
    assert_eq!(ta, tb);
    assert!(
        ta.ends_with("{\"id\": \"gt-2\", \"title\": \"cut off\n"),
        "{ta}"
    );
    issue(&ta, "gt-3");
}

#[test]
fn lost_push_race_is_retried() {
    let s = Scratch::new("race");
    let (remote, a, b) = setup(&s);
    let ledger = Path::new(LEDGER);
    write_ledger(&a, &[rec("gt-1", "one", "open", "2026-01-01T00:00:00Z")]);
    sync(&a, ledger, "a").unwrap();
    sync(&b, ledger, "b").unwrap();

    write_ledger(
        &a,
        &[
            rec("gt-1", "one", "open", "2026-01-01T00:00:00Z"),
            rec("gt-2", "from a", "open", "2026-01-02T00:00:00Z"),
        ],
    );
    write_ledger(
        &b,
        &[
            rec("gt-1", "one", "closed", "2026-01-02T00:00:00Z"),
            rec("gt-3", "from b", "open", "2026-01-02T00:00:00Z"),
        ],
    );
    // Between A's fetch and A's push, B syncs and wins the race.
    let b2 = b.clone();
    let opts = SyncOptions {
        before_push: Some(Box::new(move |attempt| {
            if attempt == 1 {
                let r = sync(&b2, ledger, "b: sneaks in").unwrap();
                assert!(r.pushed);
            }
        })),
        ..SyncOptions::default()
    };
    let ra = sync_with(&a, ledger, "a: edits", opts).unwrap();
    assert_eq!(ra.attempts, 2, "{ra:?}");
    assert!(ra.pushed && ra.merged);

    let rb = sync(&b, ledger, "b: again").unwrap();
    assert!(rb.fast_forwarded, "{rb:?}");
    let (ta, tb) = (read_ledger(&a), read_ledger(&b));
    assert_eq!(ta, tb);
    assert_eq!(ta.lines().count(), 3, "{ta}");
    assert_eq!(issue(&ta, "gt-1")["status"], "closed");
    assert_eq!(
        git(&remote, &["rev-parse", "main"]),
        git(&a, &["rev-parse", "HEAD"]),
        "A's retry is what the remote holds"
    );
}

#[test]
fn concurrent_syncs_from_two_threads_both_land() {
    let s = Scratch::new("threads");
    let (_remote, a, b) = setup(&s);
    let ledger = Path::new(LEDGER);
    write_ledger(&a, &[rec("gt-0", "zero", "open", "2026-01-01T00:00:00Z")]);
    sync(&a, ledger, "a").unwrap();
    sync(&b, ledger, "b").unwrap();

    let run = |dir: PathBuf, prefix: &'static str| {
        std::thread::spawn(move || {
            let mut records = vec![rec("gt-0", "zero", "open", "2026-01-01T00:00:00Z")];
            for i in 0..4 {
                records.push(rec(
                    &format!("{prefix}-{i}"),
                    "x",
                    "open",
                    "2026-01-02T00:00:00Z",
                ));
                // Re-import what sync merged, as the ledger would, then add one more.
                let current = read_ledger(&dir);
                let mut merged: Vec<Value> = current
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect();
                for r in &records {
                    if !merged.iter().any(|m| m["id"] == r["id"]) {
                        merged.push(r.clone());
                    }
                }
                write_ledger(&dir, &merged);
                let opts = SyncOptions {
                    max_attempts: 20,
                    ..SyncOptions::default()
                };
                sync_with(&dir, Path::new(LEDGER), "thread", opts).unwrap();
            }
        })
    };
    let ta = run(a.clone(), "a");
    let tb = run(b.clone(), "b");
    ta.join().unwrap();
    tb.join().unwrap();
    sync(&a, ledger, "final a").unwrap();
    sync(&b, ledger, "final b").unwrap();
    sync(&a, ledger, "final a").unwrap();
    let (la, lb) = (read_ledger(&a), read_ledger(&b));
    assert_eq!(la, lb);
    assert_eq!(la.lines().count(), 9, "{la}");
}

#[test]
fn remote_changes_to_other_files_are_taken_not_reverted() {
    let s = Scratch::new("other");
    let (remote, a, b) = setup(&s);
    let ledger = Path::new(LEDGER);
    write_ledger(&a, &[rec("gt-1", "one", "open", "2026-01-01T00:00:00Z")]);
    sync(&a, ledger, "a").unwrap();
    sync(&b, ledger, "b").unwrap();

    // B commits code with plain git and pushes; A edits the ledger.
    std::fs::write(b.join("code.rs"), "fn main() {}\n").unwrap();
    git(&b, &["add", "code.rs"]);
    git(&b, &["commit", "-qm", "code"]);
    git(&b, &["push", "-q", "origin", "main"]);
    write_ledger(&a, &[rec("gt-1", "one", "closed", "2026-01-02T00:00:00Z")]);

    let r = sync(&a, ledger, "a: close").unwrap();
    assert!(r.merged && r.pushed, "{r:?}");
    assert_eq!(
        std::fs::read_to_string(a.join("code.rs")).unwrap(),
        "fn main() {}\n"
    );
    assert_eq!(status(&a), "");
    assert_eq!(git(&remote, &["show", "main:code.rs"]), "fn main() {}\n");
}

/// A ledger another tool wrote in its own order (not sorted by id) cannot be merged as
/// a stream; it is merged in memory, with the same result.
#[test]
fn an_unsorted_ledger_merges_in_memory_with_the_same_result() {
    let s = Scratch::new("unsorted");
    let (_remote, a, b) = setup(&s);
    let ledger = Path::new(LEDGER);
    write_ledger(
        &a,
        &[
            rec("gt-1", "one", "open", "2026-01-01T00:00:00Z"),
            rec("gt-2", "two", "open", "2026-01-01T00:00:00Z"),
        ],
    );
    sync(&a, ledger, "a: create").unwrap();
    sync(&b, ledger, "b: first").unwrap();
    // B rewrites the file newest first (as bd's priority order might), A edits.
    write_ledger(
        &b,
        &[
            rec("gt-3", "three", "open", "2026-01-02T00:00:00Z"),
            rec("gt-2", "two", "open", "2026-01-01T00:00:00Z"),
            rec("gt-1", "one", "open", "2026-01-01T00:00:00Z"),
        ],
    );
    write_ledger(
        &a,
        &[
            rec("gt-1", "one", "closed", "2026-01-03T00:00:00Z"),
            rec("gt-2", "two", "open", "2026-01-01T00:00:00Z"),
        ],
    );
    sync(&a, ledger, "a: close").unwrap();
    let r = sync(&b, ledger, "b: add").unwrap();
    assert!(r.merged, "{r:?}");
    let text = read_ledger(&b);
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["gt-1", "gt-2", "gt-3"], "{text}");
    assert_eq!(issue(&text, "gt-1")["status"], "closed");
    assert_eq!(status(&b), "", "git status stays clean");
}

//! Nothing is lost: whatever `gt` reads from a ledger file it writes back (`flush`,
//! `export`), byte for byte where it did not change the record; deletions travel as
//! tombstones; `sync` between clones never deletes what no one deleted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{Project, gt_in, id_of, ids};

/// A ledger as a real Gas Town / beads clone brings it: a schema header, issues written
/// by bd (Go escaping, export counts, a comment count for comments kept outside the
/// file), unknown fields in non-alphabetical order with odd number spellings, nested
/// metadata, templates, a wisp that reached git, a tombstone, memories (keys not in
/// order), a record type this version does not know, and a damaged line.
const LEDGER: &str = concat!(
    r#"{"_schema":"beads/v1","generated_by":"bd 0.49"}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-a1","title":"Build \u003cauth\u003e \u0026 co","status":"open","priority":1,"issue_type":"task","created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","metadata":{"zz":1.50,"aa":{"y":1e3,"b":[3,2,1]}},"labels":["b","a"],"zeta":{"z":1,"a":2},"alpha":-0.0,"dependency_count":0,"dependent_count":2,"comment_count":1}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-a2","title":"Blocked on a1","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-02T03:04:06Z","updated_at":"2026-01-02T03:04:06Z","dependencies":[{"issue_id":"gt-a2","depends_on_id":"gt-a1","type":"blocks","created_at":"2026-01-02T03:04:06Z","weight":2,"note":"x"}],"dependency_count":1,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-t1","title":"Proto: review","status":"open","priority":2,"issue_type":"epic","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","labels":["template"],"is_template":true,"dependency_count":0,"dependent_count":1,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-t1.1","title":"Proto step","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"gt-t1.1","depends_on_id":"gt-t1","type":"parent-child","created_at":"2026-01-01T00:00:00Z"}],"is_template":true,"dependency_count":1,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-w1","title":"A wisp that reached git","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","ephemeral":true,"dependency_count":0,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-x1","title":"deleted","status":"tombstone","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-03T00:00:00Z","deleted_at":"2026-01-03T00:00:00Z","deleted_by":"bob","delete_reason":"dup","original_type":"bug","dependency_count":0,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"memory","key":"zeta","value":"last"}"#,
    "\n",
    r#"{"_type":"memory","key":"alpha","value":"first"}"#,
    "\n",
    r#"{"_type":"event","kind":"patrol.muted","at":"2026-01-01T00:00:00Z"}"#,
    "\n",
    r#"{"id": oops, this line was damaged by hand"#,
    "\n",
);

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

fn jsonl(p: &Project) -> String {
    std::fs::read_to_string(p.path().join(".beads/issues.jsonl")).unwrap()
}

/// A project whose `issues.jsonl` arrived by git (no database yet).
fn arrived(text: &str) -> Project {
    let p = Project::new();
    std::fs::remove_file(p.path().join(".beads/beads.db")).unwrap();
    for f in ["beads.db-wal", "beads.db-shm"] {
        let _ = std::fs::remove_file(p.path().join(".beads").join(f));
    }
    std::fs::write(p.path().join(".beads/issues.jsonl"), text).unwrap();
    p
}

#[test]
fn flush_writes_back_every_record_it_read_byte_for_byte() {
    let p = arrived(LEDGER);
    let out = p.gt(&["list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("issues.jsonl:11: not JSON"),
        "{}",
        out.stderr
    );
    p.gt(&["flush"]).ok();
    assert_eq!(sorted_lines(&jsonl(&p)), sorted_lines(LEDGER));
    // And again: nothing drifts.
    let first = jsonl(&p);
    p.gt(&["flush"]).ok();
    assert_eq!(jsonl(&p), first);
}

#[test]
fn import_then_export_is_byte_for_byte() {
    let p = Project::new();
    let text: String = LEDGER
        .lines()
        .filter(|l| !l.contains("oops"))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, &text).unwrap();
    p.gt(&["import", file.to_str().unwrap()]).ok();
    let out = p.gt(&["export"]).ok().stdout;
    assert_eq!(sorted_lines(&out), sorted_lines(&text));
    // import -> flush too.
    p.gt(&["flush"]).ok();
    assert_eq!(sorted_lines(&jsonl(&p)), sorted_lines(&text));
}

#[test]
fn a_changed_record_keeps_unknown_key_order_metadata_and_number_spelling() {
    let p = arrived(LEDGER);
    p.json(&["claim", "gt-a1", "--as", "alice"]);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let line = text
        .lines()
        .find(|l| l.contains("\"id\":\"gt-a1\""))
        .unwrap();
    assert!(line.contains(r#""status":"in_progress""#), "{line}");
    assert!(
        line.contains(r#""metadata":{"zz":1.50,"aa":{"y":1e3,"b":[3,2,1]}}"#),
        "{line}"
    );
    assert!(
        line.contains(r#""zeta":{"z":1,"a":2},"alpha":-0.0"#),
        "{line}"
    );
    assert!(
        line.contains(r#"Build \u003cauth\u003e \u0026 co"#),
        "{line}"
    );
    // A changed record's counts are recomputed: a1 still has one dependent (a2) and
    // the comment count bd wrote for comments outside the file is not invented.
    let rec: Value = serde_json::from_str(line).unwrap();
    assert_eq!(rec["dependent_count"], 1, "{line}");
    // The edge's unknown fields survive a change of its issue too.
    p.json(&["update", "gt-a2", "--title", "Renamed"]);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let a2 = text
        .lines()
        .find(|l| l.contains("\"id\":\"gt-a2\""))
        .unwrap();
    assert!(a2.contains(r#""weight":2,"note":"x""#), "{a2}");
    // The untouched records are still byte for byte what arrived.
    for want in LEDGER.lines() {
        if !want.contains("gt-a1") && !want.contains("gt-a2") {
            assert!(text.lines().any(|l| l == want), "lost or changed: {want}");
        }
    }
}

#[test]
fn deleting_leaves_a_tombstone_that_flush_writes_and_import_applies() {
    let p = Project::new();
    let a = p.create("Delete me", &[]);
    let b = p.create("Blocked by it", &["--blocked-by", &a]);
    let out = p.json(&["delete", &a, "--reason", "duplicate"]);
    assert_eq!(out[0]["status"], "tombstone", "{out}");
    assert_eq!(out[0]["deleted_by"], "tester");
    assert_eq!(out[0]["delete_reason"], "duplicate");
    assert_eq!(out[0]["original_type"], "task");
    // Gone from every listing; its dependent is ready; show says it was deleted.
    assert_eq!(ids(&p.json(&["list"])), vec![b.clone()]);
    assert_eq!(p.ready(None), vec![b.clone()]);
    let shown = p.gt(&["show", &a]);
    assert_eq!(shown.code, 1);
    assert!(shown.stderr.contains("was deleted"), "{}", shown.stderr);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let line = text.lines().find(|l| l.contains(&a)).unwrap();
    assert!(line.contains(r#""status":"tombstone""#), "{line}");
    assert!(line.contains(r#""deleted_at":"#), "{line}");
    // Import applies a tombstone to a live record older than the deletion.
    let q = Project::new();
    let c = q.create("Live here", &[]);
    let rec = &q.json(&["show", &c])[0];
    let mut tomb = rec.clone();
    tomb["status"] = "tombstone".into();
    tomb["deleted_at"] = "2999-01-01T00:00:00Z".into();
    tomb["updated_at"] = "2999-01-01T00:00:00Z".into();
    let file = q.path().join("t.jsonl");
    std::fs::write(&file, format!("{tomb}\n")).unwrap();
    q.gt(&["import", file.to_str().unwrap()]).ok();
    assert!(ids(&q.json(&["list"])).is_empty());
}

#[test]
fn burning_a_persistent_molecule_leaves_tombstones_and_a_wisp_none() {
    let p = Project::new();
    p.formula(
        "two",
        "formula = \"two\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"a\"]\n",
    );
    let mol = id_of(&p.json(&["pour", "two"])[0]);
    let wisp = id_of(&p.json(&["wisp", "two"])[0]);
    p.gt(&["flush"]).ok();
    p.json(&["burn", &mol, "--force"]);
    p.json(&["burn", &wisp]);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let tombs = text
        .lines()
        .filter(|l| l.contains(r#""status":"tombstone""#))
        .count();
    assert_eq!(tombs, 3, "root and both steps: {text}");
    assert!(!text.contains(&wisp), "wisps never reach git: {text}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sync(dir: &Path) -> String {
    gt_in(dir, &["sync"]).ok().stderr
}

/// A bare remote, clone `a` with the ledger `text` committed and pushed, and clone `b`.
fn two_clones(root: &Path, text: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let remote = root.join("remote.git");
    std::fs::create_dir(&remote).unwrap();
    git(&remote, &["init", "--bare", "-q", "-b", "main"]);
    let a = root.join("a");
    std::fs::create_dir(&a).unwrap();
    git(&a, &["init", "-q", "-b", "main"]);
    git(&a, &["remote", "add", "origin", remote.to_str().unwrap()]);
    gt_in(&a, &["init", "--prefix", "gt"]).ok();
    std::fs::write(a.join(".beads/issues.jsonl"), text).unwrap();
    sync(&a);
    git(&a, &["branch", "--set-upstream-to=origin/main"]);
    git(root, &["clone", "-q", remote.to_str().unwrap(), "b"]);
    (a, root.join("b"))
}

fn ledger_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".beads/issues.jsonl")).unwrap()
}

#[test]
fn sync_never_deletes_a_record_no_one_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_clones(tmp.path(), LEDGER);
    gt_in(&a, &["create", "From A"]).ok();
    gt_in(&b, &["create", "From B"]).ok();
    sync(&a);
    sync(&b);
    sync(&a);
    let (la, lb) = (ledger_of(&a), ledger_of(&b));
    assert_eq!(la, lb);
    for want in LEDGER.lines() {
        assert!(la.lines().any(|l| l == want), "lost: {want}\n{la}");
    }
    assert!(la.contains("From A") && la.contains("From B"));
}

#[test]
fn a_deletion_travels_and_stays_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_clones(tmp.path(), "");
    let x = id_of(&support_json(&a, &["create", "Doomed"])[0]);
    let y = id_of(&support_json(&a, &["create", "Survivor"])[0]);
    sync(&a);
    sync(&b);
    assert_eq!(id_of(&support_json(&b, &["show", &x])[0]), x);
    support_json(&a, &["delete", &x]);
    sync(&a);
    sync(&b);
    sync(&a);
    for dir in [&a, &b] {
        let listed = ids(&support_json(dir, &["list"]));
        assert_eq!(listed, vec![y.clone()], "in {}", dir.display());
        assert_eq!(gt_in(dir, &["show", &x]).code, 1);
        let text = ledger_of(dir);
        let line = text.lines().find(|l| l.contains(&x)).unwrap();
        assert!(line.contains(r#""status":"tombstone""#), "{line}");
    }
    // Further flushes and syncs on either side do not bring it back.
    gt_in(&b, &["flush"]).ok();
    sync(&b);
    sync(&a);
    gt_in(&a, &["flush"]).ok();
    for dir in [&a, &b] {
        assert_eq!(ids(&support_json(dir, &["list"])), vec![y.clone()]);
    }
    assert_eq!(ledger_of(&a), ledger_of(&b));
}

#[test]
fn a_newer_edit_beats_an_older_deletion_and_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_clones(tmp.path(), "");
    let x = id_of(&support_json(&a, &["create", "Contested"])[0]);
    sync(&a);
    sync(&b);
    support_json(&a, &["delete", &x]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    support_json(&b, &["update", &x, "--title", "Still wanted"]);
    sync(&a);
    let report = sync(&b);
    assert!(
        report.contains(&x) && report.contains("deleted"),
        "the resurrection is reported: {report}"
    );
    sync(&a);
    for dir in [&a, &b] {
        let shown = &support_json(dir, &["show", &x])[0];
        assert_eq!(shown["title"], "Still wanted", "in {}", dir.display());
        assert_eq!(shown["status"], "open");
    }
}

fn support_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    gt_in(dir, &all).ok().json()
}

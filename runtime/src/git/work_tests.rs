//! The village's git operations on a real repository.

use super::work::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A repository with one commit on `main`, checked out.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    git(dir.path(), &["init", "--quiet", "--initial-branch", "main"]);
    std::fs::write(dir.path().join("README"), "hello\n").unwrap_or_else(|e| panic!("{e}"));
    git(dir.path(), &["add", "README"]);
    git(dir.path(), &["commit", "--quiet", "-m", "start"]);
    dir
}

fn tip(repo: &Path) -> String {
    branch_tip(repo, "main")
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no main"))
}

/// A worktree with one commit writing `file` on a new branch; (branch, commit).
fn step(repo: &Path, wt: &Path, branch: &str, file: &str) -> (String, String) {
    ensure_worktree(repo, wt, &tip(repo)).unwrap_or_else(|e| panic!("{e}"));
    start_branch(wt, branch, &tip(repo)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(wt.join(file), file).unwrap_or_else(|e| panic!("{e}"));
    let c = commit_all(wt, &format!("add {file}"), &Author::agent("app/polecat-1"))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing committed"));
    detach(wt).unwrap_or_else(|e| panic!("{e}"));
    (branch.to_owned(), c)
}

#[test]
fn a_step_branch_rebases_merges_fast_forward_and_is_deleted_only_once_merged() {
    let r = repo();
    let root = r.path();
    assert_eq!(current_branch(root).ok().flatten().as_deref(), Some("main"));
    let wt1 = root.join(".wt/p1");
    let wt2 = root.join(".wt/p2");
    let (b1, c1) = step(root, &wt1, "gt/s1/p1-g1", "one.txt");
    let (b2, c2) = step(root, &wt2, "gt/s2/p2-g1", "two.txt");
    assert!(
        commit_all(&wt1, "nothing", &Author::agent("x"))
            .ok()
            .flatten()
            .is_none()
    );
    let author = git(root, &["log", "-1", "--format=%an <%ae>", &c1]);
    assert_eq!(author, "app/polecat-1 <app-polecat-1@gt.invalid>");

    // Not merged yet: deleting is refused.
    let refused = delete_merged_branch(root, &b1, &c1, "main");
    assert!(refused.is_err());
    assert!(branch_tip(root, &b1).ok().flatten().is_some());

    // The first merges as a fast-forward into the checked-out main, files and all.
    let rw = root.join(".wt/refinery");
    ensure_worktree(root, &rw, &tip(root)).unwrap_or_else(|e| panic!("{e}"));
    let old = tip(root);
    let Rebased::Onto(n1) =
        rebase(&rw, &c1, &old, &Author::agent("app/refinery")).unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("conflict")
    };
    move_branch(root, &b1, &n1, &c1).unwrap_or_else(|e| panic!("{e}"));
    fast_forward(root, "main", &n1, &old).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        root.join("one.txt").is_file(),
        "the checked-out main follows"
    );
    delete_merged_branch(root, &b1, &n1, "main").unwrap_or_else(|e| panic!("{e}"));
    assert!(branch_tip(root, &b1).ok().flatten().is_none());

    // The second was made on the old main: rebased onto the new one, then merged.
    let old = tip(root);
    let Rebased::Onto(n2) =
        rebase(&rw, &c2, &old, &Author::agent("app/refinery")).unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("conflict")
    };
    assert_ne!(n2, c2);
    // A stale expectation of main is refused (compare-and-swap).
    let start = git(root, &["rev-list", "--max-parents=0", "main"]);
    assert!(fast_forward(root, "main", &n2, &start).is_err());
    fast_forward(root, "main", &n2, &old).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        subjects(root, "main").unwrap_or_default(),
        ["start", "add one.txt", "add two.txt"]
    );
    // Its branch still points at the unrebased commit: not on main, so not deleted.
    assert!(delete_merged_branch(root, &b2, &c2, "main").is_err());
}

#[test]
fn a_conflict_is_reported_and_leaves_the_worktree_usable() {
    let r = repo();
    let root = r.path();
    let (_b, c) = step(root, &root.join(".wt/p1"), "gt/a/p1-g1", "README");
    std::fs::write(root.join("README"), "changed on main\n").unwrap_or_else(|e| panic!("{e}"));
    git(root, &["commit", "--quiet", "-am", "main changes README"]);
    let rw = root.join(".wt/refinery");
    ensure_worktree(root, &rw, &tip(root)).unwrap_or_else(|e| panic!("{e}"));
    let got = rebase(&rw, &c, &tip(root), &Author::agent("app/refinery"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(got, Rebased::Conflict(_)), "{got:?}");
    // The next rebase in the same worktree works.
    let (_b, c2) = step(root, &root.join(".wt/p2"), "gt/b/p2-g1", "new.txt");
    let got = rebase(&rw, &c2, &tip(root), &Author::agent("app/refinery"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(got, Rebased::Onto(_)), "{got:?}");
}

#[test]
fn the_test_command_passes_fails_and_times_out() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let argv = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let t = std::time::Duration::from_secs(20);
    assert_eq!(
        run_tests(dir.path(), &[], t).ok(),
        Some((true, String::new()))
    );
    assert!(run_tests(dir.path(), &argv(&["true"]), t).is_ok_and(|(ok, _)| ok));
    let (ok, out) = run_tests(dir.path(), &argv(&["sh", "-c", "echo boom >&2; exit 4"]), t)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !ok && out.contains("exit 4") && out.contains("boom"),
        "{out}"
    );
    let (ok, out) = run_tests(
        dir.path(),
        &argv(&["sleep", "10"]),
        std::time::Duration::from_millis(200),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!ok && out.contains("timed out"), "{out}");
    assert!(run_tests(dir.path(), &argv(&["/no/such/program"]), t).is_err());
}

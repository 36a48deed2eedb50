//! Shared by the village tests: a temporary town (a git repository with a ledger and
//! formulas), `gt run` with a deadline, and readers of what the run left behind.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use gt::flow::queue::{self, Queued};
use gt::ledger::{Issue, Ledger};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A town in a temporary directory: `gt init --prefix t`, the ledger committed.
pub struct Town {
    pub dir: tempfile::TempDir,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn ok(self) -> Out {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn gt_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gt"));
    c.current_dir(dir)
        .env("GT_ACTOR", "tester")
        .env("HOME", dir)
        .env_remove("BD_ACTOR")
        .env_remove("BEADS_DIR")
        .env_remove("GT_ROOT");
    c
}

impl Town {
    /// A town whose `.beads/config.toml` holds `config` after the prefix.
    pub fn new(config: &str) -> Town {
        let dir = tempfile::tempdir().unwrap();
        let t = Town { dir };
        let out = t.gt(&["init", "--prefix", "t"]);
        assert_eq!(out.code, 0, "{out:?}");
        let cfg = t.path().join(".beads/config.toml");
        let mut text = std::fs::read_to_string(&cfg).unwrap();
        text.push_str(config);
        std::fs::write(&cfg, text).unwrap();
        t
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Write `.beads/formulas/NAME.formula.toml`.
    pub fn formula(&self, name: &str, text: &str) {
        let d = self.path().join(".beads/formulas");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("{name}.formula.toml")), text).unwrap();
    }

    /// Run `gt ARGS` to its end.
    pub fn gt(&self, args: &[&str]) -> Out {
        let out = gt_command(&self.path()).args(args).output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Start `gt run ARGS --plain` without waiting.
    pub fn start_run(&self, args: &[&str]) -> Child {
        self.spawn_run(args, gt_command(&self.path()))
    }

    /// Start `gt run ARGS --plain` with `dir` first on `PATH` (fake tools).
    pub fn start_run_with_path(&self, args: &[&str], dir: &Path) -> Child {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![dir.to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        let mut c = gt_command(&self.path());
        c.env("PATH", std::env::join_paths(paths).unwrap());
        self.spawn_run(args, c)
    }

    fn spawn_run(&self, args: &[&str], mut c: Command) -> Child {
        c.arg("run")
            .args(args)
            .arg("--plain")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Wait until `pred` holds of the ledger, failing the test after `limit`.
    pub fn wait_until(&self, what: &str, limit: Duration, pred: impl Fn(&[Issue]) -> bool) {
        let end = Instant::now() + limit;
        while !pred(&self.issues()) {
            assert!(
                Instant::now() < end,
                "{what}: not within {limit:?}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `gt create TITLE`: the new issue's id.
    pub fn create(&self, title: &str) -> String {
        let out = self.gt(&["create", title, "--json"]).ok();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v[0]["id"].as_str().unwrap().to_owned()
    }

    /// The issue whose id ends with `suffix`.
    pub fn find(&self, suffix: &str) -> Issue {
        self.issues()
            .into_iter()
            .find(|i| i.id.ends_with(suffix))
            .unwrap_or_else(|| panic!("no issue ends with {suffix}"))
    }

    /// `gt run ARGS --plain` with the variable `key` set to `value`, failing the test
    /// after `limit`.
    pub fn run_with_env(&self, args: &[&str], key: &str, value: &Path, limit: Duration) -> Out {
        let mut c = gt_command(&self.path());
        c.env(key, value);
        let child = self.spawn_run(args, c);
        finish(child, limit, &self.path())
    }

    /// `gt run ARGS --plain`, failing the test after `limit`.
    pub fn run(&self, args: &[&str], limit: Duration) -> Out {
        let child = self.start_run(args);
        finish(child, limit, &self.path())
    }

    pub fn ledger(&self) -> Ledger {
        Ledger::discover(&self.path(), "tester").unwrap()
    }

    /// Every issue (wisps included).
    pub fn issues(&self) -> Vec<Issue> {
        self.ledger().read(|tx| tx.all()).unwrap()
    }

    /// The molecule roots poured by `gt run`.
    pub fn runs(&self) -> Vec<Issue> {
        self.issues()
            .into_iter()
            .filter(|i| i.issue_type == "molecule" && i.labels.iter().any(|l| l == "gt:run"))
            .collect()
    }

    /// The steps of molecule `mol` (not the root, gates, digests or bonded roots).
    pub fn steps(&self, mol: &str) -> Vec<Issue> {
        let mut l = self.ledger();
        let ids = l.read(|tx| tx.subtree(mol)).unwrap();
        self.issues()
            .into_iter()
            .filter(|i| ids.contains(&i.id) && i.id != mol)
            .filter(|i| {
                !["gate", "molecule"].contains(&i.issue_type.as_str())
                    && !i.labels.iter().any(|l| l == "digest")
            })
            .collect()
    }

    /// Every merge request (all statuses), in queue order.
    pub fn merge_requests(&self, rig: &str) -> Vec<Queued> {
        self.ledger().read(|tx| queue::list(tx, rig, true)).unwrap()
    }

    /// `git ARGS` in the town; its output.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Every village log, for failure messages.
    pub fn logs(&self) -> String {
        logs(&self.path())
    }
}

/// Every village log under `dir`.
pub fn logs(dir: &Path) -> String {
    let mut t = String::new();
    let d = dir.join(".beads/village/logs");
    let mut files: Vec<_> = std::fs::read_dir(&d)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        t.push_str(&format!(
            "== {}\n{}",
            f.display(),
            std::fs::read_to_string(&f).unwrap_or_default()
        ));
    }
    t
}

/// Wait for `child` (a `gt run`) up to `limit`; kill it and fail with the logs past that.
pub fn finish(mut child: Child, limit: Duration, dir: &Path) -> Out {
    let end = Instant::now() + limit;
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return Out {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            };
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "gt run did not finish within {limit:?}\nstdout: {}\nstderr: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                logs(dir)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A formula of `n` independent steps `s1..sn` followed by `join` needing them all.
pub fn fan(name: &str, n: usize) -> String {
    let mut t = format!("formula = \"{name}\"\n");
    for i in 1..=n {
        t.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n"
        ));
    }
    let needs: Vec<String> = (1..=n).map(|i| format!("\"s{i}\"")).collect();
    t.push_str(&format!(
        "\n[[steps]]\nid = \"join\"\ntitle = \"Join\"\nneeds = [{}]\n",
        needs.join(", ")
    ));
    t
}

/// Assert that every step of `mol` is closed exactly once and its work (when it had an
/// MR) landed once on `main`, in the queue's order, with no branch deleted before its
/// merge landed.
pub fn assert_merged_fifo(town: &Town, mol: &str, rig: &str) {
    let steps = town.steps(mol);
    assert!(!steps.is_empty());
    for s in &steps {
        assert_eq!(
            s.status,
            "closed",
            "{} is {}\n{}",
            s.id,
            s.status,
            town.logs()
        );
    }
    let mrs = town.merge_requests(rig);
    let landed: Vec<&Queued> = mrs.iter().filter(|q| q.mr.merged.is_some()).collect();
    for s in &steps {
        let n = landed.iter().filter(|q| q.mr.step == s.id).count();
        assert_eq!(n, 1, "{} landed {n} times", s.id);
    }
    let subjects = town.git(&["log", "--first-parent", "--reverse", "--format=%s", "main"]);
    let merged_order: Vec<String> = subjects
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(id, _)| id.to_owned()))
        .filter(|id| steps.iter().any(|s| &s.id == id))
        .collect();
    let queue_order: Vec<String> = landed
        .iter()
        .filter(|q| steps.iter().any(|s| s.id == q.mr.step))
        .map(|q| q.mr.step.clone())
        .collect();
    assert_eq!(
        merged_order, queue_order,
        "main's history follows the queue (FIFO)"
    );
    let main = town.git(&["rev-parse", "main"]);
    for q in &mrs {
        if let Some(deleted) = &q.mr.branch_deleted_at {
            let merged_at =
                q.mr.merged_at
                    .clone()
                    .unwrap_or_else(|| panic!("{} deleted unmerged", q.issue.id));
            assert!(
                merged_at <= *deleted,
                "{}: deleted before its merge",
                q.issue.id
            );
            let sha = q.mr.merged.clone().unwrap();
            let out = Command::new("git")
                .arg("-C")
                .arg(town.path())
                .args(["merge-base", "--is-ancestor", &sha, &main])
                .status()
                .unwrap();
            assert!(out.success(), "{}: its merge is not on main", q.issue.id);
        }
    }
}

//! Shared by the `gt` process tests: a temporary project with a ledger, and a runner.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::new_without_default
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary directory with `gt init --prefix t` done.
pub struct Project {
    pub dir: tempfile::TempDir,
}

/// What a `gt` run printed.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
    pub fn ok(self) -> Out {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn gt_in(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_gt"))
        .args(args)
        .current_dir(dir)
        .env("GT_ACTOR", "tester")
        .env("HOME", dir)
        .env_remove("BD_ACTOR")
        .output()
        .expect("run gt");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        gt_in(dir.path(), &["init", "--prefix", "t"]).ok();
        Project { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn gt(&self, args: &[&str]) -> Out {
        gt_in(self.dir.path(), args)
    }

    /// Run with `--json` and return the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        self.gt(&all).ok().json()
    }

    /// Create an issue; its id.
    pub fn create(&self, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["create", title];
        args.extend_from_slice(extra);
        id_of(&self.json(&args)[0])
    }

    /// Write `.beads/formulas/NAME.formula.toml`.
    pub fn formula(&self, name: &str, text: &str) {
        let dir = self.dir.path().join(".beads/formulas");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.formula.toml")), text).unwrap();
    }

    /// Ids of the ready issues (optionally of one molecule).
    pub fn ready(&self, mol: Option<&str>) -> Vec<String> {
        let mut args = vec!["ready"];
        if let Some(m) = mol {
            args.extend(["--mol", m]);
        }
        ids(&self.json(&args))
    }
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

pub fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(id_of).collect()
}

/// Run `git` in `dir` (HOME there, no system config); panics with git's stderr.
pub fn git(dir: &Path, args: &[&str]) {
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

/// Run `gt ARGS --json` in `dir` and parse its output.
pub fn json_in(dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    gt_in(dir, &all).ok().json()
}

//! Where the village keeps its files: `.beads/village/`, which ignores itself in git
//! (its `.gitignore` says `*`), so worktrees, logs and prompts never reach a commit.
//!
//! ```text
//! .beads/village/
//!   worktrees/<rig>/<agent>/   a git worktree per polecat, one for the refinery
//!   logs/<agent>.log           each role process's standard error
//!   prompts/<agent>.md         the prompt file of the step an agent works on
//!   results/<agent>.json       where an exec or claude agent writes its exit
//!   scratch/<agent>/           where an agent works on a rig without git
//! ```

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The village directory of a ledger directory (`.beads/`).
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    /// The layout under `beads_dir`, created (with its self-ignoring `.gitignore`).
    pub fn create(beads_dir: &Path) -> Result<Layout> {
        let root = beads_dir.join("village");
        for sub in ["worktrees", "logs", "prompts", "results", "scratch"] {
            let d = root.join(sub);
            std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
        }
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(
                &ignore,
                "# gt: the village's working files stay out of git\n*\n",
            )
            .map_err(|e| Error::io(&ignore, e))?;
        }
        Ok(Layout { root })
    }

    /// The layout under `beads_dir`, as it is (not created).
    pub fn at(beads_dir: &Path) -> Layout {
        Layout {
            root: beads_dir.join("village"),
        }
    }

    /// The worktree of `agent` on `rig`.
    pub fn worktree(&self, rig: &str, agent: &str) -> PathBuf {
        self.root.join("worktrees").join(rig).join(file_name(agent))
    }

    /// Where `agent` works on a rig without git.
    pub fn scratch(&self, agent: &str) -> PathBuf {
        self.root.join("scratch").join(file_name(agent))
    }

    /// The log of `agent`.
    pub fn log(&self, agent: &str) -> PathBuf {
        self.root
            .join("logs")
            .join(format!("{}.log", file_name(agent)))
    }

    /// The prompt file of `agent`.
    pub fn prompt(&self, agent: &str) -> PathBuf {
        self.root
            .join("prompts")
            .join(format!("{}.md", file_name(agent)))
    }

    /// The result file of `agent`.
    pub fn result(&self, agent: &str) -> PathBuf {
        self.root
            .join("results")
            .join(format!("{}.json", file_name(agent)))
    }
}

/// An agent address as one file name (`app/polecat-1` -> `app-polecat-1`).
fn file_name(agent: &str) -> String {
    agent.replace('/', "-")
}

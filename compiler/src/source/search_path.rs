//! The search path for formula names, in order, after the checked files and the
//! directory of the formula being checked (see `resolve::names`): `--search-path` dirs,
//! the project's `.beads/formulas/` (`$BEADS_DIR`, or the nearest `.beads/` above the
//! working directory, `.beads/redirect` followed), the git root's `.beads/formulas/` (and
//! the main checkout's, from a worktree), `$GT_ROOT/.beads/formulas/`, the user's
//! `~/.beads/formulas/`, then the stdlib embedded in the binary.

use super::beads_dir::{self, git_roots};
use crate::syntax::Format;
use std::path::{Path, PathBuf};

/// The formulas shipped inside the binary, as (file name, text).
pub const STDLIB: &[(&str, &str)] = &[
    (
        "mol-review-cycle.formula.toml",
        include_str!("../../../stdlib-formulas/mol-review-cycle.formula.toml"),
    ),
    (
        "exp-tdd.formula.toml",
        include_str!("../../../stdlib-formulas/exp-tdd.formula.toml"),
    ),
    (
        "aspect-approval.formula.toml",
        include_str!("../../../stdlib-formulas/aspect-approval.formula.toml"),
    ),
    (
        "mol-deacon-patrol.formula.toml",
        include_str!("../../../stdlib-formulas/mol-deacon-patrol.formula.toml"),
    ),
    (
        "mol-witness-patrol.formula.toml",
        include_str!("../../../stdlib-formulas/mol-witness-patrol.formula.toml"),
    ),
    (
        "mol-refinery-patrol.formula.toml",
        include_str!("../../../stdlib-formulas/mol-refinery-patrol.formula.toml"),
    ),
    (
        "mol-polecat-work.formula.toml",
        include_str!("../../../stdlib-formulas/mol-polecat-work.formula.toml"),
    ),
];

/// The environment variables that move the search path, read once by the caller (so
/// tests can inject them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchEnv {
    /// `$BEADS_DIR`: the project's `.beads` directory, wherever the process runs.
    pub beads_dir: Option<PathBuf>,
    /// `$GT_ROOT`: the Gas Town town root, whose `.beads/formulas/` is searched.
    pub gt_root: Option<PathBuf>,
}

impl SearchEnv {
    /// The values of this process's environment (unset and empty are the same).
    pub fn from_process() -> SearchEnv {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        SearchEnv {
            beads_dir: var("BEADS_DIR"),
            gt_root: var("GT_ROOT"),
        }
    }
}

/// A layer of name resolution: where a formula file was found.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The directory of the formula being checked or cooked.
    Sibling(PathBuf),
    /// A `--search-path` directory.
    SearchPath(PathBuf),
    /// The project's `.beads/formulas/`; `how` says how it was found.
    Project {
        /// The directory.
        dir: PathBuf,
        /// `$BEADS_DIR`, `.beads/redirect`, or the walk up from the working directory.
        how: &'static str,
    },
    /// The git checkout's root `.beads/formulas/` (or the main checkout's, from a worktree).
    GitRoot(PathBuf),
    /// `$GT_ROOT/.beads/formulas/`.
    GtRoot(PathBuf),
    /// `~/.beads/formulas/`.
    User(PathBuf),
    /// The formulas embedded in the binary.
    Stdlib,
}

impl Layer {
    /// The directory searched (`<stdlib>` for the embedded formulas).
    pub fn dir(&self) -> &Path {
        match self {
            Layer::Sibling(d)
            | Layer::SearchPath(d)
            | Layer::Project { dir: d, .. }
            | Layer::GitRoot(d)
            | Layer::GtRoot(d)
            | Layer::User(d) => d,
            Layer::Stdlib => Path::new("<stdlib>"),
        }
    }

    /// How a person would name the layer, e.g. `--search-path lib`, `user: ~/.beads/formulas`.
    pub fn describe(&self) -> String {
        match self {
            Layer::Sibling(d) => {
                format!("a sibling of the checked formula in {}", shown(d))
            }
            Layer::SearchPath(d) => format!("--search-path {}", shown(d)),
            Layer::Project { dir, how } => format!("project, {how}: {}", dir.display()),
            Layer::GitRoot(d) => format!("git root: {}", d.display()),
            Layer::GtRoot(d) => format!("$GT_ROOT: {}", d.display()),
            Layer::User(d) => format!("user: {}", d.display()),
            Layer::Stdlib => String::from("the stdlib embedded in gtc"),
        }
    }
}

/// A directory as the user wrote it (`.` for the empty path of a bare file name).
fn shown(d: &Path) -> String {
    if d.as_os_str().is_empty() {
        String::from(".")
    } else {
        d.display().to_string()
    }
}

/// The search path's directory layers and what went wrong finding them.
#[derive(Clone, Debug, Default)]
pub struct SearchDirs {
    /// Existing directories in priority order, without repeats.
    pub layers: Vec<Layer>,
    /// Problems worth a warning: a `.beads/redirect` or `$BEADS_DIR` that leads nowhere.
    pub problems: Vec<String>,
}

/// The search path's directory layers (the stdlib excluded) for a process in `cwd`:
/// `extra` (`--search-path`), the project, the git roots, `$GT_ROOT`, then `home`.
/// Relative paths (`extra`, `$BEADS_DIR`, `$GT_ROOT`) are relative to the process, as
/// written; missing directories and repeats are dropped.
pub fn search_dirs(
    extra: &[PathBuf],
    cwd: &Path,
    home: Option<&Path>,
    env: &SearchEnv,
) -> SearchDirs {
    let mut out = SearchDirs::default();
    let mut layers: Vec<Layer> = extra.iter().cloned().map(Layer::SearchPath).collect();
    if let Some((dir, how)) = beads_dir::project_formulas(cwd, env, &mut out.problems) {
        layers.push(Layer::Project { dir, how });
    }
    for root in git_roots(cwd) {
        layers.push(Layer::GitRoot(root.join(".beads").join("formulas")));
    }
    if let Some(town) = &env.gt_root {
        layers.push(Layer::GtRoot(town.join(".beads").join("formulas")));
    }
    if let Some(home) = home {
        layers.push(Layer::User(home.join(".beads").join("formulas")));
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    for layer in layers {
        let dir = layer.dir();
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if dir.is_dir() && !seen.contains(&key) {
            seen.push(key);
            out.layers.push(layer);
        }
    }
    out
}

/// `p` against `base` when relative.
pub(super) fn absolute(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// The formula files directly in `dir` (not in its subdirectories, as the reference looks
/// them up), sorted by name, and for one stem in the reference's order of extensions:
/// `.formula.toml`, then `.formula.json`, then ours, `.formula.yaml` and `.formula.yml`.
pub fn formula_files_in(dir: &Path) -> Vec<PathBuf> {
    let listed = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(listed) else {
        return Vec::new();
    };
    let mut files: Vec<(String, usize, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (stem, ext) = name.rsplit_once(".formula.")?;
            let rank = ["toml", "json", "yaml", "yml"]
                .iter()
                .position(|x| *x == ext)?;
            let path = dir.join(&name);
            Format::from_path(&path)?;
            Some((stem.to_owned(), rank, path))
        })
        .collect();
    files.sort();
    files.into_iter().map(|(_, _, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_a_directory_follow_the_reference_extension_order() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for name in [
            "b.formula.yml",
            "b.formula.json",
            "b.formula.toml",
            "a.formula.yaml",
            "c.toml",
            "notes.md",
        ] {
            std::fs::write(d.path().join(name), "").unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::create_dir_all(d.path().join("sub")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.path().join("sub/z.formula.toml"), "").unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = formula_files_in(d.path())
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        assert_eq!(
            names,
            [
                "a.formula.yaml",
                "b.formula.toml",
                "b.formula.json",
                "b.formula.yml"
            ]
        );
    }

    #[test]
    fn missing_and_repeated_layers_are_dropped() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let lib = d.path().join("lib");
        std::fs::create_dir_all(&lib).unwrap_or_else(|e| panic!("{e}"));
        let found = search_dirs(
            &[lib.clone(), d.path().join("missing"), lib.clone()],
            d.path(),
            None,
            &SearchEnv::default(),
        );
        assert_eq!(found.layers, [Layer::SearchPath(lib)]);
        assert!(found.problems.is_empty());
    }
}

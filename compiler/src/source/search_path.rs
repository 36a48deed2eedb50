//! The search path for formula names: `--search-path` dirs, the project's
//! `.beads/formulas/`, the user's `~/.beads/formulas/`, then the embedded stdlib.

use super::discover_formula_files;
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
];

/// The directories to search, in priority order: `extra` first, then the nearest
/// `.beads/formulas` above `cwd`, then `home/.beads/formulas`. Missing ones are dropped.
pub fn search_dirs(extra: &[PathBuf], cwd: &Path, home: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = extra.to_vec();
    if let Some(project) = cwd
        .ancestors()
        .map(|a| a.join(".beads").join("formulas"))
        .find(|p| p.is_dir())
    {
        dirs.push(project);
    }
    if let Some(home) = home {
        dirs.push(home.join(".beads").join("formulas"));
    }
    let mut seen = Vec::new();
    dirs.retain(|d| {
        let key = d.canonicalize().unwrap_or_else(|_| d.clone());
        let keep = d.is_dir() && !seen.contains(&key);
        seen.push(key);
        keep
    });
    dirs
}

/// Every formula file in `dirs`, directory by directory (priority order kept).
pub fn library_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|d| discover_formula_files(d).0)
        .collect()
}

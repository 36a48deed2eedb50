//! Finding formula files on disk.

use crate::syntax::Format;
use std::path::{Path, PathBuf};

/// The formula name a file name implies: `mol-x.formula.toml` -> `mol-x`.
pub fn formula_stem(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let (stem, _) = name.rsplit_once(".formula.")?;
    Format::from_path(path).map(|_| stem)
}

/// Every formula file (`*.formula.{toml,json,yaml,yml}`) under `dir`, sorted by path.
/// Hidden directories other than `.beads` and `target/` build directories are skipped.
/// Unreadable entries are returned as errors beside the files found.
pub fn discover_formula_files(dir: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !(name == "target"
                || name == "node_modules"
                || (name.starts_with('.') && name != ".beads"))
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && Format::from_path(e.path()).is_some() => {
                files.push(e.into_path());
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf());
                errors.push((path, err.to_string()));
            }
        }
    }
    files.sort();
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(
            formula_stem(Path::new("a/mol-x.formula.toml")),
            Some("mol-x")
        );
        assert_eq!(formula_stem(Path::new("mol-x.formula.yml")), Some("mol-x"));
        assert_eq!(formula_stem(Path::new("mol-x.toml")), None);
    }
}

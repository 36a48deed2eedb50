//! Embeds the standard library: every `*.formula.*` file of `stdlib-formulas/`, sorted
//! by file name, becomes an entry of `source::STDLIB` (generated into `$OUT_DIR`), so a
//! formula added to the folder ships without a code change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(e) = run() {
        // A build script reports failure by exiting non-zero; cargo shows stderr.
        eprintln!("embedding stdlib-formulas/: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?;
    let out = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let dir = Path::new(&manifest).join("../stdlib-formulas");
    // A directory: cargo re-runs the script when any file in it changes, is added or removed.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| format!("{}: a file name that is not UTF-8: {n:?}", dir.display()))?;
        const EXTENSIONS: [&str; 4] = [
            ".formula.toml",
            ".formula.json",
            ".formula.yaml",
            ".formula.yml",
        ];
        if name.contains(".formula.") {
            if !EXTENSIONS.iter().any(|e| name.ends_with(e)) {
                return Err(format!(
                    "{}/{name}: a formula file must end in .formula.toml, .json, .yaml or .yml",
                    dir.display()
                ));
            }
            let path = std::fs::canonicalize(entry.path())
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            files.push((name, path));
        }
    }
    if files.is_empty() {
        return Err(format!("{} holds no *.formula.* file", dir.display()));
    }
    files.sort();
    let mut code = String::from("&[\n");
    for (name, path) in &files {
        let path = path
            .to_str()
            .ok_or_else(|| format!("{}: a path that is not UTF-8", path.display()))?;
        writeln!(code, "    ({name:?}, include_str!({path:?})),").map_err(|e| e.to_string())?;
    }
    code.push_str("]\n");
    let target = Path::new(&out).join("stdlib.rs");
    std::fs::write(&target, code).map_err(|e| format!("{}: {e}", target.display()))
}

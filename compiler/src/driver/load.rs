//! Loading a workspace: the checked files, read in parallel; their siblings (the other
//! formula files of their directories); the search path's directories in order; the
//! embedded stdlib. Library files are read, not parsed: a name resolves by file name.

use crate::db::{Database, LibraryFile, SourceFile, Workspace};
use crate::source::{
    Layer, STDLIB, SearchEnv, discover_formula_files, formula_files_in, search_dirs,
};
use crate::syntax::Format;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A problem reading input: reported on stderr, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The path.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Where to look for formulas.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--search-path` directories.
    pub search_path: Vec<PathBuf>,
    /// Working directory (for the project's `.beads/formulas` and the git root).
    pub cwd: PathBuf,
    /// Home directory (for `~/.beads/formulas`).
    pub home: Option<PathBuf>,
}

/// A loaded workspace, the files that could not be read (exit status 2), and warnings
/// about the search path (a `$BEADS_DIR` or `.beads/redirect` that leads nowhere).
#[derive(Debug)]
pub struct Loaded {
    /// The workspace.
    pub workspace: Workspace,
    /// Checked files that could not be read.
    pub errors: Vec<LoadError>,
    /// Search-path warnings.
    pub warnings: Vec<String>,
}

/// The files of `paths` (files, or directories searched recursively), sorted and deduplicated.
pub fn collect_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            let (found, errs) = discover_formula_files(p);
            files.extend(found);
            errors.extend(
                errs.into_iter()
                    .map(|(path, message)| LoadError { path, message }),
            );
        } else if p.exists() {
            files.push(p.clone());
        } else {
            errors.push(LoadError {
                path: p.clone(),
                message: String::from("no such file or directory"),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    (files, errors)
}

/// Read one file into the database.
pub fn read_source(db: &Database, path: &Path) -> Result<SourceFile, LoadError> {
    let text = read_text(path)?;
    let format = Format::from_path(path).unwrap_or_else(|| Format::guess(path));
    Ok(SourceFile::new(db, path.to_path_buf(), text, format))
}

/// Read a file's text, refusing non-UTF-8 with the offset of the first bad byte.
pub fn read_text(path: &Path) -> Result<Arc<str>, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError {
        path: path.to_path_buf(),
        message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    })?;
    Ok(Arc::from(text))
}

/// Build the workspace: the checked `files`, then the library in resolution order: the
/// siblings of each checked file (the other formula files of its directory), the search
/// path's directories, the stdlib. A library file that cannot be read is left out with a
/// warning (it may never be referenced; if it is, the name is unknown).
pub fn load(db: &Database, files: &[PathBuf], opts: &LoadOptions, env: &SearchEnv) -> Loaded {
    let mut errors = Vec::new();
    let read: Vec<Result<Arc<str>, LoadError>> = files.par_iter().map(|p| read_text(p)).collect();
    let mut sources = Vec::new();
    for (path, r) in files.iter().zip(read) {
        match r {
            Ok(text) => {
                let format = Format::from_path(path).unwrap_or_else(|| Format::guess(path));
                sources.push(SourceFile::new(db, path.clone(), text, format));
            }
            Err(e) => errors.push(e),
        }
    }
    let mut library = Vec::new();
    let mut layers = Vec::new();
    let mut warnings = Vec::new();
    let mut add = |layer: Layer, paths: Vec<PathBuf>, warnings: &mut Vec<String>| {
        for p in paths {
            match read_source(db, &p) {
                Ok(file) => library.push(LibraryFile {
                    file,
                    layer: layer.clone(),
                }),
                Err(e) => warnings.push(format!(
                    "{}: {} (skipped: formulas named after it resolve further down the search path)",
                    e.path.display(),
                    e.message
                )),
            }
        }
        layers.push(layer);
    };
    // Siblings: most are usually checked already (a whole directory was given).
    let checked: BTreeSet<&Path> = files.iter().map(PathBuf::as_path).collect();
    let dirs: BTreeSet<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    for dir in dirs {
        let siblings = formula_files_in(dir)
            .into_iter()
            .filter(|p| !checked.contains(p.as_path()))
            .collect();
        add(Layer::Sibling(dir.to_path_buf()), siblings, &mut warnings);
    }
    let found = search_dirs(&opts.search_path, &opts.cwd, opts.home.as_deref(), env);
    warnings.extend(found.problems);
    for layer in found.layers {
        let paths = formula_files_in(layer.dir());
        add(layer, paths, &mut warnings);
    }
    library.extend(stdlib_files(db));
    layers.push(Layer::Stdlib);
    Loaded {
        workspace: Workspace::new(db, sources, library, layers),
        errors,
        warnings,
    }
}

/// A workspace of in-memory files (path, text; the format follows the path) with
/// the embedded stdlib as its library: for tests, tools and benchmarks.
pub fn memory_workspace(db: &Database, sources: &[(&str, &str)]) -> Workspace {
    let files: Vec<SourceFile> = sources
        .iter()
        .map(|(path, text)| {
            let path = PathBuf::from(path);
            let format = Format::from_path(&path).unwrap_or_else(|| Format::guess(&path));
            SourceFile::new(db, path, Arc::from(*text), format)
        })
        .collect();
    Workspace::new(db, files, stdlib_files(db), vec![Layer::Stdlib])
}

/// The embedded stdlib as library files named `<stdlib>/NAME.formula.toml`.
pub fn stdlib_files(db: &Database) -> Vec<LibraryFile> {
    STDLIB
        .iter()
        .map(|(name, text)| LibraryFile {
            file: SourceFile::new(
                db,
                PathBuf::from(format!("<stdlib>/{name}")),
                Arc::from(*text),
                Format::Toml,
            ),
            layer: Layer::Stdlib,
        })
        .collect()
}

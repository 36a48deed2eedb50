//! Formula name -> file, in the order names resolve (first hit wins): the files being
//! checked (by declared `formula` name, then file name); the other formula files in the
//! directory of the formula that refers to the name (its siblings, by file name); then the
//! search path's layers in order (`source::search_dirs`) and the embedded stdlib, by file
//! name, as the reference looks them up (so they are parsed only when referenced).

use crate::db::{LibraryFile, SourceFile, formula_name};
use crate::model::Formula;
use crate::source::{Layer, formula_stem};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where names are looked for, for help lines.
pub const WHERE_NAMES_RESOLVE: &str = "formulas are found among the checked files, beside the formula, in --search-path dirs, the project's and the git root's .beads/formulas/, $GT_ROOT's, ~/.beads/formulas/ and the stdlib (`gtc check --explain-resolution NAME` shows where)";

/// Names to files: the checked files', each directory's siblings', the search path's.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NameIndex {
    checked: BTreeMap<String, SourceFile>,
    siblings: BTreeMap<PathBuf, BTreeMap<String, SourceFile>>,
    library: BTreeMap<String, SourceFile>,
}

/// The names visible from one formula: the index seen from the formula's directory.
#[derive(Clone, Copy, Debug)]
pub struct Names<'a> {
    index: &'a NameIndex,
    siblings: Option<&'a BTreeMap<String, SourceFile>>,
}

impl NameIndex {
    /// The names as seen by `file` (its directory's siblings included).
    pub fn scope(&self, db: &dyn salsa::Database, file: SourceFile) -> Names<'_> {
        self.scope_of_dir(file.path(db).parent())
    }

    /// The names as seen from directory `dir` (`None`: no siblings).
    pub fn scope_of_dir(&self, dir: Option<&Path>) -> Names<'_> {
        Names {
            index: self,
            siblings: dir.and_then(|d| self.siblings.get(d)),
        }
    }
}

impl<'a> Names<'a> {
    /// The file a formula name resolves to.
    pub fn get(&self, name: &str) -> Option<SourceFile> {
        self.index
            .checked
            .get(name)
            .or_else(|| self.siblings.and_then(|s| s.get(name)))
            .or_else(|| self.index.library.get(name))
            .copied()
    }

    /// Every name visible (for did-you-mean; a name may repeat).
    pub fn names(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let siblings = self.siblings.into_iter().flat_map(|s| s.keys());
        self.index
            .checked
            .keys()
            .chain(siblings)
            .chain(self.index.library.keys())
            .map(String::as_str)
    }
}

fn claim(map: &mut BTreeMap<String, SourceFile>, name: &str, file: SourceFile) {
    if !name.is_empty() && !map.contains_key(name) {
        map.insert(name.to_owned(), file);
    }
}

/// Build the index. Checked files are known by their declared `formula` name and by
/// their file name; library files by their file name only.
pub fn build_name_index(
    db: &dyn salsa::Database,
    files: &[SourceFile],
    library: &[LibraryFile],
) -> NameIndex {
    let mut index = NameIndex::default();
    for &file in files {
        let declared = formula_name(db, file);
        claim(&mut index.checked, declared, file);
    }
    for &file in files {
        if let Some(stem) = formula_stem(file.path(db)) {
            claim(&mut index.checked, stem, file);
        }
    }
    for lib in library {
        let Some(stem) = formula_stem(lib.file.path(db)) else {
            continue;
        };
        match &lib.layer {
            Layer::Sibling(dir) => {
                claim(
                    index.siblings.entry(dir.clone()).or_default(),
                    stem,
                    lib.file,
                );
            }
            _ => claim(&mut index.library, stem, lib.file),
        }
    }
    index
}

/// Where a name resolves from one directory, and every file it shadows, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// Each file named so, in resolution order (the first one wins), with its layer
    /// (`None`: a checked file).
    pub candidates: Vec<(PathBuf, Option<Layer>)>,
    /// Every layer searched after the checked files, in order.
    pub searched: Vec<Layer>,
}

/// How `name` resolves in `ws` as seen from directory `dir`: every candidate in order.
pub fn explain(
    db: &dyn salsa::Database,
    ws: crate::db::Workspace,
    name: &str,
    dir: Option<&Path>,
) -> Resolution {
    let files = ws.files(db);
    let mut candidates: Vec<(PathBuf, Option<Layer>)> = Vec::new();
    // Declared names first, then file names, as the index claims them.
    for &f in files {
        if formula_name(db, f) == name {
            candidates.push((f.path(db).clone(), None));
        }
    }
    for &f in files {
        let path = f.path(db);
        if formula_stem(path) == Some(name) && !candidates.iter().any(|(p, _)| p == path) {
            candidates.push((path.clone(), None));
        }
    }
    let visible = |layer: &Layer| match layer {
        Layer::Sibling(d) => Some(d.as_path()) == dir,
        _ => true,
    };
    for lib in ws.library(db) {
        if visible(&lib.layer) && formula_stem(lib.file.path(db)) == Some(name) {
            candidates.push((lib.file.path(db).clone(), Some(lib.layer.clone())));
        }
    }
    Resolution {
        candidates,
        searched: ws
            .layers(db)
            .iter()
            .filter(|l| visible(l))
            .cloned()
            .collect(),
    }
}

/// What a check needs to know about a formula it references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormulaInfo {
    /// Its (explicit or inferred) type.
    pub kind: String,
    /// Whether it has template steps (an expansion needs some).
    pub has_template: bool,
    /// The var names it declares or uses (`{{name}}`; not the `{target...}` placeholders
    /// an expansion fills in itself), its ancestors' included where the
    /// database adds them; `None` when they cannot all be known (a syntax error in it, an
    /// unknown parent), so no check relies on them.
    pub vars: Option<std::collections::BTreeSet<String>>,
}

impl FormulaInfo {
    /// Summarise a formula.
    pub fn of(f: &Formula) -> FormulaInfo {
        FormulaInfo {
            kind: f.effective_kind().to_owned(),
            has_template: !f.template.is_empty(),
            vars: Some(
                f.vars
                    .iter()
                    .map(|v| v.name.value.clone())
                    .chain(
                        crate::check::used_var_names(f)
                            .into_iter()
                            .filter(|n| !crate::check::filled_by_expansion(n)),
                    )
                    .collect(),
            ),
        }
    }
}

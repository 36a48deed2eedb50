//! Formula name -> file, following the search order: the files being checked,
//! then the project's `.beads/formulas/`, the user's `~/.beads/formulas/`,
//! `--search-path` directories, then the embedded stdlib.

use crate::db::{SourceFile, lowered};
use crate::model::Formula;
use crate::source::formula_stem;
use std::collections::BTreeMap;

/// Names to files; the first file to claim a name wins.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NameIndex {
    names: BTreeMap<String, SourceFile>,
}

impl NameIndex {
    /// The file a formula name resolves to.
    pub fn get(&self, name: &str) -> Option<SourceFile> {
        self.names.get(name).copied()
    }

    /// Every known name, sorted (for did-you-mean).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    fn claim(&mut self, name: &str, file: SourceFile) {
        if !name.is_empty() && !self.names.contains_key(name) {
            self.names.insert(name.to_owned(), file);
        }
    }
}

/// Build the index. Checked files are known by their declared `formula` name and
/// by their file name; search-path files by their file name only, as the
/// reference tool looks them up (so they need not be parsed).
pub fn build_name_index(
    db: &dyn salsa::Database,
    files: &[SourceFile],
    library: &[SourceFile],
) -> NameIndex {
    let mut index = NameIndex::default();
    for &file in files {
        let declared = lowered(db, file).formula.name_str().to_owned();
        index.claim(&declared, file);
    }
    for &file in files.iter().chain(library) {
        if let Some(stem) = formula_stem(file.path(db)) {
            index.claim(stem, file);
        }
    }
    index
}

/// What a check needs to know about a formula it references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormulaInfo {
    /// Its (explicit or inferred) type.
    pub kind: String,
    /// Whether it has template steps (an expansion needs some).
    pub has_template: bool,
}

impl FormulaInfo {
    /// Summarise a formula.
    pub fn of(f: &Formula) -> FormulaInfo {
        FormulaInfo {
            kind: f.effective_kind().to_owned(),
            has_template: !f.template.is_empty(),
        }
    }
}

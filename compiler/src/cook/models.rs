//! Where cooking reads formulas from. `gtc cook` (and the language server's cooked view)
//! reads every file's model with its positions: source records name the line each step
//! was written on. `gtc check`'s composition diagnostics need positions in the cooked file
//! only, so they read the other formulas' span-free models (`db::semantic`): a whitespace
//! edit in a parent then leaves what cooking read unchanged, and salsa does not re-cook
//! the formulas that compose with it.

use super::from_model::Origin;
use crate::db::{SourceFile, lowered, semantic};
use crate::model::Formula;
use crate::resolve::Names;
use std::cell::Cell;

/// The formulas one cook reads: the database, the names the cooked file sees, and
/// whether other files are read with their positions.
pub(crate) struct Models<'a> {
    db: &'a dyn salsa::Database,
    names: &'a Names<'a>,
    /// The formula being cooked (always read with positions).
    root: SourceFile,
    /// Whether other files are read with positions too.
    positions: bool,
    /// Set when a diagnostic needed a line in another file that was read without
    /// positions: the caller cooks again with positions.
    missed: Cell<bool>,
}

impl<'a> Models<'a> {
    /// Models for cooking `root`, reading the others with or without positions.
    pub fn new(
        db: &'a dyn salsa::Database,
        names: &'a Names<'a>,
        root: SourceFile,
        positions: bool,
    ) -> Models<'a> {
        Models {
            db,
            names,
            root,
            positions,
            missed: Cell::new(false),
        }
    }

    /// The database.
    pub fn db(&self) -> &'a dyn salsa::Database {
        self.db
    }

    /// The file a formula name resolves to, as the cooked file sees names.
    pub fn get(&self, name: &str) -> Option<SourceFile> {
        self.names.get(name)
    }

    fn exact(&self, file: SourceFile) -> bool {
        self.positions || file == self.root
    }

    /// The formula of `file`.
    pub fn formula(&self, file: SourceFile) -> &'a Formula {
        if self.exact(file) {
            &lowered(self.db, file).formula
        } else {
            semantic(self.db, file)
        }
    }

    /// Where `file`'s steps come from, for their source records (lines only with positions).
    pub fn origin(&self, file: SourceFile, name: &str) -> Origin {
        if self.exact(file) {
            Origin::of(self.db, file, name)
        } else {
            Origin::without_lines(self.db, file, name)
        }
    }

    /// Note that a line of another file was wanted (see [`Models::missed`]).
    pub fn miss(&self) {
        if !self.positions {
            self.missed.set(true);
        }
    }

    /// Whether a result depended on a position this reading did not have.
    pub fn missed(&self) -> bool {
        self.missed.get()
    }
}

//! The analysis layer: plain functions over the compiler's database, one file per
//! feature, returning plain data with byte offsets. No protocol types here: the server
//! (`crate::server`) converts positions and types at the edge, as rust-analyzer's `ide`
//! crate is kept apart from its LSP crate.
//!
//! Every feature takes the database and a file; [`Analysis::with`] runs it on a snapshot
//! and turns a cancellation by a concurrent edit into an `Err`.

pub mod code_actions;
pub mod completion;
pub mod cooked_view;
pub mod diagnostics;
pub mod document_symbols;
pub mod folding;
pub mod formatting;
pub mod goto_definition;
mod host;
pub mod hover;
pub mod inlay_hints;
pub mod line_index;
pub mod lookup;
pub mod navigation;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod symbols;
pub mod workspace_symbols;

#[cfg(test)]
pub(crate) mod fixture;

pub use gtc::db::SourceFile;
pub use gtc::source::Span;
pub use host::{Analysis, AnalysisHost, Cancellable};

use std::path::PathBuf;

/// A place in some file: the answer of navigation features.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NavTarget {
    /// The file (as the workspace names it).
    pub path: PathBuf,
    /// The bytes.
    pub span: Span,
}

impl NavTarget {
    /// The place of an occurrence.
    pub fn of(db: &dyn salsa::Database, l: &navigation::Located) -> NavTarget {
        NavTarget {
            path: l.file.path(db).clone(),
            span: l.occ.span,
        }
    }
}

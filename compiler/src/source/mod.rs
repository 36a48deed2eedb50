//! Where formula text comes from: spans and line indexes, file discovery and the search path.

mod beads_dir;
mod discover;
mod search_path;
mod span;
mod write;

pub use discover::{discover_formula_files, formula_stem};
pub use search_path::{Layer, STDLIB, SearchDirs, SearchEnv, formula_files_in, search_dirs};
pub use span::{LineCol, LineIndex, Span};
pub use write::{write_atomic, write_atomic_with};

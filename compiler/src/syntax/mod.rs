//! Text of a formula file in one of three formats -> one span-carrying [`SyntaxTree`].
//!
//! Each front-end recovers from errors where its format allows, so one typo does not
//! hide the rest of the file's diagnostics.

pub mod edit;
pub mod emit;
pub mod format;
mod json;
mod toml;
pub mod toml_chunks;
mod tree;
mod yaml;

pub use tree::{Entry, MAX_DEPTH, Node, NodeKind, Str, SyntaxError, SyntaxTree};

/// The formats a formula file can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `*.formula.toml`
    Toml,
    /// `*.formula.json`
    Json,
    /// `*.formula.yaml` / `*.formula.yml`
    Yaml,
}

impl Format {
    /// The format a path's name implies, if it is a formula file name at all.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".formula.toml") {
            Some(Format::Toml)
        } else if name.ends_with(".formula.json") {
            Some(Format::Json)
        } else if name.ends_with(".formula.yaml") || name.ends_with(".formula.yml") {
            Some(Format::Yaml)
        } else {
            None
        }
    }

    /// The format a path's extension suggests, formula-named or not (for explicit paths).
    pub fn guess(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ => Format::Toml,
        }
    }
}

/// Parse `text` in `format` into a tree and its syntax errors. Never panics.
pub fn parse(text: &str, format: Format) -> SyntaxTree {
    match format {
        Format::Toml => toml::parse(text),
        Format::Json => json::parse(text),
        Format::Yaml => yaml::parse(text),
    }
}

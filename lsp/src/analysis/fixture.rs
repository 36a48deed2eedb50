//! Test fixtures: text with a `$0` cursor, and workspaces of several files written
//! `//- /path` then the file's text (rust-analyzer's convention).

use super::{AnalysisHost, SourceFile};
use std::path::PathBuf;
use std::sync::Arc;

/// One text with an optional `$0` cursor marker (removed).
pub struct Fixture {
    /// The text without the marker.
    pub text: String,
    /// The marker's offset (0 when there is none).
    pub cursor: usize,
}

impl Fixture {
    /// Parse a single-file fixture.
    pub fn parse(s: &str) -> Fixture {
        let cursor = s.find("$0").unwrap_or(0);
        Fixture {
            text: s.replacen("$0", "", 1),
            cursor,
        }
    }
}

/// A host holding the fixture's files, and the file and offset of the `$0` cursor.
pub fn host(fixture: &str) -> (AnalysisHost, Option<(SourceFile, usize)>) {
    let mut h = AnalysisHost::new();
    let mut cursor = None;
    let mut files: Vec<(String, String)> = Vec::new();
    for chunk in fixture.split("//- ").filter(|c| !c.trim().is_empty()) {
        let (path, text) = chunk.split_once('\n').unwrap_or((chunk, ""));
        files.push((path.trim().to_owned(), text.to_owned()));
    }
    for (path, text) in files {
        let f = Fixture::parse(&text);
        let has_cursor = text.contains("$0");
        let file = h.set_file(&PathBuf::from(path), Arc::from(f.text.as_str()));
        if has_cursor {
            cursor = Some((file, f.cursor));
        }
    }
    (h, cursor)
}

//! Helpers shared by the end-to-end tests.

use gtc::diagnostic::{Report, render_human};
use std::path::PathBuf;

/// `../shared/corpus` beside the workspace, if present (tests skip cleanly without it).
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// The directory of this crate's fixtures.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Diagnostics rendered for people, without colour (for snapshots).
pub fn render_plain(report: &Report) -> String {
    let mut out = Vec::new();
    if render_human(report, false, &mut out).is_err() {
        return String::from("<render failed>");
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One line per diagnostic: `path:line:col severity CODE message`.
pub fn diagnostic_lines(report: &Report) -> Vec<String> {
    report
        .diagnostics()
        .map(|d| {
            format!(
                "{}:{}:{} {} {} {}",
                d.path.display(),
                d.start.line,
                d.start.column,
                d.diagnostic.severity.as_str(),
                d.diagnostic.code,
                d.diagnostic.message
            )
        })
        .collect()
}

/// Check in-memory sources (path, text) with only the stdlib on the search path.
pub fn check(sources: &[(&str, &str)]) -> Report {
    gtc::driver::check_sources(sources)
}

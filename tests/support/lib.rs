//! Helpers shared by the end-to-end tests.

use gtc::diagnostic::{Report, render_human};
use std::path::PathBuf;

/// `../shared/corpus` beside the workspace, if present. Tests skip cleanly without it on
/// a developer's machine; when `CI` is set a missing corpus fails the test instead, so a
/// CI run can never pass by skipping.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    locate_corpus(dir, ci_is_set()).unwrap_or_else(|message| panic!("{message}"))
}

/// Whether the `CI` environment variable asks for a CI run (set, non-empty, not `false`/`0`).
pub fn ci_is_set() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// `dir` when it is a directory; otherwise nothing, or (under `ci`) an error saying why
/// the test cannot skip.
pub fn locate_corpus(dir: PathBuf, ci: bool) -> Result<Option<PathBuf>, String> {
    if dir.is_dir() {
        Ok(Some(dir))
    } else if ci {
        Err(format!(
            "{} is missing and CI is set: the corpus and reference-parity tests must run in CI \
             (check out the shared corpus beside the workspace)",
            dir.display()
        ))
    } else {
        Ok(None)
    }
}

/// The corpus projects: each is one workspace (their formulas refer to each other by name).
pub const PROJECTS: [&str; 2] = ["beads", "gastown"];

/// `(path, text)` pairs borrowed, as the checking and cooking helpers take them.
pub fn borrowed(texts: &[(String, String)]) -> Vec<(&str, &str)> {
    texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect()
}

/// The formula files of one corpus project (`beads`, `gastown`), as (path relative to the
/// corpus, text), in path order: one workspace, since they refer to each other by name.
pub fn project_sources(corpus: &std::path::Path, project: &str) -> Vec<(String, String)> {
    let dir = corpus.join(project);
    let (files, _) = gtc::driver::collect_paths(std::slice::from_ref(&dir));
    files
        .iter()
        .map(|f| {
            let rel = format!("{project}/{}", f.strip_prefix(&dir).unwrap_or(f).display());
            (rel, std::fs::read_to_string(f).unwrap_or_default())
        })
        .collect()
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

/// Cook the last of `sources` (checked together, stdlib on the search path) in compile
/// mode, or with `vars` in runtime mode: the resolved formula, or its located error lines.
pub fn cook_last(
    sources: &[(&str, &str)],
    vars: Option<&[(&str, &str)]>,
) -> Result<gtc::cook::Resolved, Vec<String>> {
    let db = gtc::db::Database::default();
    let ws = gtc::driver::memory_workspace(&db, sources);
    let Some(&file) = ws.files(&db).last() else {
        return Err(vec![String::from("no sources")]);
    };
    let opts = gtc::cook::CookOptions {
        vars: vars.map(|v| {
            v.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        }),
        ..gtc::cook::CookOptions::default()
    };
    let cooked = gtc::cook::cook(&db, ws, file, opts);
    cooked
        .resolved
        .ok_or_else(|| diagnostic_lines(&gtc::driver::error_report(&db, file, &cooked.diagnostics)))
}

/// One line per step, children after their parent: `id <- needs: title` (`<- needs` only
/// when the step has dependencies).
pub fn titled(steps: &[gtc::cook::RStep]) -> Vec<String> {
    fn walk(steps: &[gtc::cook::RStep], out: &mut Vec<String>) {
        for s in steps {
            let needs = if s.needs.is_empty() {
                String::new()
            } else {
                format!(" <- {}", s.needs.join(", "))
            };
            out.push(format!(
                "{}{needs}: {}",
                s.id,
                s.title.as_deref().unwrap_or("")
            ));
            walk(&s.children, out);
        }
    }
    let mut out = Vec::new();
    walk(steps, &mut out);
    out
}

/// A cooked formula as `id <- need, need [labels]` lines, children indented; or its errors.
pub type Listing = Result<Vec<String>, Vec<String>>;

/// Cook the last of `sources` (all checked together, stdlib on the search path).
pub fn cook_listing(sources: &[(&str, &str)]) -> Listing {
    cook_listings(sources)
        .pop()
        .map_or_else(|| Err(vec![String::from("no sources")]), |(_, l)| l)
}

/// Cook every one of `sources` in one workspace (they may refer to each other).
pub fn cook_listings(sources: &[(&str, &str)]) -> Vec<(String, Listing)> {
    let db = gtc::db::Database::default();
    let ws = gtc::driver::memory_workspace(&db, sources);
    let files = ws.files(&db).clone();
    files
        .iter()
        .map(|&f| {
            (
                f.path(&db).display().to_string(),
                listing_of(gtc::cook::cook(
                    &db,
                    ws,
                    f,
                    gtc::cook::CookOptions::default(),
                )),
            )
        })
        .collect()
}

fn listing_of(cooked: gtc::cook::Cooked) -> Listing {
    match cooked.resolved {
        Some(r) => {
            let mut out = Vec::new();
            listing(&r.steps, 0, &mut out);
            Ok(out)
        }
        None => Err(cooked
            .diagnostics
            .iter()
            .filter(|d| d.severity == gtc::diagnostic::Severity::Error)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect()),
    }
}

fn listing(steps: &[gtc::cook::RStep], depth: usize, out: &mut Vec<String>) {
    for s in steps {
        let mut line = format!("{}{}", "  ".repeat(depth), s.id);
        if !s.needs.is_empty() {
            line.push_str(&format!(" <- {}", s.needs.join(", ")));
        }
        if !s.labels.is_empty() {
            line.push_str(&format!(" [{}]", s.labels.join(" ")));
        }
        out.push(line);
        listing(&s.children, depth + 1, out);
    }
}

/// One random edit of `text` for the edit-sequence property tests: delete the character
/// at (or before) byte `at` (clamped to the text), or insert `insert` there. An
/// insertion ending in a newline goes at the start of its line when `whole_lines`.
pub fn edit_at(text: &mut String, at: usize, insert: &str, delete: bool, whole_lines: bool) {
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if delete && i < text.len() {
        let mut j = i + 1;
        while !text.is_char_boundary(j) {
            j += 1;
        }
        text.replace_range(i..j, "");
    } else {
        if whole_lines && insert.ends_with('\n') {
            i = text[..i].rfind('\n').map_or(0, |n| n + 1);
        }
        text.insert_str(i, insert);
    }
}

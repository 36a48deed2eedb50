//! Loading files into the database and collecting every file's diagnostics into a
//! [`Report`]: what `gtc check` does, reusable by tests and benchmarks.

use crate::db::{Database, SourceFile, Workspace, all_diagnostics};
use crate::diagnostic::{FileDiagnostic, Report, ReportFile};
use crate::source::{LineIndex, SearchEnv};
use fan_out::fan_out;
use std::path::PathBuf;

mod fan_out;
mod load;

pub use fan_out::WorkerPanic;
#[cfg(debug_assertions)]
pub use fan_out::debug_panic_hook;
pub use load::{
    LoadError, LoadOptions, Loaded, collect_paths, load, memory_workspace, read_source, read_text,
    stdlib_files,
};

/// Check every file of the workspace (in parallel) and collect a deterministic report.
///
/// Files are parsed and lowered in parallel first (the name index then only reads
/// the results), then checked in parallel; the report keeps the workspace's order.
/// A panic while checking a file is re-raised here, on the caller's thread, with a
/// [`WorkerPanic`] payload naming the file: a run never ends without every file checked.
pub fn report(db: &Database, ws: Workspace) -> Report {
    let files = ws.files(db).clone();
    fan_out(db, &files, |db, file| {
        let _ = crate::db::lowered(db, file);
    });
    let _ = crate::db::name_index(db, ws);
    let files = fan_out(db, &files, |db, file| report_file(db, ws, file));
    let related = related_texts(db, ws, &files);
    Report { files, related }
}

/// The texts of the files outside `files` that labels point into (parents on the search
/// path, the stdlib ...), so the writers can place those labels.
fn related_texts(
    db: &Database,
    ws: Workspace,
    files: &[ReportFile],
) -> std::collections::BTreeMap<PathBuf, std::sync::Arc<str>> {
    let mut out = std::collections::BTreeMap::new();
    let labels = files
        .iter()
        .flat_map(|f| f.diagnostics.iter())
        .flat_map(|d| d.diagnostic.labels.iter())
        .filter_map(|l| l.file.as_ref());
    for path in labels {
        if out.contains_key(path) || files.iter().any(|f| f.path == *path) {
            continue;
        }
        let known = ws
            .files(db)
            .iter()
            .copied()
            .chain(ws.library(db).iter().map(|l| l.file))
            .find(|f| f.path(db) == path);
        if let Some(f) = known {
            out.insert(path.clone(), f.text(db).clone());
        }
    }
    out
}

fn report_file(db: &Database, ws: Workspace, file: SourceFile) -> ReportFile {
    #[cfg(debug_assertions)]
    fan_out::debug_panic_hook(file.path(db));
    let text = file.text(db).clone();
    let found = all_diagnostics(db, ws, file);
    // Most files have no diagnostics: index their lines only when needed.
    let index = if found.is_empty() {
        LineIndex::new("")
    } else {
        LineIndex::new(&text)
    };
    let diagnostics = found
        .iter()
        .map(|d| FileDiagnostic {
            path: file.path(db).clone(),
            start: index.line_col(&text, d.span.start()),
            end: index.line_col(&text, d.span.end()),
            diagnostic: d.clone(),
        })
        .collect();
    ReportFile {
        path: file.path(db).clone(),
        text,
        diagnostics,
    }
}

/// Check in-memory files (path, text) against the embedded stdlib only: for tests,
/// tools and benchmarks that have no files on disk.
pub fn check_sources(sources: &[(&str, &str)]) -> Report {
    let db = Database::default();
    let ws = memory_workspace(&db, sources);
    report(&db, ws)
}

/// A formula found for `gtc cook` / `gt pour`: its workspace (the file, if given as a
/// path, plus the library), the file, and warnings about the search path.
pub struct Found {
    /// The workspace.
    pub workspace: Workspace,
    /// The formula's file.
    pub file: SourceFile,
    /// Warnings about the search path (a `.beads/redirect` that leads nowhere ...).
    pub warnings: Vec<String>,
}

/// Find `formula` as a `gt` process does: [`find_formula_in`] with `$BEADS_DIR` and
/// `$GT_ROOT` read from this process's environment.
pub fn find_formula(
    db: &Database,
    formula: &str,
    opts: &LoadOptions,
) -> Result<(Workspace, SourceFile), String> {
    find_formula_in(db, formula, opts, &SearchEnv::from_process()).map(|f| (f.workspace, f.file))
}

/// Find `formula`: a file path, else a formula name on the search path (resolved from
/// no particular directory: no siblings). The error is a message for the user.
pub fn find_formula_in(
    db: &Database,
    formula: &str,
    opts: &LoadOptions,
    env: &SearchEnv,
) -> Result<Found, String> {
    let as_path = PathBuf::from(formula);
    let files = if as_path.is_file() {
        vec![as_path]
    } else {
        Vec::new()
    };
    let loaded = load(db, &files, opts, env);
    if let Some(p) = loaded.errors.first() {
        return Err(format!("{}: {}", p.path.display(), p.message));
    }
    let ws = loaded.workspace;
    let file = match ws.files(db).first() {
        Some(f) => Some(*f),
        None => crate::db::name_index(db, ws)
            .scope_of_dir(None)
            .get(formula),
    };
    match file {
        Some(file) => Ok(Found {
            workspace: ws,
            file,
            warnings: loaded.warnings,
        }),
        None => Err(format!(
            "`{formula}` is neither a file nor a formula name on the search path\nhelp: the search path is --search-path dirs, the project's .beads/formulas/ ($BEADS_DIR, .beads/redirect), the git root's, $GT_ROOT's, ~/.beads/formulas/ and the stdlib; `gtc check --explain-resolution {formula}` lists them"
        )),
    }
}

/// The errors among `diagnostics` of `file`, located, as a one-file report.
pub fn error_report(
    db: &Database,
    file: SourceFile,
    diagnostics: &[crate::diagnostic::Diagnostic],
) -> Report {
    let text = file.text(db).clone();
    let index = LineIndex::new(&text);
    Report {
        related: Default::default(),
        files: vec![ReportFile {
            path: file.path(db).clone(),
            diagnostics: diagnostics
                .iter()
                .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                .map(|d| FileDiagnostic {
                    path: file.path(db).clone(),
                    start: index.line_col(&text, d.span.start()),
                    end: index.line_col(&text, d.span.end()),
                    diagnostic: d.clone(),
                })
                .collect(),
            text,
        }],
    }
}

/// Cook `formula` (a path or a name on the search path, found as [`find_formula`] finds
/// it) for a runtime: with `vars` (runtime mode: values validated and substituted, false
/// conditions dropped) or without (compile mode). Gives the search path's warnings too;
/// the error is the rendered diagnostics, ready to print.
pub fn cook_formula(
    formula: &str,
    vars: Option<std::collections::BTreeMap<String, String>>,
    opts: &LoadOptions,
) -> Result<(crate::cook::Resolved, Vec<String>), String> {
    let db = Database::default();
    let found = find_formula_in(&db, formula, opts, &SearchEnv::from_process())?;
    let file = found.file;
    let cooked = crate::cook::cook(
        &db,
        found.workspace,
        file,
        crate::cook::CookOptions {
            vars,
            ..crate::cook::CookOptions::default()
        },
    );
    match cooked.resolved {
        Some(r) => Ok((r, found.warnings)),
        None => {
            let report = error_report(&db, file, &cooked.diagnostics);
            let mut out = Vec::new();
            let _ = crate::diagnostic::render_human(&report, false, &mut out);
            let mut text = String::from_utf8_lossy(&out).into_owned();
            text.push_str(&format!(
                "error: `{formula}` was not cooked: fix the errors above"
            ));
            Err(text)
        }
    }
}

//! `gtc cook FORMULA`: resolve a formula's composition and print the result.

use super::{CookArgs, CookFormat, Env};
use crate::cook::{
    CookOptions, cook, explain_step, step_ids, to_dot, to_json, to_mermaid, to_tree,
};
use crate::db::Database;
use crate::diagnostic::{FileDiagnostic, Report, ReportFile, Severity, render_human};
use crate::driver::{LoadOptions, load};
use crate::source::LineIndex;
use std::io::Write;
use std::path::PathBuf;

pub(super) fn run(args: CookArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let db = Database::default();
    let opts = LoadOptions {
        search_path: args.search_path.clone(),
        cwd: env.cwd.clone(),
        home: env.home.clone(),
    };
    let as_path = PathBuf::from(&args.formula);
    let files = if as_path.is_file() {
        vec![as_path]
    } else {
        Vec::new()
    };
    let (ws, problems) = load(&db, &files, &opts);
    for p in &problems {
        let _ = writeln!(err, "error: {}: {}", p.path.display(), p.message);
    }
    if !problems.is_empty() {
        return 2;
    }
    let file = match ws.files(&db).first() {
        Some(f) => *f,
        None => match crate::db::name_index(&db, ws).get(&args.formula) {
            Some(f) => f,
            None => {
                let _ = writeln!(
                    err,
                    "error: `{}` is neither a file nor a formula name on the search path\nhelp: the search path is --search-path dirs, .beads/formulas/, ~/.beads/formulas/ and the stdlib",
                    args.formula
                );
                return 2;
            }
        },
    };
    let cooked = cook(
        &db,
        ws,
        file,
        CookOptions {
            step_limit: args.step_limit,
        },
    );
    let text = file.text(&db).clone();
    let index = LineIndex::new(&text);
    let report = Report {
        files: vec![ReportFile {
            path: file.path(&db).clone(),
            diagnostics: cooked
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| FileDiagnostic {
                    path: file.path(&db).clone(),
                    start: index.line_col(&text, d.span.start()),
                    end: index.line_col(&text, d.span.end()),
                    diagnostic: d.clone(),
                })
                .collect(),
            text,
        }],
    };
    let Some(resolved) = cooked.resolved else {
        let color = env.stdout_is_terminal && !env.no_color;
        let _ = render_human(&report, color, err);
        let _ = writeln!(
            err,
            "error: `{}` was not cooked: fix the errors above",
            args.formula
        );
        return 1;
    };
    if let Some(step) = &args.why {
        return match explain_step(&resolved, step) {
            Some(text) => {
                if out.write_all(text.as_bytes()).is_err() {
                    return 2;
                }
                0
            }
            None => {
                let ids = step_ids(&resolved);
                let hint = crate::model::schema::closest(step, ids.iter().map(String::as_str))
                    .map(|c| format!("\nhelp: did you mean `{c}`?"))
                    .unwrap_or_default();
                let _ = writeln!(
                    err,
                    "error: `{}` has no step `{step}` after cooking{hint}",
                    resolved.formula
                );
                1
            }
        };
    }
    let format = args.format.unwrap_or(if env.stdout_is_terminal {
        CookFormat::Tree
    } else {
        CookFormat::Json
    });
    let text = match format {
        CookFormat::Json => to_json(&resolved),
        CookFormat::Tree => to_tree(&resolved),
        CookFormat::Dot => to_dot(&resolved),
        CookFormat::Mermaid => to_mermaid(&resolved),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    0
}

//! `gtc check`: load, check, render, and choose the exit status.

use super::{CheckArgs, ColorChoice, Env, OutputFormat};
use crate::db::Database;
use crate::diagnostic::{Severity, render_github, render_human, render_json, render_sarif};
use crate::driver::{LoadOptions, collect_paths, load, report};
use std::io::Write;
use std::path::PathBuf;

pub(super) fn run(args: CheckArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let db = Database::default();
    let code = check(&db, args, env, out, err);
    if env.exit_after {
        std::mem::forget(db);
    }
    code
}

fn check(
    db: &Database,
    args: CheckArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (files, mut problems) = collect_paths(&paths);
    let opts = LoadOptions {
        search_path: args.search_path.clone(),
        cwd: env.cwd.clone(),
        home: env.home.clone(),
    };
    let loaded = load(db, &files, &opts, &env.search);
    let ws = loaded.workspace;
    problems.extend(loaded.errors);
    for w in &loaded.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    if let Some(name) = &args.explain_resolution {
        for p in &problems {
            let _ = writeln!(err, "error: {}: {}", p.path.display(), p.message);
        }
        if !problems.is_empty() {
            return 2;
        }
        return super::resolution::explain(db, ws, name, out);
    }
    for p in &args.search_path {
        if !p.is_dir() {
            problems.push(crate::driver::LoadError {
                path: p.clone(),
                message: String::from("--search-path is not a directory"),
            });
        }
    }
    let report = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| report(db, ws))) {
        Ok(report) => report,
        Err(payload) => {
            // A crash is never a pass: name the file, print no summary, exit 2.
            let what = match payload.downcast::<crate::driver::WorkerPanic>() {
                Ok(p) => p.to_string(),
                Err(other) => format!("internal error: {}", panic_message(other.as_ref())),
            };
            let _ = writeln!(
                err,
                "error: {what}\nhelp: this is a bug in gtc; please report it with the file"
            );
            return 2;
        }
    };
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let written = match args.format {
        OutputFormat::Json => out.write_all(render_json(&report).as_bytes()),
        OutputFormat::Sarif => out.write_all(render_sarif(&report).as_bytes()),
        OutputFormat::Github => out.write_all(render_github(&report).as_bytes()),
        OutputFormat::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => env.stdout_is_terminal && !env.no_color,
            };
            let r = if args.quiet {
                Ok(())
            } else {
                render_human(&report, color, out)
            };
            r.and_then(|()| {
                writeln!(
                    out,
                    "checked {} file{}: {} error{}, {} warning{}",
                    report.files.len(),
                    plural(report.files.len()),
                    errors,
                    plural(errors),
                    warnings,
                    plural(warnings)
                )
            })
        }
    };
    for p in &problems {
        let _ = writeln!(err, "error: {}: {}", p.path.display(), p.message);
    }
    if written.is_err() {
        return 2;
    }
    if !problems.is_empty() {
        return 2;
    }
    if files.is_empty() {
        let _ = writeln!(
            err,
            "warning: no formula files found (looked for *.formula.toml, *.formula.json, *.formula.yaml, *.formula.yml)"
        );
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

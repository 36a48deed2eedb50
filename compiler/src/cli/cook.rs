//! `gtc cook FORMULA`: resolve a formula's composition and print the result.

use super::{CookArgs, CookFormat, CookMode, Env};
use crate::cook::{
    CookOptions, cook, explain_step, step_ids, to_dot, to_json, to_mermaid, to_tree,
};
use crate::db::Database;
use crate::diagnostic::render_human;
use crate::driver::read_text;
use crate::driver::{LoadOptions, error_report, find_formula_in};
use crate::source::LineIndex;
use crate::source::Span;
use crate::syntax::{self, Format, NodeKind};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub(super) fn run(args: CookArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let db = Database::default();
    let code = cook_one(&db, args, env, out, err);
    if env.exit_after {
        // The process ends now: let the OS reclaim the database at once.
        std::mem::forget(db);
    }
    code
}

fn cook_one(
    db: &Database,
    args: CookArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let vars = match var_values(&args) {
        Ok(v) => v,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return 2;
        }
    };
    let opts = LoadOptions {
        search_path: args.search_path.clone(),
        cwd: env.cwd.clone(),
        home: env.home.clone(),
    };
    let (ws, file) = match find_formula_in(db, &args.formula, &opts, &env.search) {
        Ok(found) => {
            for w in &found.warnings {
                let _ = writeln!(err, "warning: {w}");
            }
            (found.workspace, found.file)
        }
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return 2;
        }
    };
    let cooked = cook(
        db,
        ws,
        file,
        CookOptions {
            step_limit: args.step_limit,
            vars,
        },
    );
    let report = error_report(db, file, &cooked.diagnostics);
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
    let written = out.write_all(text.as_bytes());
    if env.exit_after {
        std::mem::forget(resolved);
        std::mem::forget(text);
    }
    if written.is_err() {
        return 2;
    }
    0
}

/// The var values of a runtime cook: `--vars-file` first, then each `--var`; `None`
/// in compile mode.
fn var_values(args: &CookArgs) -> Result<Option<BTreeMap<String, String>>, String> {
    let runtime = match args.mode {
        Some(CookMode::Runtime) => true,
        Some(CookMode::Compile) => {
            if !args.vars.is_empty() || args.vars_file.is_some() {
                return Err(String::from(
                    "--var and --vars-file need runtime mode; drop `--mode compile`",
                ));
            }
            false
        }
        None => !args.vars.is_empty() || args.vars_file.is_some(),
    };
    if !runtime {
        return Ok(None);
    }
    let mut values = BTreeMap::new();
    if let Some(path) = &args.vars_file {
        values.extend(vars_file(path)?);
    }
    for v in &args.vars {
        let Some((k, val)) = v.split_once('=') else {
            return Err(format!("invalid --var `{v}`: expected NAME=VALUE"));
        };
        if k.trim().is_empty() {
            return Err(format!("invalid --var `{v}`: the name is empty"));
        }
        values.insert(k.trim().to_owned(), val.to_owned());
    }
    Ok(Some(values))
}

/// Read a table of var values from a TOML, JSON or YAML file.
fn vars_file(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = read_text(path).map_err(|e| format!("{}: {}", e.path.display(), e.message))?;
    let tree = syntax::parse(&text, Format::guess(path));
    let index = LineIndex::new(&text);
    let at = |span: Span| {
        let p = index.line_col(&text, span.start());
        format!("{}:{}:{}", path.display(), p.line, p.column)
    };
    if let Some(e) = tree.errors.first() {
        return Err(format!("{}: {}", at(e.span), e.message));
    }
    let Some(entries) = tree.root.as_table() else {
        return Err(format!(
            "{}: a vars file holds a table of NAME = value",
            at(tree.root.span)
        ));
    };
    let mut out = BTreeMap::new();
    for e in entries {
        let value = match &e.value.kind {
            NodeKind::String(s) => s.value.clone(),
            NodeKind::Integer(i) => i.to_string(),
            NodeKind::Float(f) => f.to_string(),
            NodeKind::Bool(b) => b.to_string(),
            _ => {
                return Err(format!(
                    "{}: the value of `{}` must be a string, number or boolean, found {}",
                    at(e.value.span),
                    e.key,
                    e.value.kind_name()
                ));
            }
        };
        out.insert(e.key.clone(), value);
    }
    Ok(out)
}

//! `gtc fmt [PATH ...]`: rewrite formula files in canonical form (see `syntax::format`),
//! in place and atomically, or `--check` them, or print one with `--stdout` / `-`.

use super::{Env, FmtArgs};
use crate::driver::{collect_paths, read_text};
use crate::syntax::Format;
use crate::syntax::format::{FormatError, format};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What happened to the files.
#[derive(Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    /// Syntax errors, or output that failed the safety check.
    failed: usize,
    /// Unreadable or unwritable files.
    io: usize,
}

pub(super) fn run(args: FmtArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() != 1 {
            let _ = writeln!(
                err,
                "error: `-` (standard input) cannot be mixed with paths"
            );
            return 2;
        }
        return stdin(&args, env, out, err);
    }
    if args.stdin_filename.is_some() {
        let _ = writeln!(
            err,
            "error: --stdin-filename goes with `-` (standard input)"
        );
        return 2;
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (files, problems) = collect_paths(&paths);
    for p in &problems {
        let _ = writeln!(err, "error: {}: {}", p.path.display(), p.message);
    }
    if args.stdout && files.len() != 1 {
        let _ = writeln!(
            err,
            "error: --stdout prints one file; {} were given",
            files.len()
        );
        return 2;
    }
    let mut tally = Tally {
        io: problems.len(),
        ..Tally::default()
    };
    for path in &files {
        file(path, &args, env, &mut tally, out, err);
    }
    if !args.stdout {
        summary(
            &tally,
            args.check,
            files.is_empty() && problems.is_empty(),
            err,
        );
    }
    if tally.io > 0 {
        2
    } else if tally.failed > 0 || (args.check && tally.changed > 0) {
        1
    } else {
        0
    }
}

fn file(
    path: &Path,
    args: &FmtArgs,
    env: &Env,
    tally: &mut Tally,
    out: &mut dyn Write,
    err: &mut dyn Write,
) {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "error: {}: {}", e.path.display(), e.message);
            tally.io += 1;
            return;
        }
    };
    let Some(formatted) = formatted(path, &text, format_of(path), env, err) else {
        tally.failed += 1;
        return;
    };
    if args.stdout {
        if out.write_all(formatted.as_bytes()).is_err() {
            tally.io += 1;
        }
        return;
    }
    if formatted == *text {
        tally.unchanged += 1;
        return;
    }
    tally.changed += 1;
    if args.check {
        let _ = diff(path, &text, &formatted, out);
    } else if let Err(e) = crate::source::write_atomic(path, formatted.as_bytes()) {
        let _ = writeln!(err, "error: {}: cannot write: {e}", path.display());
        tally.io += 1;
    }
}

/// `gtc fmt -`: standard input to standard output (with `--check`: a diff, exit 1).
fn stdin(args: &FmtArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        let _ = writeln!(err, "error: <stdin>: {e}");
        return 2;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        let _ = writeln!(err, "error: <stdin>: not valid UTF-8");
        return 2;
    };
    let name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    let fmt = if args.stdin_filename.is_some() {
        format_of(&name)
    } else {
        Format::Toml
    };
    let text: Arc<str> = Arc::from(text);
    let Some(formatted) = formatted(&name, &text, fmt, env, err) else {
        return 1;
    };
    if args.check {
        if formatted == *text {
            return 0;
        }
        let _ = diff(&name, &text, &formatted, out);
        return 1;
    }
    if out.write_all(formatted.as_bytes()).is_err() {
        return 2;
    }
    0
}

fn format_of(path: &Path) -> Format {
    Format::from_path(path).unwrap_or_else(|| Format::guess(path))
}

/// The formatted text, or `None` after reporting why not.
fn formatted(
    path: &Path,
    text: &Arc<str>,
    fmt: Format,
    env: &Env,
    err: &mut dyn Write,
) -> Option<String> {
    match format(text, fmt) {
        Ok(s) => Some(s),
        Err(FormatError::Syntax(errors)) => {
            super::render_syntax_errors(path, text, &errors, env, err);
            let _ = writeln!(
                err,
                "error: {} has syntax errors; it was not formatted",
                path.display()
            );
            None
        }
        Err(FormatError::Unsupported(why)) => {
            let _ = writeln!(
                err,
                "error: cannot format {}: {why}; nothing was written",
                path.display()
            );
            None
        }
        Err(FormatError::Internal(why)) => {
            let _ = writeln!(
                err,
                "error: internal: formatting {}: {why}; nothing was written (please report this with the file)",
                path.display()
            );
            None
        }
    }
}

fn summary(tally: &Tally, check: bool, none_found: bool, err: &mut dyn Write) {
    if none_found {
        let _ = writeln!(
            err,
            "warning: no formula files found (looked for *.formula.toml, *.formula.json, *.formula.yaml, *.formula.yml)"
        );
    }
    let mut line = if check {
        format!(
            "{} would be reformatted, {} already formatted",
            files(tally.changed),
            tally.unchanged
        )
    } else {
        format!(
            "formatted {}, {} unchanged",
            files(tally.changed),
            tally.unchanged
        )
    };
    if tally.failed > 0 {
        line.push_str(&format!(", {} not formatted (errors)", tally.failed));
    }
    let _ = writeln!(err, "{line}");
}

fn files(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

/// Lines compared when looking for where the texts agree again after a difference.
const RESYNC: usize = 40;
/// Diff lines printed per file at most.
const MAX_DIFF_LINES: usize = 200;

/// `PATH:LINE: not formatted`, then a unified diff without context (`-U0`).
fn diff(path: &Path, old: &str, new: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let hunks = hunks(&a, &b);
    let first = hunks.first().map_or(1, |h| h.0 + 1);
    writeln!(out, "{}:{first}: not formatted", path.display())?;
    writeln!(out, "--- {}", path.display())?;
    writeln!(out, "+++ {} (formatted)", path.display())?;
    let mut printed = 0;
    for (i, di, j, dj) in hunks {
        if printed >= MAX_DIFF_LINES {
            writeln!(out, "... (diff cut short)")?;
            break;
        }
        let start = |at: usize, len: usize| if len == 0 { at } else { at + 1 };
        writeln!(out, "@@ -{},{di} +{},{dj} @@", start(i, di), start(j, dj))?;
        for (sign, lines) in [('-', &a[i..i + di]), ('+', &b[j..j + dj])] {
            for line in lines {
                match line.strip_suffix('\n') {
                    Some(l) => writeln!(out, "{sign}{l}")?,
                    None => writeln!(out, "{sign}{line}\n\\ No newline at end of file")?,
                }
                printed += 1;
            }
        }
    }
    Ok(())
}

/// The differing runs `(old start, old length, new start, new length)`: walk both texts,
/// and after a difference resume at the nearest pair of equal lines.
fn hunks(a: &[&str], b: &[&str]) -> Vec<(usize, usize, usize, usize)> {
    let mut found = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        let resync = (1..=2 * RESYNC)
            .flat_map(|d| (0..=d).map(move |di| (di, d - di)))
            .find(|&(di, dj)| i + di < a.len() && j + dj < b.len() && a[i + di] == b[j + dj]);
        let (di, dj) = resync.unwrap_or((a.len() - i, b.len() - j));
        found.push((i, di, j, dj));
        i += di;
        j += dj;
    }
    found
}

//! Human-readable diagnostics for terminals, rendered with ariadne.

use super::{Report, ReportFile, Severity};
use ariadne::{Color, Config, IndexType, Label, ReportKind};
use std::io::{self, Write};

/// Write every diagnostic of `report` with source snippets, then nothing else
/// (the summary line is the caller's). `color` turns ANSI colours on.
pub fn render_human(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    for file in &report.files {
        render_file(report, file, color, out)?;
    }
    Ok(())
}

/// A file's text as ariadne shows it, and how many bytes were cut from its start (ariadne
/// would count a byte order mark as a column: render without it).
fn shown(text: &str) -> (&str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    }
}

/// `r` (bytes of the original text) in a text `shift` bytes shorter and `len` long.
fn clamp(r: std::ops::Range<usize>, shift: usize, len: usize) -> std::ops::Range<usize> {
    let s = r.start.saturating_sub(shift).min(len);
    s..r.end.saturating_sub(shift).min(len).max(s)
}

fn render_file(
    report: &Report,
    file: &ReportFile,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let path = file.path.display().to_string();
    let (text, shift) = shown(&file.text);
    for d in &file.diagnostics {
        let diag = &d.diagnostic;
        let (kind, paint) = match diag.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            Severity::Info => (ReportKind::Advice, Color::Cyan),
        };
        let primary = clamp(diag.span.range(), shift, text.len());
        // The texts this diagnostic shows: its file's, and those its labels point into.
        let mut sources: Vec<(String, &str)> = vec![(path.clone(), text)];
        let mut builder = ariadne::Report::build(kind, (path.clone(), primary.clone()))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_code(diag.code.as_str())
            .with_message(&diag.message)
            .with_label(
                Label::new((path.clone(), primary))
                    .with_message(primary_label(d))
                    .with_color(paint),
            );
        for label in &diag.labels {
            let (id, range) = match &label.file {
                Some(other) if *other != file.path => {
                    let Some(other_text) = report.text_of(other) else {
                        continue;
                    };
                    let (t, cut) = shown(other_text);
                    let id = other.display().to_string();
                    if !sources.iter().any(|(p, _)| *p == id) {
                        sources.push((id.clone(), t));
                    }
                    (id, clamp(label.span.range(), cut, t.len()))
                }
                _ => (path.clone(), clamp(label.span.range(), shift, text.len())),
            };
            builder = builder.with_label(
                Label::new((id, range))
                    .with_message(&label.message)
                    .with_color(Color::Blue),
            );
        }
        if let Some(help) = &diag.help {
            builder = builder.with_help(help);
        }
        match diag.fixes.as_slice() {
            [] => {}
            [fix] => builder = builder.with_note(format!("fix available: {}", fix.message)),
            fixes => {
                let all: Vec<&str> = fixes.iter().map(|f| f.message.as_str()).collect();
                builder = builder.with_note(format!("fixes available: {}", all.join("; or ")));
            }
        }
        let mut buf = Vec::new();
        builder
            .finish()
            .write_for_stdout(ariadne::sources(sources), &mut buf)?;
        out.write_all(&buf)?;
    }
    Ok(())
}

fn primary_label(d: &super::FileDiagnostic) -> String {
    format!(
        "{} ({})",
        d.diagnostic.code.name(),
        d.diagnostic.code.as_str()
    )
}

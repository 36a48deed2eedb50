//! Human-readable diagnostics for terminals, rendered with ariadne.

use super::{Report, ReportFile, Severity};
use ariadne::{Color, Config, IndexType, Label, ReportKind, Source};
use std::io::{self, Write};

/// Write every diagnostic of `report` with source snippets, then nothing else
/// (the summary line is the caller's). `color` turns ANSI colours on.
pub fn render_human(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    for file in &report.files {
        render_file(file, color, out)?;
    }
    Ok(())
}

fn render_file(file: &ReportFile, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let path = file.path.display().to_string();
    // ariadne would count a byte order mark as a column: render without it.
    let (text, shift): (&str, usize) = match file.text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (&file.text, 0),
    };
    for d in &file.diagnostics {
        let diag = &d.diagnostic;
        let (kind, paint) = match diag.severity {
            Severity::Error => (ReportKind::Error, Color::Red),
            Severity::Warning => (ReportKind::Warning, Color::Yellow),
            Severity::Info => (ReportKind::Advice, Color::Cyan),
        };
        let clamp = |r: std::ops::Range<usize>| {
            let s = r.start.saturating_sub(shift).min(text.len());
            s..r.end.saturating_sub(shift).min(text.len()).max(s)
        };
        let primary = clamp(diag.span.range());
        let mut builder = ariadne::Report::build(kind, (path.as_str(), primary.clone()))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_code(diag.code.as_str())
            .with_message(&diag.message)
            .with_label(
                Label::new((path.as_str(), primary))
                    .with_message(primary_label(d))
                    .with_color(paint),
            );
        for label in &diag.labels {
            builder = builder.with_label(
                Label::new((path.as_str(), clamp(label.span.range())))
                    .with_message(&label.message)
                    .with_color(Color::Blue),
            );
        }
        if let Some(help) = &diag.help {
            builder = builder.with_help(help);
        }
        if let Some(fix) = &diag.fix {
            builder = builder.with_note(format!("fix available: {}", fix.message));
        }
        let mut buf = Vec::new();
        builder
            .finish()
            .write_for_stdout((path.as_str(), Source::from(text)), &mut buf)?;
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

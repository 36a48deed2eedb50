//! `--format json`: exactly one JSON object with every diagnostic and a summary.

use super::{Report, Severity};
use crate::source::LineCol;
use serde::Serialize;

/// The JSON document `gtc check --format json` prints.
#[derive(Serialize, Debug)]
pub struct JsonReport<'a> {
    /// Every diagnostic, in output order.
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Counts.
    pub summary: JsonSummary,
}

/// One diagnostic.
#[derive(Serialize, Debug)]
pub struct JsonDiagnostic<'a> {
    /// File path as given.
    pub path: String,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// `GTC005`.
    pub code: &'static str,
    /// The message.
    pub message: &'a str,
    /// 1-based start and end.
    pub range: JsonRange,
    /// Help line, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    /// Secondary locations that explain the diagnostic, in this file or others (omitted
    /// when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated<'a>>,
    /// Machine-applicable fixes, alternatives in order of likelihood (omitted when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<JsonFix<'a>>,
}

/// A secondary location.
#[derive(Serialize, Debug)]
pub struct JsonRelated<'a> {
    /// Its file, as given.
    pub path: String,
    /// 1-based start and end.
    pub range: JsonRange,
    /// What it shows.
    pub message: &'a str,
}

/// A fix: replace each range with its `new_text`.
#[derive(Serialize, Debug)]
pub struct JsonFix<'a> {
    /// What applying it does.
    pub message: &'a str,
    /// The replacements, in the same positions as `range`.
    pub edits: Vec<JsonEdit<'a>>,
}

/// One replacement of a fix.
#[derive(Serialize, Debug)]
pub struct JsonEdit<'a> {
    /// The text replaced.
    pub range: JsonRange,
    /// What replaces it.
    pub new_text: &'a str,
}

/// A range of 1-based line and character column positions.
#[derive(Serialize, Debug)]
pub struct JsonRange {
    /// Start.
    pub start: JsonPos,
    /// End.
    pub end: JsonPos,
}

/// A 1-based position.
#[derive(Serialize, Debug)]
pub struct JsonPos {
    /// Line.
    pub line: u32,
    /// Column in characters.
    pub column: u32,
}

/// Counts of the run.
#[derive(Serialize, Debug)]
pub struct JsonSummary {
    /// Files checked.
    pub files: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// Render the report as one JSON object followed by a newline.
pub fn render_json(report: &Report) -> String {
    let pos = |p: LineCol| JsonPos {
        line: p.line,
        column: p.column,
    };
    let mut diagnostics = Vec::new();
    for file in &report.files {
        for d in &file.diagnostics {
            diagnostics.push(JsonDiagnostic {
                path: d.path.display().to_string(),
                severity: d.diagnostic.severity.as_str(),
                code: d.diagnostic.code.as_str(),
                message: &d.diagnostic.message,
                range: JsonRange {
                    start: pos(d.start),
                    end: pos(d.end),
                },
                help: d.diagnostic.help.as_deref(),
                related: report
                    .placed_labels(d)
                    .into_iter()
                    .map(|l| JsonRelated {
                        path: l.path.display().to_string(),
                        range: JsonRange {
                            start: pos(l.start),
                            end: pos(l.end),
                        },
                        message: l.message,
                    })
                    .collect(),
                fixes: d
                    .diagnostic
                    .fixes
                    .iter()
                    .map(|fix| JsonFix {
                        message: &fix.message,
                        edits: file
                            .fix_edits(fix)
                            .into_iter()
                            .map(|(start, end, new_text)| JsonEdit {
                                range: JsonRange {
                                    start: pos(start),
                                    end: pos(end),
                                },
                                new_text,
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
    }
    let doc = JsonReport {
        diagnostics,
        summary: JsonSummary {
            files: report.files.len(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
        },
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

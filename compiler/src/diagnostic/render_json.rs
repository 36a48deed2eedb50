//! `--format json`: exactly one JSON object with every diagnostic and a summary.

use super::{Report, Severity};
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
    let doc = JsonReport {
        diagnostics: report
            .diagnostics()
            .map(|d| JsonDiagnostic {
                path: d.path.display().to_string(),
                severity: d.diagnostic.severity.as_str(),
                code: d.diagnostic.code.as_str(),
                message: &d.diagnostic.message,
                range: JsonRange {
                    start: JsonPos {
                        line: d.start.line,
                        column: d.start.column,
                    },
                    end: JsonPos {
                        line: d.end.line,
                        column: d.end.column,
                    },
                },
                help: d.diagnostic.help.as_deref(),
            })
            .collect(),
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

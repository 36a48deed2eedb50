//! The one diagnostic type of the toolchain, and its renderers.
//!
//! Detection (the checks) builds [`Diagnostic`] values; rendering happens once, at the
//! edge, in one of the writers below. The CLI and the language server show the same values.

mod code;
mod docs;
mod render_github;
mod render_human;
mod render_json;
mod render_sarif;

pub use code::{ALL_CODES, Code};
pub use docs::diagnostics_book;
pub use render_github::render_github;
pub use render_human::render_human;
pub use render_json::{JsonReport, render_json};
pub use render_sarif::render_sarif;

use crate::source::{LineCol, Span};
use std::path::PathBuf;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The formula is wrong: `gtc check` fails.
    Error,
    /// Probably a mistake; fails only with `--deny-warnings`.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A secondary location that explains the primary one ("first defined here"), in the
/// diagnostic's file or in another one (the parent that also defines an inherited step).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it shows.
    pub message: String,
    /// The other file it is in, as the workspace names it (`None`: the diagnostic's own).
    pub file: Option<PathBuf>,
}

/// A machine-applicable fix: replacing each span (in the diagnostic's file) with its
/// text repairs the problem. Edits never overlap. The CLI prints it (human, JSON, SARIF);
/// the language server offers it as a quick fix. A diagnostic may carry several, as
/// alternatives (rename a misspelt var, or declare it): the first is the likeliest.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// What applying it does, e.g. "rename `Depends_On` to `depends_on`".
    pub message: String,
    /// The replacements: a byte span of the file and the text to put there.
    pub edits: Vec<(Span, String)>,
}

/// A problem found in one file, at one place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Stable code, e.g. `GTC005`.
    pub code: Code,
    /// Severity (usually the code's default).
    pub severity: Severity,
    /// The primary location.
    pub span: Span,
    /// One sentence, lower-case start, no trailing period.
    pub message: String,
    /// Secondary locations, in this file or others.
    pub labels: Vec<Label>,
    /// A hint on how to fix it.
    pub help: Option<String>,
    /// Repairs a tool can apply, alternatives in order of likelihood (empty when no
    /// repair is certain enough to apply mechanically).
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// Add a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Add a help line when there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            file: None,
        });
        self
    }

    /// Add a secondary label in another file (or this one, when `file` is `None`).
    pub fn with_label_in(
        mut self,
        file: Option<PathBuf>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            file,
        });
        self
    }

    /// Attach a machine-applicable fix (after those already attached).
    pub fn with_fix(
        mut self,
        message: impl Into<String>,
        edits: Vec<(Span, String)>,
    ) -> Diagnostic {
        self.fixes.push(Fix {
            message: message.into(),
            edits,
        });
        self
    }

    /// Attach a fix when there is one.
    pub fn with_fix_opt(mut self, fix: Option<Fix>) -> Diagnostic {
        self.fixes.extend(fix);
        self
    }

    /// Override the severity.
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
}

/// A diagnostic placed in a file, with line:column resolved: what the writers consume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiagnostic {
    /// The file, as the user named it (relative paths stay relative).
    pub path: PathBuf,
    /// The diagnostic.
    pub diagnostic: Diagnostic,
    /// 1-based start.
    pub start: LineCol,
    /// 1-based end.
    pub end: LineCol,
}

/// All the files checked in one run, for the writers: each file's text and its diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Checked files in output order, with their text (for snippets).
    pub files: Vec<ReportFile>,
    /// The text of each other file that a label points into (a parent on the search
    /// path ...), by path.
    pub related: std::collections::BTreeMap<PathBuf, std::sync::Arc<str>>,
}

/// A label placed in a file, with line:column resolved (1-based; columns in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedLabel<'a> {
    /// The file.
    pub path: &'a std::path::Path,
    /// Start.
    pub start: LineCol,
    /// End.
    pub end: LineCol,
    /// What it shows.
    pub message: &'a str,
}

/// One file of a [`Report`].
#[derive(Clone, Debug)]
pub struct ReportFile {
    /// The path as the user named it.
    pub path: PathBuf,
    /// The text that was checked.
    pub text: std::sync::Arc<str>,
    /// Its diagnostics, sorted by position then code.
    pub diagnostics: Vec<FileDiagnostic>,
}

impl ReportFile {
    /// The edits of `fix` with line:column positions in this file: (start, end, new text).
    pub fn fix_edits<'a>(&self, fix: &'a Fix) -> Vec<(LineCol, LineCol, &'a str)> {
        let index = crate::source::LineIndex::new(&self.text);
        fix.edits
            .iter()
            .map(|(span, text)| {
                (
                    index.line_col(&self.text, span.start()),
                    index.line_col(&self.text, span.end()),
                    text.as_str(),
                )
            })
            .collect()
    }
}

impl Report {
    /// The text of the file at `path`: a checked file's or a related one's.
    pub fn text_of(&self, path: &std::path::Path) -> Option<&std::sync::Arc<str>> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| &f.text)
            .or_else(|| self.related.get(path))
    }

    /// The labels of `d` with their files and line:column positions (labels into a file
    /// whose text the report lacks are left out).
    pub fn placed_labels<'a>(&'a self, d: &'a FileDiagnostic) -> Vec<PlacedLabel<'a>> {
        d.diagnostic
            .labels
            .iter()
            .filter_map(|l| {
                let path = l.file.as_deref().unwrap_or(&d.path);
                let text = self.text_of(path)?;
                let index = crate::source::LineIndex::new(text);
                Some(PlacedLabel {
                    path,
                    start: index.line_col(text, l.span.start()),
                    end: index.line_col(text, l.span.end()),
                    message: &l.message,
                })
            })
            .collect()
    }

    /// Every diagnostic, file by file.
    pub fn diagnostics(&self) -> impl Iterator<Item = &FileDiagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    /// How many diagnostics have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|d| d.diagnostic.severity == severity)
            .count()
    }
}

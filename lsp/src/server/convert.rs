//! Protocol <-> analysis conversions: URIs and paths, byte spans and ranges in the
//! negotiated encoding, and the compiler's diagnostics as protocol diagnostics.

use crate::analysis::Span;
use crate::analysis::line_index::line_index;
use crate::analysis::line_index::{Encoding, LineCol, LineIndex};
use gtc::db::SourceFile;
use gtc::diagnostic::{Diagnostic, Severity};
use std::path::{Path, PathBuf};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The file path of a `file:` URI.
pub fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

/// The URI of a path.
pub fn uri_of(path: &Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(path)
}

/// A position as a byte offset.
pub fn offset(index: &LineIndex, pos: lsp::Position, enc: Encoding) -> usize {
    index.offset(
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        enc,
    )
}

/// A byte offset as a position.
pub fn position(index: &LineIndex, offset: usize, enc: Encoding) -> lsp::Position {
    let lc = index.line_col(offset, enc);
    lsp::Position::new(lc.line, lc.col)
}

/// A span as a range.
pub fn range(index: &LineIndex, span: Span, enc: Encoding) -> lsp::Range {
    lsp::Range::new(
        position(index, span.start(), enc),
        position(index, span.end(), enc),
    )
}

/// A range as a span.
pub fn span(index: &LineIndex, range: lsp::Range, enc: Encoding) -> Span {
    Span::new(
        offset(index, range.start, enc),
        offset(index, range.end, enc),
    )
}

/// The range of a span of `file`.
pub fn file_range(
    db: &dyn salsa::Database,
    file: SourceFile,
    span: Span,
    enc: Encoding,
) -> lsp::Range {
    range(line_index(db, file), span, enc)
}

/// A compiler diagnostic of `file` as the protocol's: the same code, range and message;
/// the help line appended to the message (the protocol has no field for it); labels as
/// related information, in this file or another one (a label into a file without a
/// `file:` URI, the embedded stdlib, is left out).
pub fn diagnostic(
    a: &crate::analysis::Analysis,
    file: SourceFile,
    uri: &lsp::Uri,
    d: &Diagnostic,
    enc: Encoding,
) -> lsp::Diagnostic {
    let db = a.db();
    let index = line_index(db, file);
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let location = match &l.file {
                None => lsp::Location::new(uri.clone(), range(index, l.span, enc)),
                Some(path) => {
                    let other = a.file_or_library(path)?;
                    lsp::Location::new(uri_of(path)?, file_range(db, other, l.span, enc))
                }
            };
            Some(lsp::DiagnosticRelatedInformation {
                location,
                message: l.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: range(index, d.span, enc),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_owned())),
        source: Some(String::from("gtc")),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

/// A request about a file the server does not know.
pub fn unknown_file(uri: &lsp::Uri) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(format!(
        "not a formula file of this workspace: {}",
        uri.as_str()
    ))
}

/// A request refused with a reason the user should read (`RequestFailed`).
pub fn refused(reason: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::ServerError(-32803),
        message: reason.into().into(),
        data: None,
    }
}

/// A navigation target as a location (`None` for the embedded stdlib, which has no file).
pub fn location(
    a: &crate::analysis::Analysis,
    t: &crate::analysis::NavTarget,
    enc: Encoding,
) -> Option<lsp::Location> {
    let file = a.file_or_library(&t.path)?;
    let uri = uri_of(&t.path)?;
    Some(lsp::Location::new(
        uri,
        file_range(a.db(), file, t.span, enc),
    ))
}

//! Why cooking stopped: a message with a code, and where its cause was written when that
//! is known (a loop's range, say), so the diagnostic points there instead of at the
//! formula's name.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use std::sync::Arc;

/// A composition failure.
#[derive(Clone, Debug)]
pub(crate) struct CookError {
    /// GTC031 for composition that cannot be applied; GTC032 / GTC033 when a runtime var
    /// value is the cause.
    pub code: Code,
    /// The message.
    pub message: String,
    /// A help line (a generic one is used otherwise).
    pub help: Option<String>,
    /// Where the cause was written.
    pub at: Option<Located>,
}

/// A place in a formula file, as source records name files.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    /// The file (as shown in source records).
    pub file: Arc<str>,
    /// The 1-based line of the step that holds it (for files other than the cooked one).
    pub line: u32,
    /// The span in that file.
    pub span: Span,
}

impl From<String> for CookError {
    fn from(message: String) -> CookError {
        CookError {
            code: Code::CookFailed,
            message,
            help: None,
            at: None,
        }
    }
}

impl CookError {
    /// A failure of `code` located at `at`.
    pub fn at(code: Code, message: String, help: impl Into<String>, at: Located) -> CookError {
        CookError {
            code,
            message,
            help: Some(help.into()),
            at: Some(at),
        }
    }

    /// The diagnostic in the cooked file `file`: at the cause when it was written there,
    /// otherwise at `fallback` (the formula's name) with the cause's file and line.
    pub fn into_diagnostic(self, file: &str, fallback: Span) -> Diagnostic {
        let (span, message) = match self.at {
            Some(at) if *at.file == *file => (at.span, self.message),
            Some(at) => (
                fallback,
                format!("{} (at {}:{})", self.message, at.file, at.line),
            ),
            None => (fallback, self.message),
        };
        Diagnostic::new(self.code, span, message).with_help(self.help.unwrap_or_else(|| {
            String::from(
                "the formula checks, but its composition cannot be applied; see the message",
            )
        }))
    }
}

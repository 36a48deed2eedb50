//! `gtc fmt`: a formula file rewritten in canonical form, in its own format, with its
//! comments and the author's key order kept.
//!
//! - TOML (`toml.rs`): `toml_edit` keeps every comment, key and value as written; only
//!   the whitespace around them is rewritten.
//! - JSON (`json.rs`): re-indented from `jsonc-parser`'s AST; strings and numbers are
//!   copied as written.
//! - YAML (`yaml.rs`): only the whitespace that cannot change meaning (trailing spaces,
//!   runs of blank lines, the file's ends).
//!
//! [`format`] verifies its output like `gtc convert` does: the result must parse, give
//! the same model ([`Plain`], key order included) and keep every comment; otherwise it
//! is refused and nothing should be written.

mod json;
mod toml;
mod yaml;

use super::emit::Plain;
use super::{Format, SyntaxError, parse};

/// Lines longer than this put their array's items one per line (TOML).
pub const MAX_WIDTH: usize = 100;

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The input has syntax errors (reported as usual; the file is left alone).
    Syntax(Vec<SyntaxError>),
    /// The file cannot be formatted without moving a comment (TOML: the dotted keys of a
    /// table are spread out, and `toml_edit` writes them together).
    Unsupported(String),
    /// The formatter would have changed the file's meaning or lost a comment: a bug.
    Internal(String),
}

/// `text` in canonical form for `format`, verified to mean the same.
pub fn format(text: &str, format: Format) -> Result<String, FormatError> {
    let tree = parse(text, format);
    if !tree.errors.is_empty() {
        return Err(FormatError::Syntax(tree.errors));
    }
    let model = Plain::of(&tree.root);
    let formatted = match format {
        Format::Toml => guarded(|| toml::format(text))?,
        Format::Json => guarded(|| json::format(text))?,
        Format::Yaml => {
            let candidate = yaml::format(text, &tree.root);
            // Whitespace can matter in YAML (a `|+` block scalar keeps trailing blank
            // lines): when the normalised text means something else, keep the file as is.
            if same_meaning(&candidate, format, &model).is_ok() {
                candidate
            } else {
                return Ok(text.to_string());
            }
        }
    };
    same_meaning(&formatted, format, &model).map_err(FormatError::Internal)?;
    if comments(text, format) != comments(&formatted, format) {
        return Err(FormatError::Unsupported(String::from(
            "formatting would move a comment; keep the dotted keys of each table together \
             (`a.x = 1` next to `a.y = 2`), since they are written together",
        )));
    }
    Ok(formatted)
}

/// Run a formatter; its failures (and a library's panic) are internal errors.
fn guarded(f: impl FnOnce() -> Result<String, String>) -> Result<String, FormatError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(String::from("the formatter failed on this file")))
        .map_err(FormatError::Internal)
}

/// `Ok` when `formatted` parses cleanly to `model`.
fn same_meaning(formatted: &str, format: Format, model: &Plain) -> Result<(), String> {
    let back = parse(formatted, format);
    if let Some(e) = back.errors.first() {
        return Err(format!(
            "the formatted text does not parse ({}: {})",
            e.span.start(),
            e.message
        ));
    }
    if Plain::of(&back.root) != *model {
        return Err(String::from(
            "the formatted text does not read back as the same formula",
        ));
    }
    Ok(())
}

/// The comments of `text`, in order, without trailing whitespace. For YAML, whose
/// parser does not report comments and whose formatter only touches whitespace, every
/// non-blank line stands in for them.
pub fn comments(text: &str, format: Format) -> Vec<String> {
    match format {
        Format::Toml => toml::comments(text),
        Format::Json => Vec::new(),
        Format::Yaml => text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    }
}

#[cfg(test)]
mod tests;

//! `gtc convert FILE --to FORMAT`: rewrite a formula in another format, verified to
//! read back as the same model before anything is written.

use super::{ConvertArgs, Env};
use crate::driver::read_text;
use crate::source::LineIndex;
use crate::syntax::emit::{Plain, emit};
use crate::syntax::{self, Format};
use std::io::Write;

pub(super) fn run(args: ConvertArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let text = match read_text(&args.file) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "error: {}: {}", e.path.display(), e.message);
            return 2;
        }
    };
    let from = Format::from_path(&args.file).unwrap_or_else(|| Format::guess(&args.file));
    let to = match args.to {
        super::FormatName::Toml => Format::Toml,
        super::FormatName::Json => Format::Json,
        super::FormatName::Yaml => Format::Yaml,
    };
    let tree = syntax::parse(&text, from);
    if !tree.errors.is_empty() {
        super::render_syntax_errors(&args.file, &text, &tree.errors, env, err);
        let _ = writeln!(
            err,
            "error: {} has syntax errors; nothing was converted",
            args.file.display()
        );
        return 1;
    }
    let converted = match emit(&tree.root, to) {
        Ok(s) => s,
        Err(e) => {
            let at = LineIndex::new(&text).line_col(&text, e.span.start());
            let _ = writeln!(
                err,
                "error: {}:{}:{}: {}",
                args.file.display(),
                at.line,
                at.column,
                e.message
            );
            return 1;
        }
    };
    // Never write a conversion that does not read back as the same model.
    let back = syntax::parse(&converted, to);
    if !back.errors.is_empty()
        || Plain::of(&back.root).normalized() != Plain::of(&tree.root).normalized()
    {
        let _ = writeln!(
            err,
            "error: internal: converting {} to {:?} does not round-trip; nothing was written (please report this with the file)",
            args.file.display(),
            to
        );
        return 2;
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = crate::source::write_atomic(path, converted.as_bytes()) {
                let _ = writeln!(err, "error: {}: {e}", path.display());
                return 2;
            }
            0
        }
        None => {
            if out.write_all(converted.as_bytes()).is_err() {
                return 2;
            }
            0
        }
    }
}

//! Formatting: exactly `gtc fmt` (the same function), as the whole new text.

use gtc::db::SourceFile;
use gtc::syntax::format::{FormatError, format};

/// The formatted text of `file`: `Ok(None)` when it is already formatted or has syntax
/// errors (which the diagnostics show), `Err` with the reason when it cannot be
/// formatted safely.
pub fn formatting(db: &dyn salsa::Database, file: SourceFile) -> Result<Option<String>, String> {
    let text = file.text(db);
    match format(text, file.format(db)) {
        Ok(out) if out == **text => Ok(None),
        Ok(out) => Ok(Some(out)),
        Err(FormatError::Syntax(_)) => Ok(None),
        Err(FormatError::Unsupported(why) | FormatError::Internal(why)) => Err(why),
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn same_as_gtc_fmt() {
        let messy = "formula=\"a\"\n[[steps]]\n  id   = \"x\"\nneeds=[ \"a\",\"b\" ]\n";
        let (h, _) = host(&format!("//- /w/a.formula.toml\n{messy}"));
        let a = h.analysis();
        let f = a.files()[0];
        let got = a.with(|db, _| super::formatting(db, f)).unwrap_or(Ok(None));
        let expected = gtc::syntax::format::format(messy, gtc::syntax::Format::Toml).ok();
        assert_eq!(got, Ok(expected.clone()));
        assert!(expected.is_some_and(|e| e.contains("needs = [\"a\", \"b\"]")));
        let (h, _) = host("//- /w/a.formula.toml\nformula = \"a\"\n");
        let a = h.analysis();
        let f = a.files()[0];
        assert_eq!(
            a.with(|db, _| super::formatting(db, f))
                .unwrap_or(Err(String::new())),
            Ok(None)
        );
        let (h, _) = host("//- /w/a.formula.toml\nformula = [\n");
        let a = h.analysis();
        let f = a.files()[0];
        assert_eq!(
            a.with(|db, _| super::formatting(db, f))
                .unwrap_or(Err(String::new())),
            Ok(None)
        );
        let (h, _) =
            host("//- /w/a.formula.toml\na.x = 1\n# about b\nb = 2\n# about a.y\na.y = 3\n");
        let a = h.analysis();
        let f = a.files()[0];
        let refused = a.with(|db, _| super::formatting(db, f)).unwrap_or(Ok(None));
        assert!(refused.is_err(), "{refused:?}");
    }
}

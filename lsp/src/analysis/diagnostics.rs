//! Diagnostics: exactly what `gtc check` reports for the file (the same query).

use gtc::db::{SourceFile, Workspace, all_diagnostics};
use gtc::diagnostic::Diagnostic;

/// Every diagnostic of `file`, as `gtc check` reports them (sorted by position then code).
/// Debug builds panic here for a file named by `GTC_DEBUG_PANIC_ON` (the compiler's
/// test hook), so the server's handling of a crash while checking can be tested.
pub fn diagnostics(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    #[cfg(debug_assertions)]
    gtc::driver::debug_panic_hook(file.path(db));
    all_diagnostics(db, ws, file).clone()
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixture::host;

    #[test]
    fn the_same_diagnostics_as_gtc_check() {
        let text = "formula = \"a\"\n\n[[steps]]\nid = \"build\"\ntitle = \"B\"\n\n[[steps]]\nid = \"test\"\ntitle = \"T\"\nneeds = [\"biuld\"]\n";
        let (h, _) = host(&format!("//- /w/a.formula.toml\n{text}"));
        let a = h.analysis();
        let file = a.files()[0];
        let ours = a
            .with(|db, ws| super::diagnostics(db, ws, file))
            .unwrap_or_default();
        let check = gtc::driver::check_sources(&[("/w/a.formula.toml", text)]);
        let theirs: Vec<_> = check.diagnostics().map(|d| d.diagnostic.clone()).collect();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].help.as_deref(), Some("did you mean `build`?"));
    }
}

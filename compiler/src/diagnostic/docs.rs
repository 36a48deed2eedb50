//! `docs/diagnostics.md`: generated from `docs/diagnostics/_intro.md` and every
//! code's page, so the book and `gtc explain` can never disagree.

use super::ALL_CODES;

/// The intro of the diagnostics book.
const INTRO: &str = include_str!("../../../docs/diagnostics/_intro.md");

/// The full text of `docs/diagnostics.md`: intro, a table of codes, every page.
pub fn diagnostics_book() -> String {
    let mut out = String::from(INTRO);
    out.push_str("| code | name | severity | summary |\n| --- | --- | --- | --- |\n");
    for c in ALL_CODES {
        out.push_str(&format!(
            "| [{code}](#{lower}-{name}) | `{name}` | {sev} | {summary} |\n",
            code = c.as_str(),
            lower = c.as_str().to_ascii_lowercase(),
            name = c.name(),
            sev = c.default_severity().as_str(),
            summary = c.summary(),
        ));
    }
    for c in ALL_CODES {
        out.push_str("\n---\n\n");
        out.push_str(c.doc());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `UPDATE_DOCS=1 cargo test -p gtc diagnostics_book` rewrites the file.
    #[test]
    fn diagnostics_book_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diagnostics.md");
        let expected = diagnostics_book();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &expected).unwrap_or_else(|e| panic!("write {path}: {e}"));
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/diagnostics.md is stale: run `UPDATE_DOCS=1 cargo test -p gtc diagnostics_book`"
        );
    }

    #[test]
    fn each_page_states_the_codes_severity() {
        for c in ALL_CODES {
            let sev = format!("**Severity:** {}", c.default_severity().as_str());
            assert!(c.doc().contains(&sev), "{} must say `{sev}`", c.as_str());
        }
    }
}

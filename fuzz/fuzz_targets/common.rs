//! What every front-end target does with one input: parse it alone, then run the whole
//! pipeline (model, expressions, checks) on it through `check_sources`, and check that every
//! diagnostic points inside the text.

use gtc::syntax::{Format, parse};

pub fn run(data: &[u8], format: Format, path: &str) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tree = parse(text, format);
    for e in &tree.errors {
        assert!(
            e.span.start <= e.span.end && e.span.end() <= text.len(),
            "syntax error span {:?} outside a text of {} bytes",
            e.span,
            text.len()
        );
    }
    let report = gtc::driver::check_sources(&[(path, text)]);
    assert_eq!(report.files.len(), 1);
    for d in report.diagnostics() {
        let span = d.diagnostic.span;
        assert!(
            span.start <= span.end && span.end() <= text.len(),
            "{} span {:?} outside a text of {} bytes",
            d.diagnostic.code,
            span,
            text.len()
        );
        for l in &d.diagnostic.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end() <= text.len(),
                "{} label span {:?} outside a text of {} bytes",
                d.diagnostic.code,
                l.span,
                text.len()
            );
        }
        assert!(d.start.line >= 1 && d.start.column >= 1 && d.start <= d.end);
    }
}

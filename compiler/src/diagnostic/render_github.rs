//! `--format github`: GitHub Actions workflow commands, one annotation per line.

use super::{Report, Severity};

/// Render each diagnostic as `::error file=..,line=..::message`.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for d in report.diagnostics() {
        let level = match d.diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.diagnostic.message.clone();
        if let Some(help) = &d.diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        // Annotations have one place: the labels' places go in the text.
        for l in report.placed_labels(d) {
            message.push_str(&format!(
                "\n{}:{}:{}: {}",
                l.path.display(),
                l.start.line,
                l.start.column,
                l.message
            ));
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&d.path.display().to_string()),
            d.start.line,
            d.start.column,
            d.end.line,
            d.end.column,
            escape_property(&format!(
                "{} {}",
                d.diagnostic.code,
                d.diagnostic.code.name()
            )),
            escape_data(&message),
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
    }
}

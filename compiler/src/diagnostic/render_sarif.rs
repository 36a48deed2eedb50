//! `--format sarif`: SARIF 2.1.0 for code-scanning services.

use super::{ALL_CODES, Report, Severity};
use crate::source::LineCol;
use serde_json::{Value, json};

/// Render the report as one SARIF 2.1.0 log with a single run.
pub fn render_sarif(report: &Report) -> String {
    let rules: Vec<Value> = ALL_CODES
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.doc() },
                "defaultConfiguration": { "level": level(c.default_severity()) },
                "help": { "text": format!("gtc explain {}", c.as_str()), "markdown": c.doc() },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .files
        .iter()
        .flat_map(|file| file.diagnostics.iter().map(move |d| (file, d)))
        .map(|(file, d)| {
            let mut message = d.diagnostic.message.clone();
            if let Some(help) = &d.diagnostic.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let rule_index = ALL_CODES
                .iter()
                .position(|c| *c == d.diagnostic.code)
                .unwrap_or(0);
            let mut result = json!({
                "ruleId": d.diagnostic.code.as_str(),
                "ruleIndex": rule_index,
                "level": level(d.diagnostic.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.path) },
                        "region": region(d.start, d.end),
                    }
                }]
            });
            let related: Vec<Value> = report
                .placed_labels(d)
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i,
                        "message": { "text": l.message },
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(l.path) },
                            "region": region(l.start, l.end),
                        }
                    })
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if !d.diagnostic.fixes.is_empty() {
                let fixes: Vec<Value> = d
                    .diagnostic
                    .fixes
                    .iter()
                    .map(|fix| {
                        let replacements: Vec<Value> = file
                            .fix_edits(fix)
                            .into_iter()
                            .map(|(start, end, text)| {
                                json!({ "deletedRegion": region(start, end), "insertedContent": { "text": text } })
                            })
                            .collect();
                        json!({
                            "description": { "text": fix.message },
                            "artifactChanges": [{
                                "artifactLocation": { "uri": uri(&d.path) },
                                "replacements": replacements,
                            }]
                        })
                    })
                    .collect();
                result["fixes"] = Value::Array(fixes);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gtc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/gastownhall/gtc",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

fn region(start: LineCol, end: LineCol) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn uri(path: &std::path::Path) -> String {
    let s = path.display().to_string().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

//! How an external agent (exec, claude) reports its exit.
//!
//! 1. A JSON object in the result file (`$GT_RESULT_FILE`), read first:
//!    `{"exit": "completed", "output": {...}, "summary": "..."}`,
//!    `{"exit": "blocked", "blocker": "title of what blocks", "detail": "..."}`,
//!    `{"exit": "refactor", "parts": ["first part", "second part"]}`,
//!    `{"exit": "escalate", "reason": "..."}`, `{"exit": "failed", "reason": "..."}`.
//! 2. Else a line of its final text `GT-EXIT: COMPLETED`, `GT-EXIT: BLOCKED <blocker>`,
//!    `GT-EXIT: REFACTOR <part>; <part>`, `GT-EXIT: ESCALATE <reason>` (the last such line).
//! 3. Else its exit status: success is COMPLETED, anything else a failure.
//!
//! A result file that is not one of these objects is a failed attempt whose reason says
//! what is wrong with it (never taken for success).

use super::Outcome;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    exit: String,
    output: Option<Value>,
    summary: Option<String>,
    blocker: Option<String>,
    detail: Option<String>,
    #[serde(default)]
    parts: Vec<String>,
    reason: Option<String>,
}

/// The outcome in the result file at `path`: `None` when the agent wrote none.
pub fn read_file(path: &Path) -> Option<Outcome> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => None,
        Ok(text) => Some(parse(&text).unwrap_or_else(|e| Outcome::Failed {
            reason: format!("{}: {e}", path.display()),
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Outcome::Failed {
            reason: format!("{}: {e}", path.display()),
        }),
    }
}

/// Parse a result object.
pub fn parse(text: &str) -> Result<Outcome, String> {
    let f: File = serde_json::from_str(text).map_err(|e| format!("not a result object: {e}"))?;
    let need = |v: Option<String>, key: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("exit `{}` needs `{key}`", f.exit))
    };
    Ok(match f.exit.as_str() {
        "completed" => Outcome::Completed {
            output: f.output,
            summary: f.summary,
        },
        "blocked" => Outcome::Blocked {
            blocker: need(f.blocker, "blocker")?,
            detail: f.detail,
        },
        "refactor" => {
            if f.parts.is_empty() || f.parts.iter().any(|p| p.trim().is_empty()) {
                return Err(String::from(
                    "exit `refactor` needs `parts`: non-empty titles",
                ));
            }
            Outcome::Refactor { parts: f.parts }
        }
        "escalate" => Outcome::Escalate {
            reason: need(f.reason, "reason")?,
        },
        "failed" => Outcome::Failed {
            reason: need(f.reason, "reason")?,
        },
        other => {
            return Err(format!(
                "unknown exit `{other}`: one of completed, blocked, refactor, escalate, failed"
            ));
        }
    })
}

/// The outcome a `GT-EXIT:` line of `text` names (the last one), if any.
pub fn from_text(text: &str) -> Option<Outcome> {
    let line = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("GT-EXIT:"))?
        .trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    Some(match word.to_ascii_uppercase().as_str() {
        "COMPLETED" => Outcome::Completed {
            output: None,
            summary: (!rest.is_empty()).then(|| rest.to_owned()),
        },
        "BLOCKED" if !rest.is_empty() => Outcome::Blocked {
            blocker: rest.to_owned(),
            detail: None,
        },
        "REFACTOR" if !rest.is_empty() => Outcome::Refactor {
            parts: rest
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        "ESCALATE" if !rest.is_empty() => Outcome::Escalate {
            reason: rest.to_owned(),
        },
        _ => Outcome::Failed {
            reason: format!("unreadable exit line `GT-EXIT: {line}`"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_reads_from_a_result_object() {
        assert_eq!(
            parse(r#"{"exit":"completed","output":{"ok":true}}"#),
            Ok(Outcome::Completed {
                output: Some(serde_json::json!({"ok": true})),
                summary: None
            })
        );
        assert!(matches!(
            parse(r#"{"exit":"blocked","blocker":"the API key"}"#),
            Ok(Outcome::Blocked { .. })
        ));
        assert_eq!(
            parse(r#"{"exit":"refactor","parts":["a","b"]}"#),
            Ok(Outcome::Refactor {
                parts: vec![String::from("a"), String::from("b")]
            })
        );
        assert!(matches!(
            parse(r#"{"exit":"escalate","reason":"licence?"}"#),
            Ok(Outcome::Escalate { .. })
        ));
        assert!(parse(r#"{"exit":"blocked"}"#).is_err());
        assert!(parse(r#"{"exit":"refactor","parts":[]}"#).is_err());
        assert!(parse(r#"{"exit":"done"}"#).is_err());
        assert!(parse(r#"{"exit":"completed","colour":1}"#).is_err());
        assert!(parse("not json").is_err());
    }

    #[test]
    fn exit_lines_are_read_from_the_end() {
        let text = "GT-EXIT: BLOCKED old\nworking...\nGT-EXIT: REFACTOR parse; check ;\n";
        assert_eq!(
            from_text(text),
            Some(Outcome::Refactor {
                parts: vec![String::from("parse"), String::from("check")]
            })
        );
        assert_eq!(from_text("no exit here"), None);
        assert!(matches!(
            from_text("GT-EXIT: BLOCKED"),
            Some(Outcome::Failed { .. })
        ));
    }
}

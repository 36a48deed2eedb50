//! `gtc explain CODE`: print a code's documentation.

use crate::diagnostic::{ALL_CODES, Code};
use std::io::Write;

pub(super) fn run(code: Option<&str>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match code {
        None => {
            let mut text = String::from("Diagnostic codes (gtc explain CODE for details):\n\n");
            for c in ALL_CODES {
                text.push_str(&format!(
                    "  {}  {:<28} {:<8} {}\n",
                    c.as_str(),
                    c.name(),
                    c.default_severity().as_str(),
                    c.summary()
                ));
            }
            out.write_all(text.as_bytes())
        }
        Some(s) => match Code::parse(s) {
            Some(c) => out.write_all(c.doc().as_bytes()),
            None => {
                let _ = writeln!(
                    err,
                    "error: unknown diagnostic code `{s}`\nhelp: run `gtc explain` to list every code"
                );
                return 2;
            }
        },
    };
    if result.is_err() { 2 } else { 0 }
}

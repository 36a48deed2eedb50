//! `gtc check --explain-resolution NAME`: where a formula name resolves, as seen from the
//! first checked file, and every file it shadows, in search order.

use crate::db::{Database, Workspace};
use crate::resolve::explain as resolve_name;
use std::io::Write;

/// Print the resolution of `name` in `ws`; exit status 0 when it resolves, 1 otherwise.
pub(super) fn explain(db: &Database, ws: Workspace, name: &str, out: &mut dyn Write) -> i32 {
    let from = ws.files(db).first().and_then(|f| f.path(db).parent());
    let r = resolve_name(db, ws, name, from);
    let describe = |layer: &Option<crate::source::Layer>| match layer {
        Some(l) => l.describe(),
        None => String::from("a checked file"),
    };
    let mut text = String::new();
    match r.candidates.split_first() {
        Some(((path, layer), shadowed)) => {
            text.push_str(&format!(
                "`{name}` resolves to {} ({})\n",
                path.display(),
                describe(layer)
            ));
            if !shadowed.is_empty() {
                text.push_str("it shadows:\n");
                for (path, layer) in shadowed {
                    text.push_str(&format!("  {} ({})\n", path.display(), describe(layer)));
                }
            }
        }
        None => {
            text.push_str(&format!("`{name}` does not resolve: searched\n"));
            text.push_str("  the checked files\n");
            for layer in &r.searched {
                text.push_str(&format!("  {}\n", layer.describe()));
            }
        }
    }
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    if r.candidates.is_empty() { 1 } else { 0 }
}

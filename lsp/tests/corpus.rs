//! End to end on the real formulas of `../shared/corpus` (skipped when it is absent,
//! except under CI, where a missing corpus fails):
//! the diagnostics the server gives for every file are exactly `gtc check`'s (codes,
//! messages, help, ranges), and the outline of a corpus formula is snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Server, corpus};
use gtc_lsp::analysis::line_index::{Encoding, LineIndex};
use serde_json::json;
use std::sync::Arc;

#[test]
fn diagnostics_are_gtc_checks_on_the_corpus() {
    for set in ["gastown", "beads"] {
        let Some(root) = corpus(set) else {
            eprintln!("skipped: ../shared/corpus/{set} is absent");
            return;
        };
        let db = gtc::db::Database::default();
        let (paths, _) = gtc::driver::collect_paths(std::slice::from_ref(&root));
        let opts = gtc::driver::LoadOptions {
            cwd: root.clone(),
            home: Some(root.join(".home")),
            ..Default::default()
        };
        let env = gtc::source::SearchEnv::default();
        let ws = gtc::driver::load(&db, &paths, &opts, &env).workspace;
        let report = gtc::driver::report(&db, ws);
        let mut s = Server::start(&root, false);
        let mut checked = 0;
        for f in &report.files {
            let uri = format!("file://{}", f.path.display());
            let pulled = s.result(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            );
            let index = LineIndex::new(Arc::clone(&f.text));
            let expected: Vec<serde_json::Value> = f
                .diagnostics
                .iter()
                .map(|d| {
                    let d = &d.diagnostic;
                    let (a, b) = (index.line_col(d.span.start(), Encoding::Utf16), index.line_col(d.span.end(), Encoding::Utf16));
                    let message = match &d.help {
                        Some(h) => format!("{}\nhelp: {h}", d.message),
                        None => d.message.clone(),
                    };
                    json!({"code": d.code.as_str(), "message": message,
                           "range": {"start": {"line": a.line, "character": a.col}, "end": {"line": b.line, "character": b.col}}})
                })
                .collect();
            let got: Vec<serde_json::Value> = pulled["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| json!({"code": d["code"], "message": d["message"], "range": d["range"]}))
                .collect();
            assert_eq!(got, expected, "{}", f.path.display());
            checked += 1;
        }
        assert!(checked > 5, "{set}: {checked} files");
        if set == "gastown" {
            // Cross-file navigation on real formulas: shiny-enterprise extends shiny and
            // expands `implement` (inherited from shiny) with rule-of-five.
            let path = root.join("shiny-enterprise.formula.toml");
            let text = std::fs::read_to_string(&path).unwrap();
            let uri = format!("file://{}", path.display());
            let at = |needle: &str, delta: u64| {
                let mut p = common::find(&text, needle, false);
                p["character"] = json!(p["character"].as_u64().unwrap() + delta);
                json!({"textDocument": {"uri": uri}, "position": p})
            };
            let mut answers = serde_json::Map::new();
            answers.insert(
                "definition_of_parent".into(),
                s.result("textDocument/definition", at("\"shiny\"", 2)),
            );
            answers.insert(
                "definition_of_inherited_step".into(),
                s.result("textDocument/definition", at("\"implement\"", 2)),
            );
            answers.insert(
                "definition_of_expansion".into(),
                s.result("textDocument/definition", at("\"rule-of-five\"", 2)),
            );
            answers.insert(
                "hover_inherited_step".into(),
                s.result("textDocument/hover", at("\"implement\"", 2)),
            );
            answers.insert(
                "completion_target".into(),
                s.result("textDocument/completion", at("\"implement\"", 1)),
            );
            answers.insert("inlay_hints".into(), s.result("textDocument/inlayHint", json!({"textDocument": {"uri": uri}, "range": {"start": common::pos(0, 0), "end": common::pos(999, 0)}})));
            answers.insert(
                "code_lens".into(),
                s.result(
                    "textDocument/codeLens",
                    json!({"textDocument": {"uri": uri}}),
                ),
            );
            insta::assert_snapshot!(
                "shiny_enterprise",
                s.show(&serde_json::Value::Object(answers))
            );

            let uri = format!("file://{}", root.join("shiny.formula.toml").display());
            let outline = s.result(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            );
            let names: Vec<String> = outline
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["name"].as_str().unwrap_or("").to_owned())
                .collect();
            insta::assert_debug_snapshot!("shiny_outline", names);
        }
        assert!(s.shutdown());
    }
}

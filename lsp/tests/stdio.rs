//! End to end: the real `gtc-lsp` binary over stdio, on a cross-file workspace and on
//! the corpus; answers are insta snapshots (URIs under the temporary root read `$ROOT`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Server, find, pos, workspace};
use serde_json::{Value, json};

const BASE: &str = r#"formula = "base"
description = "Shared setup."

[vars.env]
description = "Where to deploy."
default = "dev"
enum = ["dev", "prod"]

[[steps]]
id = "setup"
title = "Set up {{env}}"
"#;

const CHILD: &str = r#"formula = "child"
extends = ["base"]

[[steps]]
id = "build"
title = "Build for {{env}}"
needs = ["setup"]

[[steps]]
id = "test"
title = "Test"
needs = ["biuld"]
"#;

const JSON: &str = r#"{
  "formula": "lint",
  "steps": [
    {"id": "a", "title": "A"},
    {"id": "b", "title": "B", "needs": ["a"]}
  ]
}
"#;

const YAML: &str = "formula: report\nextends: [base]\nsteps:\n  - id: write\n    title: Write {{env}}\n    needs: [setup]\n";

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("base.formula.toml", BASE),
        ("child.formula.toml", CHILD),
        ("lint.formula.json", JSON),
        ("report.formula.yaml", YAML),
    ]
}

fn doc(s: &Server, rel: &str) -> Value {
    json!({"uri": s.uri(rel)})
}

fn at(s: &Server, rel: &str, text: &str, needle: &str, delta: u32) -> Value {
    let mut p = find(text, needle, false);
    p["character"] = json!(p["character"].as_u64().unwrap_or(0) + u64::from(delta));
    json!({"textDocument": doc(s, rel), "position": p})
}

#[test]
fn features_across_files() {
    let dir = workspace(&files());
    let mut s = Server::start(dir.path(), false);

    // Pushed at startup for the workspace's files, without opening them.
    let pushed = s.diagnostics("child.formula.toml", |d| !d.is_empty());
    insta::assert_snapshot!("pushed_diagnostics", s.show(&json!(pushed)));
    s.open("child.formula.toml");

    let pulled = s.result(
        "textDocument/diagnostic",
        json!({"textDocument": doc(&s, "child.formula.toml")}),
    );
    assert_eq!(pulled["items"], json!(pushed), "pull and push agree");

    let mut answers = serde_json::Map::new();
    let mut ask = |name: &str, method: &str, params: Value, s: &mut Server| {
        answers.insert(name.to_owned(), s.result(method, params));
    };
    ask(
        "completion_needs",
        "textDocument/completion",
        at(&s, "child.formula.toml", CHILD, "\"biuld\"", 1),
        &mut s,
    );
    ask(
        "hover_inherited_step",
        "textDocument/hover",
        at(&s, "child.formula.toml", CHILD, "\"setup\"", 2),
        &mut s,
    );
    ask(
        "hover_var",
        "textDocument/hover",
        at(&s, "child.formula.toml", CHILD, "{{env}}", 3),
        &mut s,
    );
    ask(
        "definition_into_parent",
        "textDocument/definition",
        at(&s, "child.formula.toml", CHILD, "\"setup\"", 2),
        &mut s,
    );
    ask(
        "definition_formula",
        "textDocument/definition",
        at(&s, "report.formula.yaml", YAML, "[base]", 2),
        &mut s,
    );
    let mut refs = at(&s, "base.formula.toml", BASE, "\"setup\"", 2);
    refs["context"] = json!({"includeDeclaration": true});
    ask(
        "references_across_files",
        "textDocument/references",
        refs,
        &mut s,
    );
    ask(
        "prepare_rename",
        "textDocument/prepareRename",
        at(&s, "base.formula.toml", BASE, "\"setup\"", 2),
        &mut s,
    );
    let mut rename = at(&s, "base.formula.toml", BASE, "\"setup\"", 2);
    rename["newName"] = json!("prepare");
    ask("rename_step", "textDocument/rename", rename, &mut s);
    let mut rename = at(&s, "base.formula.toml", BASE, "\"base\"", 2);
    rename["newName"] = json!("root");
    ask(
        "rename_formula_and_file",
        "textDocument/rename",
        rename,
        &mut s,
    );
    let range = json!({"start": pos(0, 0), "end": pos(20, 0)});
    ask(
        "code_action",
        "textDocument/codeAction",
        json!({"textDocument": doc(&s, "child.formula.toml"), "range": range, "context": {"diagnostics": []}}),
        &mut s,
    );
    ask(
        "document_symbols",
        "textDocument/documentSymbol",
        json!({"textDocument": doc(&s, "child.formula.toml")}),
        &mut s,
    );
    ask(
        "semantic_tokens",
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc(&s, "child.formula.toml")}),
        &mut s,
    );
    ask(
        "folding",
        "textDocument/foldingRange",
        json!({"textDocument": doc(&s, "lint.formula.json")}),
        &mut s,
    );
    ask(
        "inlay_hints",
        "textDocument/inlayHint",
        json!({"textDocument": doc(&s, "report.formula.yaml"), "range": {"start": pos(0, 0), "end": pos(99, 0)}}),
        &mut s,
    );
    ask(
        "code_lens",
        "textDocument/codeLens",
        json!({"textDocument": doc(&s, "report.formula.yaml")}),
        &mut s,
    );
    ask(
        "cooked_view",
        "workspace/executeCommand",
        json!({"command": "gtc.cookedView", "arguments": [s.uri("report.formula.yaml")]}),
        &mut s,
    );
    ask(
        "workspace_symbols",
        "workspace/symbol",
        json!({"query": "set"}),
        &mut s,
    );
    insta::assert_snapshot!("answers", s.show(&Value::Object(answers)));

    // Formatting is `gtc fmt`.
    s.notify("textDocument/didOpen", json!({"textDocument": {"uri": s.uri("messy.formula.toml"), "languageId": "toml", "version": 1, "text": "formula=\"messy\"\n[[steps]]\n  id  = \"x\"\ntitle=\"X\"\n"}}));
    let edits = s.result("textDocument/formatting", json!({"textDocument": doc(&s, "messy.formula.toml"), "options": {"tabSize": 2, "insertSpaces": true}}));
    insta::assert_snapshot!("formatting", s.show(&edits));

    // Incremental change fixing the typo: `biuld` -> `build` (replace `iu` by `ui`).
    let p = find(CHILD, "iuld\"]", false);
    let (line, ch) = (
        p["line"].as_u64().unwrap(),
        p["character"].as_u64().unwrap(),
    );
    s.notify("textDocument/didChange", json!({
        "textDocument": {"uri": s.uri("child.formula.toml"), "version": 2},
        "contentChanges": [{"range": {"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch + 2}}, "text": "ui"}]
    }));
    s.diagnostics("child.formula.toml", <[Value]>::is_empty);

    // A full change that introduces an error again.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": s.uri("child.formula.toml"), "version": 3},
            "contentChanges": [{"text": CHILD.replace("\"biuld\"", "\"nope\"")}]
        }),
    );
    let again = s.publication("child.formula.toml", |d| d.len() == 1);
    assert_eq!(again["diagnostics"][0]["code"], "GTC006");
    assert_eq!(
        again["version"], 3,
        "the version of the text they were computed from"
    );

    // An edit in the parent republishes its dependents: without `setup`, the child
    // and the YAML report (not open) refer to a step that no longer exists.
    s.open("base.formula.toml");
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": s.uri("base.formula.toml"), "version": 2},
            "contentChanges": [{"text": BASE.replace("id = \"setup\"", "id = \"init\"")}]
        }),
    );
    let published = s.publication("report.formula.yaml", |d| {
        d.iter().any(|x| x["code"] == "GTC006")
    });
    assert_eq!(
        published.get("version"),
        None,
        "a file not open has no version"
    );
    let report = published["diagnostics"].as_array().unwrap();
    assert!(
        report[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown step `setup`"),
        "{report:?}"
    );
    s.diagnostics("child.formula.toml", |d| d.len() == 2);

    // A change on disk (not open) reaches the server through the watcher.
    std::fs::write(
        dir.path().join("lint.formula.json"),
        JSON.replace("[\"a\"]", "[\"zz\"]"),
    )
    .unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": s.uri("lint.formula.json"), "type": 2}]}),
    );
    s.diagnostics("lint.formula.json", |d| d.len() == 1);
    // A new file on disk that the YAML report's parent now names.
    std::fs::remove_file(dir.path().join("lint.formula.json")).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": s.uri("lint.formula.json"), "type": 3}]}),
    );
    s.diagnostics("lint.formula.json", <[Value]>::is_empty);

    // Closing a document makes the disk's text the truth again: the typo is back.
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": doc(&s, "child.formula.toml")}),
    );
    let back = s.diagnostics("child.formula.toml", |d| {
        d.iter()
            .any(|x| x["message"].as_str().unwrap_or("").contains("`biuld`"))
    });
    assert!(!back.is_empty());

    // The server asked to watch formula files.
    let registration = s
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability");
    let watchers = &registration.expect("a registration")["params"]["registrations"][0];
    assert_eq!(watchers["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        watchers["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.formula.{toml,json,yaml,yml}"
    );

    assert!(s.shutdown(), "gtc-lsp exits 0 after shutdown and exit");
}

#[test]
fn edits_apply_in_order_while_queries_run() {
    let text = "formula = \"o\"\n[[steps]]\nid = \"build\"\ntitle = \"B\"\n[[steps]]\nid = \"t\"\ntitle = \"T\"\nneeds = [\"\"]\n";
    let dir = workspace(&[("o.formula.toml", text)]);
    let mut s = Server::start(dir.path(), false);
    s.open("o.formula.toml");
    let p = find(text, "\"\"]", false);
    let (line, ch) = (
        p["line"].as_u64().unwrap(),
        p["character"].as_u64().unwrap() + 1,
    );
    let mut pending = Vec::new();
    for (i, c) in "build".chars().enumerate() {
        let at = ch + i as u64;
        s.notify("textDocument/didChange", json!({
            "textDocument": {"uri": s.uri("o.formula.toml"), "version": 2 + i},
            "contentChanges": [{"range": {"start": {"line": line, "character": at}, "end": {"line": line, "character": at}}, "text": c.to_string()}]
        }));
        pending.push(s.send_request("textDocument/hover", json!({"textDocument": doc(&s, "o.formula.toml"), "position": {"line": line, "character": ch}})));
    }
    for id in pending {
        let r = s.response(id);
        // Each answer is a hover, or "content modified" when a later edit cancelled it.
        assert!(
            r.get("result").is_some() || r["error"]["code"] == -32801,
            "{r}"
        );
    }
    let pulled = s.result(
        "textDocument/diagnostic",
        json!({"textDocument": doc(&s, "o.formula.toml")}),
    );
    assert_eq!(
        pulled["items"],
        json!([]),
        "the five edits applied in order spell `build`"
    );
    assert!(s.shutdown());
}

/// The server still answers: a hover on `a.formula.toml` (holding [`BASE`]).
fn assert_answers_hover(s: &mut Server) {
    let hover = s.result(
        "textDocument/hover",
        at(s, "a.formula.toml", BASE, "\"setup\"", 2),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("**step** `setup`")
    );
}

#[test]
fn a_panic_in_a_request_answers_it_and_the_server_lives_on() {
    let dir = workspace(&[("a.formula.toml", BASE)]);
    let mut s = Server::start(dir.path(), false);
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "gtc.test.panic", "arguments": []}),
    );
    assert_eq!(r["error"]["code"], -32603, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("test hook"),
        "{r}"
    );
    assert_answers_hover(&mut s);
    // Unknown documents and commands are errors, not crashes.
    let r = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": s.uri("nope.formula.toml")}, "position": pos(0, 0)}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "gtc.nothing", "arguments": []}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "gtc.cookedView", "arguments": []}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let mut bad = at(&s, "a.formula.toml", BASE, "\"setup\"", 2);
    bad["newName"] = json!("two words");
    let r = s.request("textDocument/rename", bad);
    assert_eq!(r["error"]["code"], -32803, "{r}");
    assert!(s.shutdown());
}

const EXPANSION: &str = r#"formula = "exp-x"
type = "expansion"

[vars.name]
description = "Who is greeted."
default = "world"

[vars.mood]
description = "How."

[[template]]
id = "{target}.hello"
title = "Hello {{name}}, {{mood}}"
"#;

const EXPANDS: &str = r#"formula = "user"

[vars.who]
description = "The user's name."

[[steps]]
id = "greet"
title = "Greet {{who}}"
expand = "exp-x"

[steps.expand_vars]
name = "{{who}}"
"#;

const MAPS: &str = r#"{"formula": "mapper", "steps": [{"id": "a", "title": "A"}], "compose": {"map": [{"select": "a", "with": "exp-x", "vars": {"name": "Ann"}}]}}
"#;

/// The keys passed to an expansion (`expand_vars`, a compose rule's `vars`) are the
/// expansion formula's vars: definition, hover, references, completion and rename.
#[test]
fn vars_passed_to_an_expansion() {
    let dir = workspace(&[
        ("exp-x.formula.toml", EXPANSION),
        ("user.formula.toml", EXPANDS),
        ("mapper.formula.json", MAPS),
    ]);
    let mut s = Server::start(dir.path(), false);
    s.open("user.formula.toml");
    let mut answers = serde_json::Map::new();
    let key = at(&s, "user.formula.toml", EXPANDS, "name = ", 1);
    for (name, method) in [
        ("definition", "textDocument/definition"),
        ("hover", "textDocument/hover"),
        ("prepare_rename", "textDocument/prepareRename"),
    ] {
        answers.insert(name.to_owned(), s.result(method, key.clone()));
    }
    let mut refs = at(&s, "exp-x.formula.toml", EXPANSION, "name]", 1);
    refs["context"] = json!({"includeDeclaration": true});
    answers.insert(
        "references".to_owned(),
        s.result("textDocument/references", refs),
    );
    // The empty line after `name = ...`: the other var, with its doc.
    let end = json!({"textDocument": doc(&s, "user.formula.toml"), "position": pos(12, 0)});
    answers.insert(
        "completion".to_owned(),
        s.result("textDocument/completion", end),
    );
    let mut rename = at(&s, "exp-x.formula.toml", EXPANSION, "name]", 1);
    rename["newName"] = json!("guest");
    answers.insert("rename".to_owned(), s.result("textDocument/rename", rename));
    insta::assert_snapshot!("expansion_vars", s.show(&Value::Object(answers)));
    assert!(s.shutdown());
}

/// A panic while computing diagnostics is named in the client's log as an error, and the
/// server lives on. The panic is forced by the compiler's debug-build-only hook
/// `GTC_DEBUG_PANIC_ON` (release builds do not contain it).
#[cfg(debug_assertions)]
#[test]
fn a_panic_computing_diagnostics_is_logged() {
    let dir = workspace(&[("a.formula.toml", BASE), ("boom.formula.toml", CHILD)]);
    let mut s = Server::start_with_env(
        dir.path(),
        false,
        &[("GTC_DEBUG_PANIC_ON", "boom.formula.toml")],
    );
    let logged = s.notification("window/logMessage", |p| {
        Some(
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("failed computing diagnostics")),
        )
    });
    assert_eq!(logged["type"], 1, "an error: {logged}");
    let message = logged["message"].as_str().unwrap();
    assert!(
        message.contains("GTC_DEBUG_PANIC_ON: forced panic while checking")
            && message.contains("boom.formula.toml"),
        "{message}"
    );
    assert_answers_hover(&mut s);
    assert!(s.shutdown());
}

/// Non-ASCII text before the cursor: columns are UTF-16 code units unless the client
/// offers UTF-8, and the server answers in the encoding it announced.
#[test]
fn positions_in_utf16_and_utf8() {
    let text = "formula = \"ü\"\n[[steps]]\nid = \"𝄞é\"\ntitle = \"T\"\n[[steps]]\nid = \"t\"\ntitle = \"€𝄞 then\"\nneeds = [\"𝄞é\"]\n";
    for utf8 in [false, true] {
        let dir = workspace(&[("u.formula.toml", text)]);
        let mut s = Server::start(dir.path(), utf8);
        s.open("u.formula.toml");
        let mut p = find(text, "\"𝄞é\"]", utf8);
        p["character"] = json!(p["character"].as_u64().unwrap() + 1);
        let def = s.result(
            "textDocument/definition",
            json!({"textDocument": doc(&s, "u.formula.toml"), "position": p}),
        );
        let start = find(text, "𝄞é\"\ntitle", utf8);
        let width = if utf8 {
            "𝄞é".len()
        } else {
            "𝄞é".encode_utf16().count()
        } as u64;
        let end = json!({"line": start["line"], "character": start["character"].as_u64().unwrap() + width});
        assert_eq!(
            def["range"],
            json!({"start": start, "end": end}),
            "utf8={utf8}"
        );
        // An incremental edit after the surrogate pair: `é` -> `e` in the reference.
        let at = find(text, "é\"]", utf8);
        let w = if utf8 { 2 } else { 1 };
        let end = json!({"line": at["line"], "character": at["character"].as_u64().unwrap() + w});
        s.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": s.uri("u.formula.toml"), "version": 2},
                "contentChanges": [{"range": {"start": at, "end": end}, "text": "e"}]
            }),
        );
        let d = s.diagnostics("u.formula.toml", |d| d.len() == 1);
        assert!(
            d[0]["message"]
                .as_str()
                .unwrap()
                .contains("unknown step `𝄞e`"),
            "{d:?}"
        );
        let start = find(text, "𝄞é\"]", utf8);
        let width = if utf8 {
            "𝄞e".len()
        } else {
            "𝄞e".encode_utf16().count()
        } as u64;
        // The diagnostic covers the string with its quotes.
        assert_eq!(
            d[0]["range"]["start"]["character"].as_u64().unwrap() + 1,
            start["character"].as_u64().unwrap(),
            "utf8={utf8}"
        );
        assert_eq!(
            d[0]["range"]["end"]["character"].as_u64().unwrap(),
            start["character"].as_u64().unwrap() + width + 1,
            "utf8={utf8}"
        );
        assert!(s.shutdown());
    }
}

/// Labels in other files arrive as related information with that file's URI; a fix that
/// adds a declaration is a code action with its edit.
#[test]
fn related_information_across_files_and_declaring_fixes() {
    let child =
        "formula = \"c\"\n\n[[steps]]\nid = \"x\"\ntitle = \"X {{who}}\"\nexpand = \"base\"\n";
    let dir = workspace(&[("base.formula.toml", BASE), ("c.formula.toml", child)]);
    let mut s = Server::start(dir.path(), false);
    let d = s.diagnostics("c.formula.toml", |d| d.len() == 2);
    let wrong_kind = d.iter().find(|x| x["code"] == "GTC025").unwrap();
    let related = &wrong_kind["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        s.uri("base.formula.toml").as_str()
    );
    assert_eq!(related["location"]["range"]["start"], pos(0, 10));
    assert_eq!(related["message"], "`base` is a workflow formula");
    s.open("c.formula.toml");
    let p = find(child, "who", false);
    let actions = s.result(
        "textDocument/codeAction",
        json!({"textDocument": doc(&s, "c.formula.toml"), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let declare = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Declare `who` in `vars`")
        .unwrap_or_else(|| panic!("{actions}"));
    let edit = &declare["edit"]["changes"][s.uri("c.formula.toml").as_str()][0];
    assert_eq!(edit["range"]["start"], pos(2, 0));
    assert_eq!(
        edit["newText"],
        "[vars.who]\ndescription = \"\"\nrequired = true\n\n"
    );
    assert_eq!(declare["isPreferred"], true);
    assert!(s.shutdown());
}

#[test]
fn workspace_folders_join_and_leave() {
    let dir = workspace(&files());
    let other = workspace(&[(
        "extra.formula.toml",
        "formula = \"extra\"\nextends = [\"base\"]\n\n[[steps]]\nid = \"x\"\ntitle = \"X\"\nneeds = [\"setup\", \"nope\"]\n",
    )]);
    let folder = json!([{"uri": format!("file://{}", other.path().display()), "name": "other"}]);
    let extra = format!(
        "file://{}",
        other.path().join("extra.formula.toml").display()
    );
    std::fs::write(
        other.path().join("bad.formula.toml"),
        b"formula = \"\xff\"\n",
    )
    .unwrap();
    let mut s = Server::start(dir.path(), false);
    s.diagnostics("child.formula.toml", |d| !d.is_empty());

    // Added: its formulas are checked against the whole workspace (`base` is in the
    // first folder, so only `nope` is unknown).
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": folder, "removed": []}}),
    );
    let found = s.diagnostics_of_uri(&extra, |d| !d.is_empty());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]["message"].as_str().unwrap().contains("`nope`"));
    // A file it cannot read is named in the client's log, and left out.
    let logged = s.notification("window/logMessage", |p| {
        Some(
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("bad.formula.toml")),
        )
    });
    assert_eq!(logged["type"], 2, "a warning: {logged}");
    assert!(
        logged["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );

    // Removed: its files leave the workspace and their diagnostics are cleared.
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": folder}}),
    );
    s.diagnostics_of_uri(&extra, <[Value]>::is_empty);
    let symbols = s.result("workspace/symbol", json!({"query": "extra"}));
    assert_eq!(
        symbols,
        json!([]),
        "no symbol of the removed folder is left"
    );
    assert!(s.shutdown());
}

#[test]
fn a_parent_changed_on_disk_republishes_its_dependents() {
    let dir = workspace(&files());
    let mut s = Server::start(dir.path(), false);
    // Only the typo at first: `setup` is inherited from `base`.
    s.diagnostics("child.formula.toml", |d| d.len() == 1);
    std::fs::write(
        dir.path().join("base.formula.toml"),
        BASE.replace("id = \"setup\"", "id = \"init\""),
    )
    .unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": s.uri("base.formula.toml"), "type": 2}]}),
    );
    // Neither dependent is open: both are republished with the step they lost.
    s.diagnostics("child.formula.toml", |d| d.len() == 2);
    s.diagnostics("report.formula.yaml", |d| {
        d.iter().any(|x| x["code"] == "GTC006")
    });
    // Deleted: `base` is unknown to both.
    std::fs::remove_file(dir.path().join("base.formula.toml")).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": s.uri("base.formula.toml"), "type": 3}]}),
    );
    s.diagnostics("report.formula.yaml", |d| {
        d.iter().any(|x| x["code"] == "GTC008")
    });
    assert!(s.shutdown());
}

//! The `gt` commands, driven as processes: every command, its `--json` records, and its
//! refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{Project, gt_in, id_of, ids};

const REVIEW: &str = r#"
formula = "mol-review"
description = "Review {{pr}}"
[vars.pr]
required = true
[vars.depth]
default = "quick"
enum = ["quick", "deep"]
[[steps]]
id = "read"
title = "Read PR {{pr}}"
[[steps]]
id = "test"
title = "Run tests"
needs = ["read"]
[[steps]]
id = "deep"
title = "Deep review"
needs = ["read"]
condition = "{{depth}} == deep"
[[steps]]
id = "verdict"
title = "Verdict on {{pr}}"
needs = ["test", "deep"]
"#;

#[test]
fn init_refuses_bad_prefix_and_prefix_change() {
    let dir = tempfile::tempdir().unwrap();
    let bad = gt_in(dir.path(), &["init", "--prefix", "9x"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("invalid prefix `9x`"), "{}", bad.stderr);
    gt_in(dir.path(), &["init", "--prefix", "ab"]).ok();
    gt_in(dir.path(), &["init", "--prefix", "ab"]).ok();
    let other = gt_in(dir.path(), &["init", "--prefix", "cd"]);
    assert_eq!(other.code, 1);
    assert!(
        other
            .stderr
            .contains("already holds a ledger with prefix `ab`")
    );
    let gitignore = std::fs::read_to_string(dir.path().join(".beads/.gitignore")).unwrap();
    assert!(gitignore.contains("beads.db"));
}

#[test]
fn commands_outside_a_ledger_say_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = gt_in(dir.path(), &["ready"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("gt init --prefix"), "{}", out.stderr);
}

#[test]
fn create_show_list_update() {
    let p = Project::new();
    let a = p.create("Design the API", &["-p", "1", "-l", "api", "-d", "first"]);
    assert!(a.starts_with("t-") && a.len() >= 6, "{a}");
    let rec = &p.json(&["show", &a])[0];
    for key in [
        "id",
        "title",
        "status",
        "priority",
        "issue_type",
        "dependencies",
    ] {
        assert!(rec.get(key).is_some(), "missing {key}: {rec}");
    }
    assert_eq!(rec["priority"], 1);
    assert_eq!(rec["labels"], serde_json::json!(["api"]));
    let b = p.create("Build it", &["--blocked-by", &a, "-t", "feature"]);
    let listed = ids(&p.json(&["list", "--type", "feature"]));
    assert_eq!(listed, vec![b.clone()]);
    let listed = ids(&p.json(&["list", "--label", "api"]));
    assert_eq!(listed, vec![a.clone()]);
    let up = &p.json(&[
        "update",
        &b,
        "--priority",
        "0",
        "--add-label",
        "x",
        "--assignee",
        "kim",
    ])[0];
    assert_eq!(up["priority"], 0);
    assert_eq!(up["assignee"], "kim");
    assert_eq!(
        ids(&p.json(&["list", "--assignee", "kim"])),
        vec![b.clone()]
    );
    // Refusals.
    let out = p.gt(&["update", &b, "--priority", "7"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("priority 7 is out of range"));
    let out = p.gt(&["update", &b, "--status", "closed"]);
    assert!(out.stderr.contains("gt close"), "{}", out.stderr);
    let out = p.gt(&["create", " "]);
    assert!(out.stderr.contains("title is empty"));
}

#[test]
fn unknown_ids_suggest_near_matches() {
    let p = Project::new();
    let a = p.create("One", &[]);
    // One character off (never the id itself, whatever its last character).
    let other = if a.ends_with('x') { 'y' } else { 'x' };
    let typo = format!("{}{other}", &a[..a.len() - 1]);
    let out = p.gt(&["show", &typo]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!("did you mean {a}")),
        "{}",
        out.stderr
    );
    // A unique suffix is enough.
    let suffix = &a[2..];
    assert_eq!(id_of(&p.json(&["show", suffix])[0]), a);
}

#[test]
fn ready_why_claim_close() {
    let p = Project::new();
    let a = p.create("A", &[]);
    let b = p.create("B", &["--blocked-by", &a]);
    assert_eq!(p.ready(None), vec![a.clone()]);
    let why = p.gt(&["why", &b]).ok().stdout;
    assert!(why.contains(&format!("blocked by {a} (open)")), "{why}");
    let why = p.json(&["why", &b]);
    assert_eq!(why["ready"], false);
    // Claims: exactly one success; the holder retrying and others are refused.
    let refused = p.gt(&["claim", &b, "--as", "w1"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("not ready"), "{}", refused.stderr);
    let got = &p.json(&["claim", &a, "--as", "w1"])[0];
    assert_eq!(got["status"], "in_progress");
    assert_eq!(got["assignee"], "w1");
    let again = p.gt(&["claim", &a, "--as", "w1"]);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("already claimed by w1"),
        "{}",
        again.stderr
    );
    let other = p.gt(&["claim", &a, "--as", "w2"]);
    assert_eq!(other.code, 1);
    assert!(other.stderr.contains("held by w1"), "{}", other.stderr);
    let why = p.gt(&["why", &a]).ok().stdout;
    assert!(why.contains("claimed by w1"), "{why}");
    // Close: blocked issues refuse; closing the blocker makes B ready.
    let out = p.gt(&["close", &b]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains(&format!("cannot close `{b}`: blocked by {a}")),
        "{}",
        out.stderr
    );
    let closed = p.json(&["close", &a, "--reason", "done"]);
    assert_eq!(closed[0]["close_reason"], "done");
    assert!(closed[0]["closed_at"].is_string());
    assert_eq!(p.ready(None), vec![b.clone()]);
    assert_eq!(p.gt(&["close", &a]).code, 1);
    assert!(p.gt(&["why", &b]).ok().stdout.contains("is ready"));
}

#[test]
fn dep_add_refuses_cycles_self_and_duplicates() {
    let p = Project::new();
    let a = p.create("A", &[]);
    let b = p.create("B", &["--blocked-by", &a]);
    let out = p.gt(&["dep", "add", &a, &b]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cycle"), "{}", out.stderr);
    assert!(p.gt(&["dep", "add", &a, &a]).stderr.contains("itself"));
    assert!(
        p.gt(&["dep", "add", &b, &a])
            .stderr
            .contains("already depends")
    );
    p.gt(&["dep", "remove", &b, &a]).ok();
    assert_eq!(p.ready(None).len(), 2);
    p.gt(&["dep", "add", &b, &a, "--type", "related"]).ok();
    assert_eq!(p.ready(None).len(), 2, "related edges do not block");
}

#[test]
fn pour_a_molecule_and_work_it_to_completion() {
    let p = Project::new();
    p.formula("mol-review", REVIEW);
    // A missing required var is a located compiler error.
    let out = p.gt(&["pour", "mol-review"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("var `pr` is required"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("mol-review.formula.toml"),
        "{}",
        out.stderr
    );
    let out = p.gt(&["pour", "mol-review", "--var", "pr=7", "--var", "depth=huge"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("huge"), "{}", out.stderr);
    let poured = p.json(&["pour", "mol-review", "--var", "pr=42"]);
    let all = ids(&poured);
    let root = all[0].clone();
    assert!(root.starts_with("t-mol-"), "{root}");
    let rel: Vec<String> = all[1..]
        .iter()
        .map(|i| i.strip_prefix(&format!("{root}.")).unwrap().to_owned())
        .collect();
    assert_eq!(
        rel,
        vec!["read", "test", "verdict"],
        "the false condition drops `deep`"
    );
    assert_eq!(poured[0]["issue_type"], "molecule");
    assert_eq!(poured[1]["title"], "Read PR 42");
    assert_eq!(poured[0]["metadata"]["vars"]["pr"], "42");
    let verdict = &poured[3];
    let edges: Vec<(String, String)> = verdict["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["depends_on_id"].as_str().unwrap().to_owned(),
                d["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            (root.clone(), String::from("parent-child")),
            (format!("{root}.test"), String::from("blocks")),
        ]
    );
    // Work it: one step at a time, in dependency order; the root closes itself.
    let mut order = Vec::new();
    loop {
        let ready = p.ready(Some(&root));
        let Some(next) = ready.first() else { break };
        p.gt(&["claim", next, "--as", "w"]).ok();
        let closed = p.json(&["close", next]);
        order.push(next.strip_prefix(&format!("{root}.")).unwrap().to_owned());
        if closed.as_array().unwrap().len() == 2 {
            assert_eq!(closed[1]["id"].as_str().unwrap(), root);
            assert_eq!(closed[1]["close_reason"], "all steps complete");
        }
    }
    assert_eq!(order, vec!["read", "test", "verdict"]);
    assert_eq!(p.json(&["show", &root])[0]["status"], "closed");
}

#[test]
fn a_deferred_parent_hides_its_subtree_from_ready() {
    let p = Project::new();
    let text = concat!(
        r#"{"id":"d-1","title":"later","status":"open","priority":2,"issue_type":"epic","defer_until":"2999-01-01T00:00:00Z","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#,
        "\n",
        r#"{"id":"d-2","title":"child","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"d-2","depends_on_id":"d-1","type":"parent-child"}]}"#,
        "\n",
        r#"{"id":"d-3","title":"free","status":"open","priority":2,"issue_type":"task","defer_until":"2001-01-01T00:00:00Z","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#,
        "\n",
    );
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, text).unwrap();
    p.gt(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(
        p.ready(None),
        vec!["d-3"],
        "a past defer_until does not hide"
    );
    let why = p.gt(&["why", "d-2"]).ok().stdout;
    assert!(
        why.contains("its ancestor d-1 is deferred until 2999"),
        "{why}"
    );
    assert!(
        p.gt(&["why", "d-1"])
            .ok()
            .stdout
            .contains("deferred until 2999")
    );
}

#[test]
fn closing_the_last_step_and_its_root_in_one_command() {
    let p = Project::new();
    p.formula("mol-review", REVIEW);
    let ids = ids(&p.json(&["pour", "mol-review", "--var", "pr=1"]));
    let (root, steps) = (&ids[0], &ids[1..]);
    for s in &steps[..steps.len() - 1] {
        p.gt(&["close", s]).ok();
    }
    // The last step completes the molecule; naming the root too is not an error.
    let closed = p.json(&["close", &steps[steps.len() - 1], root]);
    assert_eq!(closed.as_array().unwrap().len(), 2);
    assert_eq!(p.json(&["show", root])[0]["status"], "closed");
}

#[test]
fn pour_errors_name_the_formula() {
    let p = Project::new();
    let out = p.gt(&["pour", "no-such-formula"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("neither a file nor a formula name"),
        "{}",
        out.stderr
    );
    let out = p.gt(&["pour", "x", "--var", "novalue"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("expected NAME=VALUE"));
}

#[test]
fn wisps_stay_out_of_ready_and_git() {
    let p = Project::new();
    p.formula("mol-review", REVIEW);
    let wisp = ids(&p.json(&["wisp", "mol-review", "--var", "pr=1"]));
    assert!(wisp[0].starts_with("t-wisp-"));
    assert!(
        p.ready(None).is_empty(),
        "wisp steps are not listed by default"
    );
    assert_eq!(p.ready(Some(&wisp[0])), vec![format!("{}.read", wisp[0])]);
    let with = ids(&p.json(&["ready", "--include-wisps"]));
    assert_eq!(with.len(), 1);
    p.gt(&["flush"]).ok();
    let jsonl = std::fs::read_to_string(p.path().join(".beads/issues.jsonl")).unwrap();
    assert!(!jsonl.contains("wisp"), "{jsonl}");
    let export = p.gt(&["export"]).ok().stdout;
    assert_eq!(
        export.lines().count(),
        wisp.len(),
        "export writes wisps too"
    );
}

#[test]
fn hooks_and_pins() {
    let p = Project::new();
    p.formula("mol-review", REVIEW);
    let root = id_of(&p.json(&["pour", "mol-review", "--var", "pr=1"])[0]);
    let other = id_of(&p.json(&["pour", "mol-review", "--var", "pr=2"])[0]);
    assert!(p.gt(&["hook", "ann"]).ok().stdout.contains("hook is empty"));
    let pinned = &p.json(&["pin", &root, "--to", "ann"])[0];
    assert_eq!(pinned["status"], "hooked");
    assert_eq!(pinned["assignee"], "ann");
    let hook = p.gt(&["hook", "ann"]).ok().stdout;
    assert!(
        hook.contains(&root) && hook.contains(&format!("{root}.read")),
        "{hook}"
    );
    assert_eq!(ids(&p.json(&["hook", "ann"])), vec![root.clone()]);
    let out = p.gt(&["pin", &other, "--to", "ann"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("already holds"), "{}", out.stderr);
    let out = p.gt(&["pin", &root, "--to", "bob"]);
    assert!(out.stderr.contains("on ann's hook"), "{}", out.stderr);
    p.gt(&["pin", &other, "--to", "ann", "--replace"]).ok();
    assert_eq!(ids(&p.json(&["hook", "ann"])), vec![other.clone()]);
    p.gt(&["unpin", &other]).ok();
    assert!(p.json(&["hook", "ann"]).as_array().unwrap().is_empty());
    assert_eq!(p.gt(&["unpin", &other]).code, 1);
}

#[test]
fn mail_send_inbox_read() {
    let p = Project::new();
    let sent = &p.json(&["mail", "send", "bob", "-s", "Handoff", "-b", "see t-1"])[0];
    assert_eq!(sent["issue_type"], "message");
    assert_eq!(sent["sender"], "tester");
    let id = id_of(sent);
    assert_eq!(ids(&p.json(&["mail", "inbox", "bob"])), vec![id.clone()]);
    assert!(p.json(&["mail", "inbox"]).as_array().unwrap().is_empty());
    let read = p.gt(&["mail", "read", &id]).ok().stdout;
    assert!(
        read.contains("subject: Handoff") && read.contains("see t-1"),
        "{read}"
    );
    assert!(
        p.json(&["mail", "inbox", "bob"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        p.json(&["mail", "inbox", "bob", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let task = p.create("Not mail", &[]);
    assert!(
        p.gt(&["mail", "read", &task])
            .stderr
            .contains("not a message")
    );
    assert!(p.ready(None).contains(&task) && !p.ready(None).contains(&id));
}

/// The verified sample records of the beads spec (§6.2): imported and exported again
/// byte for byte.
const SPEC_SAMPLE: &str = r#"{"_type":"issue","id":"bd-mol-a1b","title":"Build \u003cauth\u003e \u0026 co","description":"desc","notes":"n","status":"closed","priority":0,"issue_type":"task","assignee":"alice","estimated_minutes":30,"created_at":"2026-01-02T03:04:05.123456789Z","created_by":"bob","updated_at":"2026-01-02T03:04:05.123456789Z","closed_at":"2026-01-02T04:04:05.123456789Z","close_reason":"done","metadata":{"k":"v"},"labels":["design"],"dependencies":[{"issue_id":"bd-mol-a1b","depends_on_id":"bd-mol-root","type":"parent-child","created_at":"2026-01-02T03:04:05.123456789Z","created_by":"bob"},{"issue_id":"bd-mol-a1b","depends_on_id":"bd-mol-x9z","type":"waits-for","created_at":"2026-01-02T03:04:05.123456789Z","metadata":"{\"gate\":\"all-children\"}"}],"comments":[{"id":"c1","issue_id":"bd-mol-a1b","author":"bob","text":"hi","created_at":"2026-01-02T03:04:05.123456789Z"}],"bonded_from":[{"source_id":"mol-a","bond_type":"sequential"}],"await_type":"gh:run","timeout":1800000000000,"source_formula":"mol-demo","source_location":"steps[1]","dependency_count":2,"dependent_count":0,"comment_count":1}
{"_type":"issue","id":"bd-abc","title":"T","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-02T03:04:05.123456789Z","updated_at":"2026-01-02T03:04:05.123456789Z","dependency_count":0,"dependent_count":0,"comment_count":0}
"#;

#[test]
fn spec_records_round_trip_byte_for_byte() {
    let p = Project::new();
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, SPEC_SAMPLE).unwrap();
    let summary = p.json(&["import", file.to_str().unwrap()]);
    assert_eq!(summary["created"], 2);
    let out = p.gt(&["export"]).ok().stdout;
    let mut want: Vec<&str> = SPEC_SAMPLE.lines().collect();
    want.sort();
    let mut got: Vec<&str> = out.lines().collect();
    got.sort();
    assert_eq!(got, want);
    // And through the ledger file.
    p.gt(&["flush"]).ok();
    let file = std::fs::read_to_string(p.path().join(".beads/issues.jsonl")).unwrap();
    let mut got: Vec<&str> = file.lines().collect();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn import_keeps_unknown_fields_tombstones_templates_and_memories() {
    let p = Project::new();
    let text = concat!(
        r#"{"_schema":"beads/v1"}"#,
        "\n",
        r#"{"id":"x-1","title":"future","status":"open","priority":1,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","quantum_state":{"spin":"up"},"zeta":[1,2]}"#,
        "\n",
        r#"{"id":"x-2","title":"gone","status":"tombstone","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#,
        "\n",
        r#"{"id":"x-3","title":"proto","status":"open","priority":2,"issue_type":"molecule","is_template":true,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#,
        "\n",
        r#"{"id":"x-4","title":"vapor","status":"open","priority":2,"issue_type":"task","wisp":true,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#,
        "\n",
        r#"{"_type":"memory","key":"k","value":"v"}"#,
        "\n",
    );
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, text).unwrap();
    p.gt(&["import", file.to_str().unwrap()]).ok();
    let out = p.gt(&["export"]).ok().stdout;
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert_eq!(lines[0]["_schema"], "beads/v1", "the header is kept, first");
    let x1 = &lines[1];
    assert_eq!(x1["quantum_state"]["spin"], "up");
    assert_eq!(x1["zeta"], serde_json::json!([1, 2]));
    assert_eq!(lines[2]["status"], "tombstone");
    assert_eq!(lines[3]["is_template"], true);
    assert_eq!(
        lines[4]["wisp"], true,
        "an unchanged record is written as read"
    );
    assert_eq!(
        p.json(&["show", "x-4"])[0]["ephemeral"],
        true,
        "legacy `wisp` is read as `ephemeral`"
    );
    assert_eq!(lines[5]["_type"], "memory");
    // Importing the export again changes nothing.
    let again = p.path().join("again.jsonl");
    std::fs::write(&again, &out).unwrap();
    let s = p.json(&["import", again.to_str().unwrap()]);
    assert_eq!(
        (s["created"].as_u64(), s["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(p.gt(&["export"]).ok().stdout, out);
}

#[test]
fn import_reports_bad_lines_with_file_and_line() {
    let p = Project::new();
    let file = p.path().join("in.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"x-1\",\"title\":\"ok\"}\n{broken\n{\"id\":\"x-2\",\"title\":\"cut",
    )
    .unwrap();
    let out = p.gt(&["import", file.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("in.jsonl:2: not JSON"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("in.jsonl:3: torn write"),
        "{}",
        out.stderr
    );
    assert_eq!(ids(&p.json(&["list"])), vec!["x-1"]);
}

#[test]
fn corrupt_ledger_lines_are_reported_and_never_rewritten_away() {
    let p = Project::new();
    let a = p.create("Kept", &[]);
    p.gt(&["flush"]).ok();
    let path = p.path().join(".beads/issues.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"id\": oops this line is damaged\n");
    std::fs::write(&path, &text).unwrap();
    let out = p.gt(&["list"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("issues.jsonl:2: not JSON"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains(&a));
    p.create("New", &[]);
    p.gt(&["flush"]).ok();
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("oops this line is damaged"), "{after}");
    assert_eq!(after.lines().count(), 3);
}

#[test]
fn the_jsonl_is_read_back_when_it_changes_on_disk() {
    let p = Project::new();
    let a = p.create("Edit me", &[]);
    p.gt(&["flush"]).ok();
    let path = p.path().join(".beads/issues.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    // As after a pull: the record changed, later.
    let edited = text
        .replace("\"status\":\"open\"", "\"status\":\"closed\"")
        .replace("\"updated_at\":\"2", "\"updated_at\":\"3");
    std::fs::write(&path, edited).unwrap();
    assert_eq!(p.json(&["show", &a])[0]["status"], "closed");
    // A fresh clone: no database, only the JSONL.
    std::fs::remove_file(p.path().join(".beads/beads.db")).unwrap();
    let _ = std::fs::remove_file(p.path().join(".beads/beads.db-wal"));
    let _ = std::fs::remove_file(p.path().join(".beads/beads.db-shm"));
    assert_eq!(p.json(&["show", &a])[0]["status"], "closed");
}

#[test]
fn flush_is_sorted_and_deterministic() {
    let p = Project::new();
    for t in ["c", "a", "b"] {
        p.create(t, &[]);
    }
    p.gt(&["flush"]).ok();
    let path = p.path().join(".beads/issues.jsonl");
    let first = std::fs::read(&path).unwrap();
    p.gt(&["flush"]).ok();
    assert_eq!(std::fs::read(&path).unwrap(), first);
    let text = String::from_utf8(first).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn help_teaches() {
    let dir = tempfile::tempdir().unwrap();
    let out = gt_in(dir.path(), &["--help"]);
    assert_eq!(out.code, 0);
    for cmd in ["pour", "ready", "claim", "why", "sync"] {
        assert!(out.stdout.contains(cmd), "{cmd} missing from --help");
    }
    assert_eq!(gt_in(dir.path(), &["frobnicate"]).code, 2);
}

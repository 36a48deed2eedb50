//! Bad input gets a located report and loses nothing: cycles and self edges arriving by
//! import, records the database cannot decode, a database from the previous version.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Project, id_of, ids};

#[test]
fn import_reports_cycles_and_self_edges_by_line_and_keeps_the_records() {
    let p = Project::new();
    let text = concat!(
        r#"{"id":"c-a","title":"A","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"c-a","depends_on_id":"c-b","type":"parent-child"},{"issue_id":"c-a","depends_on_id":"c-x","type":"blocks"}]}"#,
        "\n",
        r#"{"id":"c-b","title":"B","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"c-b","depends_on_id":"c-a","type":"parent-child"}]}"#,
        "\n",
        r#"{"id":"c-x","title":"X","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#,
        "\n",
        r#"{"id":"c-s","title":"Self","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"c-s","depends_on_id":"c-s","type":"blocks"}]}"#,
        "\n",
    );
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, text).unwrap();
    let out = p.gt(&["import", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("in.jsonl:1: parent-child cycle: `c-a`, `c-b` are each other's ancestors"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("in.jsonl:4: `c-s` depends on itself (blocks)"),
        "{}",
        out.stderr
    );
    let json = p.json(&["import", file.to_str().unwrap()]);
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(2), "{json}");
    // Kept, and neither the self edge nor the cycle holds anything up for ever: `c-a`
    // waits for `c-x` only; `c-b`'s parent edge is on the cycle and ignored.
    assert_eq!(ids(&p.json(&["list"])).len(), 4);
    let mut ready = p.ready(None);
    ready.sort();
    assert_eq!(ready, vec!["c-b", "c-s", "c-x"]);
    p.json(&["close", "c-x"]);
    let mut ready = p.ready(None);
    ready.sort();
    assert_eq!(ready, vec!["c-a", "c-b", "c-s"]);
    // Breaking the cycle makes the parent edge count again.
    p.json(&["dep", "remove", "c-b", "c-a"]);
    p.json(&["dep", "add", "c-a", "c-s", "--type", "blocks"]);
    let mut ready = p.ready(None);
    ready.sort();
    assert_eq!(ready, vec!["c-b", "c-s"], "c-a is blocked by c-s now");
}

#[test]
fn burn_refuses_when_a_record_cannot_be_read_instead_of_deleting_it() {
    let p = Project::new();
    p.formula(
        "one",
        "formula = \"one\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n",
    );
    let wisp = id_of(&p.json(&["wisp", "one"])[0]);
    let kept = p.create("Persistent child", &["--parent", &wisp]);
    // Damage the child's stored record behind gt's back.
    let db = p.path().join(".beads/beads.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE issues SET record = '{damaged' WHERE id = ?1",
        [&kept],
    )
    .unwrap();
    drop(conn);
    let out = p.gt(&["burn", &wisp]);
    assert_eq!(
        out.code, 2,
        "a database problem, not a refusal or a success"
    );
    assert!(
        out.stderr
            .contains(&format!("record `{kept}` does not decode")),
        "{}",
        out.stderr
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM issues WHERE id = ?1", [&kept], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 1, "nothing was deleted");
}

/// The tables of version 2, as released.
const V2: &str = "
CREATE TABLE issues(id TEXT PRIMARY KEY, status TEXT NOT NULL, priority INTEGER NOT NULL,
  issue_type TEXT NOT NULL, assignee TEXT, ephemeral INTEGER NOT NULL, pinned INTEGER NOT NULL,
  template INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  defer_until TEXT, blocked INTEGER NOT NULL DEFAULT 0, record TEXT NOT NULL);
CREATE INDEX issues_ready ON issues(status, blocked, priority, created_at);
CREATE TABLE deps(issue_id TEXT NOT NULL, depends_on_id TEXT NOT NULL, type TEXT NOT NULL,
  PRIMARY KEY(issue_id, depends_on_id, type)) WITHOUT ROWID;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE quarantine(file TEXT NOT NULL, line INTEGER NOT NULL, text TEXT NOT NULL,
  error TEXT NOT NULL, PRIMARY KEY(file, line));
PRAGMA user_version = 2;
";

#[test]
fn a_version_2_database_is_upgraded_in_place_without_loss() {
    let p = Project::new();
    let beads = p.path().join(".beads");
    for f in ["beads.db", "beads.db-wal", "beads.db-shm"] {
        let _ = std::fs::remove_file(beads.join(f));
    }
    // What git holds: a template and a plain issue.
    let file = concat!(
        r#"{"_type":"issue","id":"t-tpl","title":"Proto","status":"open","priority":2,"issue_type":"epic","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","is_template":true,"dependency_count":0,"dependent_count":0,"comment_count":0}"#,
        "\n",
        r#"{"_type":"issue","id":"t-one","title":"One","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependency_count":0,"dependent_count":0,"comment_count":0}"#,
        "\n",
    );
    std::fs::write(beads.join("issues.jsonl"), file).unwrap();
    let conn = rusqlite::Connection::open(beads.join("beads.db")).unwrap();
    conn.execute_batch(V2).unwrap();
    let rows = [
        (
            "t-tpl",
            1,
            0,
            r#"{"id":"t-tpl","title":"Proto","status":"open","priority":2,"issue_type":"epic","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","is_template":true,"dependencies":[]}"#,
        ),
        (
            "t-one",
            0,
            0,
            r#"{"id":"t-one","title":"One","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[]}"#,
        ),
        (
            "t-wisp",
            0,
            1,
            r#"{"id":"t-wisp","title":"Local wisp","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","ephemeral":true,"dependencies":[]}"#,
        ),
    ];
    for (id, template, ephemeral, record) in rows {
        conn.execute(
            "INSERT INTO issues VALUES (?1, 'open', 2, 'task', NULL, ?3, 0, ?2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL, 0, ?4)",
            rusqlite::params![id, template, ephemeral, record],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO meta VALUES ('memory:k', '{\"_type\":\"memory\",\"key\":\"k\",\"value\":\"v\"}')",
        [],
    )
    .unwrap();
    drop(conn);
    let listed = ids(&p.json(&["list", "--all"]));
    assert_eq!(listed, vec!["t-one", "t-tpl", "t-wisp"]);
    p.gt(&["flush"]).ok();
    let text = std::fs::read_to_string(beads.join("issues.jsonl")).unwrap();
    for want in file.lines() {
        assert!(text.lines().any(|l| l == want), "lost: {want}\n{text}");
    }
    assert!(text.contains(r#""key":"k""#), "the memory moved: {text}");
    assert!(
        !text.contains("t-wisp"),
        "the local wisp stays local: {text}"
    );
}

/// The same through the bulk path (an import of more than 5,000 changed records
/// recomputes flags and cycles for the whole ledger).
#[test]
fn a_large_import_reports_cycles_by_line_and_settles_every_flag() {
    let p = Project::new();
    let mut text = String::new();
    let rec = |id: &str, deps: &str| {
        format!(
            r#"{{"id":"{id}","title":"{id}","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{deps}]}}"#
        ) + "\n"
    };
    // 5,100 issues in chains of three: each blocked by the previous one.
    for i in 0..5100 {
        let id = format!("l-{i:05}");
        let deps = if i % 3 == 0 {
            String::new()
        } else {
            format!(
                r#"{{"issue_id":"{id}","depends_on_id":"l-{:05}","type":"blocks"}}"#,
                i - 1
            )
        };
        text.push_str(&rec(&id, &deps));
    }
    // Line 5101 and 5102: a cycle under a blocked issue.
    text.push_str(&rec(
        "l-cyc-a",
        r#"{"issue_id":"l-cyc-a","depends_on_id":"l-cyc-b","type":"parent-child"},{"issue_id":"l-cyc-a","depends_on_id":"l-00001","type":"blocks"}"#,
    ));
    text.push_str(&rec(
        "l-cyc-b",
        r#"{"issue_id":"l-cyc-b","depends_on_id":"l-cyc-a","type":"parent-child"}"#,
    ));
    let file = p.path().join("big.jsonl");
    std::fs::write(&file, text).unwrap();
    let out = p.gt(&["import", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("big.jsonl:5101: parent-child cycle: `l-cyc-a`, `l-cyc-b`"),
        "{}",
        out.stderr
    );
    // Ready: every chain head (1,700) and `l-cyc-b` (its parent edge is on the cycle).
    let ready = ids(&p.json(&["ready"]));
    assert_eq!(ready.len(), 1701, "{:?}", &ready[..5]);
    assert!(ready.contains(&String::from("l-cyc-b")));
    assert!(!ready.contains(&String::from("l-cyc-a")));
}

//! Nothing is lost: whatever `gt` reads from a ledger file it writes back (`flush`,
//! `export`), byte for byte where it did not change the record; deletions travel as
//! tombstones; `sync` between clones never deletes what no one deleted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::{Project, git, gt_in, id_of, ids, json_in};

/// A ledger as a real Gas Town / beads clone brings it: a schema header, issues written
/// by bd (Go escaping, export counts, a comment count for comments kept outside the
/// file), unknown fields in non-alphabetical order with odd number spellings, nested
/// metadata, templates, a wisp that reached git, a tombstone, memories (keys not in
/// order), a record type this version does not know, and a damaged line.
const LEDGER: &str = concat!(
    r#"{"_schema":"beads/v1","generated_by":"bd 0.49"}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-a1","title":"Build \u003cauth\u003e \u0026 co","status":"open","priority":1,"issue_type":"task","created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","metadata":{"zz":1.50,"aa":{"y":1e3,"b":[3,2,1]}},"labels":["b","a"],"zeta":{"z":1,"a":2},"alpha":-0.0,"dependency_count":0,"dependent_count":2,"comment_count":1}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-a2","title":"Blocked on a1","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-02T03:04:06Z","updated_at":"2026-01-02T03:04:06Z","dependencies":[{"issue_id":"gt-a2","depends_on_id":"gt-a1","type":"blocks","created_at":"2026-01-02T03:04:06Z","weight":2,"note":"x"}],"dependency_count":1,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-t1","title":"Proto: review","status":"open","priority":2,"issue_type":"epic","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","labels":["template"],"is_template":true,"dependency_count":0,"dependent_count":1,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-t1.1","title":"Proto step","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","dependencies":[{"issue_id":"gt-t1.1","depends_on_id":"gt-t1","type":"parent-child","created_at":"2026-01-01T00:00:00Z"}],"is_template":true,"dependency_count":1,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-w1","title":"A wisp that reached git","status":"open","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","ephemeral":true,"dependency_count":0,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"issue","id":"gt-x1","title":"deleted","status":"tombstone","priority":2,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-03T00:00:00Z","deleted_at":"2026-01-03T00:00:00Z","deleted_by":"bob","delete_reason":"dup","original_type":"bug","dependency_count":0,"dependent_count":0,"comment_count":0}"#,
    "\n",
    r#"{"_type":"memory","key":"zeta","value":"last"}"#,
    "\n",
    r#"{"_type":"memory","key":"alpha","value":"first"}"#,
    "\n",
    r#"{"_type":"event","kind":"patrol.muted","at":"2026-01-01T00:00:00Z"}"#,
    "\n",
    r#"{"id": oops, this line was damaged by hand"#,
    "\n",
);

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

fn jsonl(p: &Project) -> String {
    std::fs::read_to_string(p.path().join(".beads/issues.jsonl")).unwrap()
}

/// A project whose `issues.jsonl` arrived by git (no database yet).
fn arrived(text: &str) -> Project {
    let p = Project::new();
    std::fs::remove_file(p.path().join(".beads/beads.db")).unwrap();
    for f in ["beads.db-wal", "beads.db-shm"] {
        let _ = std::fs::remove_file(p.path().join(".beads").join(f));
    }
    std::fs::write(p.path().join(".beads/issues.jsonl"), text).unwrap();
    p
}

#[test]
fn flush_writes_back_every_record_it_read_byte_for_byte() {
    let p = arrived(LEDGER);
    let out = p.gt(&["list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("issues.jsonl:11: not JSON"),
        "{}",
        out.stderr
    );
    p.gt(&["flush"]).ok();
    assert_eq!(sorted_lines(&jsonl(&p)), sorted_lines(LEDGER));
    // And again: nothing drifts.
    let first = jsonl(&p);
    p.gt(&["flush"]).ok();
    assert_eq!(jsonl(&p), first);
}

#[test]
fn import_then_export_is_byte_for_byte() {
    let p = Project::new();
    let text: String = LEDGER
        .lines()
        .filter(|l| !l.contains("oops"))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, &text).unwrap();
    p.gt(&["import", file.to_str().unwrap()]).ok();
    let out = p.gt(&["export"]).ok().stdout;
    assert_eq!(sorted_lines(&out), sorted_lines(&text));
    // import -> flush too.
    p.gt(&["flush"]).ok();
    assert_eq!(sorted_lines(&jsonl(&p)), sorted_lines(&text));
}

#[test]
fn a_changed_record_keeps_unknown_key_order_metadata_and_number_spelling() {
    let p = arrived(LEDGER);
    p.json(&["claim", "gt-a1", "--as", "alice"]);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let line = text
        .lines()
        .find(|l| l.contains("\"id\":\"gt-a1\""))
        .unwrap();
    assert!(line.contains(r#""status":"in_progress""#), "{line}");
    assert!(
        line.contains(r#""metadata":{"zz":1.50,"aa":{"y":1e3,"b":[3,2,1]}}"#),
        "{line}"
    );
    assert!(
        line.contains(r#""zeta":{"z":1,"a":2},"alpha":-0.0"#),
        "{line}"
    );
    assert!(
        line.contains(r#"Build \u003cauth\u003e \u0026 co"#),
        "{line}"
    );
    // A changed record's counts are recomputed: a1 still has one dependent (a2) and
    // the comment count bd wrote for comments outside the file is not invented.
    let rec: Value = serde_json::from_str(line).unwrap();
    assert_eq!(rec["dependent_count"], 1, "{line}");
    // The edge's unknown fields survive a change of its issue too.
    p.json(&["update", "gt-a2", "--title", "Renamed"]);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let a2 = text
        .lines()
        .find(|l| l.contains("\"id\":\"gt-a2\""))
        .unwrap();
    assert!(a2.contains(r#""weight":2,"note":"x""#), "{a2}");
    // The untouched records are still byte for byte what arrived.
    for want in LEDGER.lines() {
        if !want.contains("gt-a1") && !want.contains("gt-a2") {
            assert!(text.lines().any(|l| l == want), "lost or changed: {want}");
        }
    }
}

#[test]
fn deleting_leaves_a_tombstone_that_flush_writes_and_import_applies() {
    let p = Project::new();
    let a = p.create("Delete me", &[]);
    let b = p.create("Blocked by it", &["--blocked-by", &a]);
    let out = p.json(&["delete", &a, "--reason", "duplicate"]);
    assert_eq!(out[0]["status"], "tombstone", "{out}");
    assert_eq!(out[0]["deleted_by"], "tester");
    assert_eq!(out[0]["delete_reason"], "duplicate");
    assert_eq!(out[0]["original_type"], "task");
    // Gone from every listing; its dependent is ready; show says it was deleted.
    assert_eq!(ids(&p.json(&["list"])), vec![b.clone()]);
    assert_eq!(p.ready(None), vec![b.clone()]);
    let shown = p.gt(&["show", &a]);
    assert_eq!(shown.code, 1);
    assert!(shown.stderr.contains("was deleted"), "{}", shown.stderr);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let line = text.lines().find(|l| l.contains(&a)).unwrap();
    assert!(line.contains(r#""status":"tombstone""#), "{line}");
    assert!(line.contains(r#""deleted_at":"#), "{line}");
    // Import applies a tombstone to a live record older than the deletion.
    let q = Project::new();
    let c = q.create("Live here", &[]);
    let rec = &q.json(&["show", &c])[0];
    let mut tomb = rec.clone();
    tomb["status"] = "tombstone".into();
    tomb["deleted_at"] = "2999-01-01T00:00:00Z".into();
    tomb["updated_at"] = "2999-01-01T00:00:00Z".into();
    let file = q.path().join("t.jsonl");
    std::fs::write(&file, format!("{tomb}\n")).unwrap();
    q.gt(&["import", file.to_str().unwrap()]).ok();
    assert!(ids(&q.json(&["list"])).is_empty());
}

#[test]
fn burning_a_persistent_molecule_leaves_tombstones_and_a_wisp_none() {
    let p = Project::new();
    p.formula(
        "two",
        "formula = \"two\"\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"a\"]\n",
    );
    let mol = id_of(&p.json(&["pour", "two"])[0]);
    let wisp = id_of(&p.json(&["wisp", "two"])[0]);
    p.gt(&["flush"]).ok();
    p.json(&["burn", &mol, "--force"]);
    p.json(&["burn", &wisp]);
    p.gt(&["flush"]).ok();
    let text = jsonl(&p);
    let tombs = text
        .lines()
        .filter(|l| l.contains(r#""status":"tombstone""#))
        .count();
    assert_eq!(tombs, 3, "root and both steps: {text}");
    assert!(!text.contains(&wisp), "wisps never reach git: {text}");
}

fn sync(dir: &Path) -> String {
    gt_in(dir, &["sync"]).ok().stderr
}

/// A bare remote, clone `a` with the ledger `text` committed and pushed, and clone `b`.
fn two_clones(root: &Path, text: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let remote = root.join("remote.git");
    std::fs::create_dir(&remote).unwrap();
    git(&remote, &["init", "--bare", "-q", "-b", "main"]);
    let a = root.join("a");
    std::fs::create_dir(&a).unwrap();
    git(&a, &["init", "-q", "-b", "main"]);
    git(&a, &["remote", "add", "origin", remote.to_str().unwrap()]);
    gt_in(&a, &["init", "--prefix", "gt"]).ok();
    std::fs::write(a.join(".beads/issues.jsonl"), text).unwrap();
    sync(&a);
    git(&a, &["branch", "--set-upstream-to=origin/main"]);
    git(root, &["clone", "-q", remote.to_str().unwrap(), "b"]);
    (a, root.join("b"))
}

fn ledger_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".beads/issues.jsonl")).unwrap()
}

#[test]
fn sync_never_deletes_a_record_no_one_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_clones(tmp.path(), LEDGER);
    gt_in(&a, &["create", "From A"]).ok();
    gt_in(&b, &["create", "From B"]).ok();
    sync(&a);
    sync(&b);
    sync(&a);
    let (la, lb) = (ledger_of(&a), ledger_of(&b));
    assert_eq!(la, lb);
    for want in LEDGER.lines() {
        assert!(la.lines().any(|l| l == want), "lost: {want}\n{la}");
    }
    assert!(la.contains("From A") && la.contains("From B"));
}

#[test]
fn a_deletion_travels_and_stays_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_clones(tmp.path(), "");
    let x = id_of(&json_in(&a, &["create", "Doomed"])[0]);
    let y = id_of(&json_in(&a, &["create", "Survivor"])[0]);
    sync(&a);
    sync(&b);
    assert_eq!(id_of(&json_in(&b, &["show", &x])[0]), x);
    json_in(&a, &["delete", &x]);
    sync(&a);
    sync(&b);
    sync(&a);
    for dir in [&a, &b] {
        let listed = ids(&json_in(dir, &["list"]));
        assert_eq!(listed, vec![y.clone()], "in {}", dir.display());
        assert_eq!(gt_in(dir, &["show", &x]).code, 1);
        let text = ledger_of(dir);
        let line = text.lines().find(|l| l.contains(&x)).unwrap();
        assert!(line.contains(r#""status":"tombstone""#), "{line}");
    }
    // Further flushes and syncs on either side do not bring it back.
    gt_in(&b, &["flush"]).ok();
    sync(&b);
    sync(&a);
    gt_in(&a, &["flush"]).ok();
    for dir in [&a, &b] {
        assert_eq!(ids(&json_in(dir, &["list"])), vec![y.clone()]);
    }
    assert_eq!(ledger_of(&a), ledger_of(&b));
}

#[test]
fn a_newer_edit_beats_an_older_deletion_and_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = two_clones(tmp.path(), "");
    let x = id_of(&json_in(&a, &["create", "Contested"])[0]);
    sync(&a);
    sync(&b);
    json_in(&a, &["delete", &x]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    json_in(&b, &["update", &x, "--title", "Still wanted"]);
    sync(&a);
    let report = sync(&b);
    assert!(
        report.contains(&x) && report.contains("deleted"),
        "the resurrection is reported: {report}"
    );
    sync(&a);
    for dir in [&a, &b] {
        let shown = &json_in(dir, &["show", &x])[0];
        assert_eq!(shown["title"], "Still wanted", "in {}", dir.display());
        assert_eq!(shown["status"], "open");
    }
}

/// Property: for any ledger file F, reading F (as `issues.jsonl`) and flushing writes
/// every line of F back, byte for byte; importing F elsewhere and exporting does too
/// (but for the lines that are not records, which `gt import` reports and skips).
mod any_file {
    use gt::ledger::jsonl::{Scope, flush, write_ledger};
    use gt::ledger::{JSONL, Ledger};
    use proptest::prelude::*;

    /// A JSON string literal, sometimes with characters bd escapes, sometimes with an
    /// escape spelled another way than serde would.
    fn text() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            r#""plain""#,
            r#""a \u003c b \u0026\u0026 c \u003e d""#,
            r#""caf\u00e9""#,
            r#""café""#,
            r#""line\nbreak \"quoted\"""#,
            r#""tab\there / slash \/""#,
            r#""""#,
        ])
        .prop_map(str::to_owned)
    }

    fn number() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "0",
            "-0.0",
            "1.50",
            "1e3",
            "2E-2",
            "12345678901234567890",
            "-7",
        ])
        .prop_map(str::to_owned)
    }

    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            text(),
            number(),
            Just(String::from("true")),
            Just(String::from("null"))
        ];
        leaf.prop_recursive(3, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(
                    (prop::sample::select(vec!["z", "a", "m", "b"]), inner),
                    0..3
                )
                .prop_map(|kv| {
                    let mut seen = Vec::new();
                    let body: Vec<String> = kv
                        .into_iter()
                        .filter(|(k, _)| {
                            let fresh = !seen.contains(k);
                            seen.push(*k);
                            fresh
                        })
                        .map(|(k, v)| format!("\"{k}\":{v}"))
                        .collect();
                    format!("{{{}}}", body.join(","))
                }),
            ]
        })
    }

    /// One issue record, its fields in a random order, with unknown fields among them.
    fn issue(id: String) -> impl Strategy<Value = String> {
        let optional = vec![
            ("title", text().boxed()),
            ("description", text().boxed()),
            (
                "status",
                prop::sample::select(vec![
                    r#""open""#,
                    r#""closed""#,
                    r#""in_progress""#,
                    r#""tombstone""#,
                    r#""review""#,
                ])
                .prop_map(str::to_owned)
                .boxed(),
            ),
            (
                "priority",
                prop::sample::select(vec!["0", "2", "4"])
                    .prop_map(str::to_owned)
                    .boxed(),
            ),
            (
                "issue_type",
                prop::sample::select(vec![r#""task""#, r#""epic""#, r#""molecule""#, r#""gate""#])
                    .prop_map(str::to_owned)
                    .boxed(),
            ),
            ("metadata", value().boxed()),
            (
                "labels",
                prop::sample::select(vec![r#"["b","a"]"#, r#"[]"#, r#"["x"]"#])
                    .prop_map(str::to_owned)
                    .boxed(),
            ),
            (
                "is_template",
                prop::sample::select(vec!["true", "false"])
                    .prop_map(str::to_owned)
                    .boxed(),
            ),
            (
                "ephemeral",
                prop::sample::select(vec!["true", "false"])
                    .prop_map(str::to_owned)
                    .boxed(),
            ),
            ("zz_unknown", value().boxed()),
            ("aa_unknown", value().boxed()),
            ("comment_count", number().boxed()),
            (
                "updated_at",
                prop::sample::select(vec![
                    r#""2026-01-01T00:00:00Z""#,
                    r#""2026-02-03T04:05:06.5Z""#,
                ])
                .prop_map(str::to_owned)
                .boxed(),
            ),
        ];
        let fields: Vec<_> = optional
            .into_iter()
            .map(|(k, v)| prop::option::of(v.prop_map(move |v| format!("\"{k}\":{v}"))))
            .collect();
        (fields, any::<u64>(), any::<bool>()).prop_map(move |(fields, order, spaced)| {
            let mut parts: Vec<String> = fields.into_iter().flatten().collect();
            // A deterministic shuffle from `order`.
            let n = parts.len();
            if n > 1 {
                let mut o = order;
                for i in (1..n).rev() {
                    parts.swap(i, (o % (i as u64 + 1)) as usize);
                    o /= i as u64 + 1;
                }
            }
            parts.insert((order as usize) % (n + 1), format!("\"id\":\"{id}\""));
            let sep = if spaced { ", " } else { "," };
            format!("{{{}}}", parts.join(sep))
        })
    }

    fn ledger_file() -> impl Strategy<Value = Vec<String>> {
        let issues = prop::collection::vec(any::<bool>(), 1..8).prop_flat_map(|present| {
            present
                .into_iter()
                .enumerate()
                .filter(|(_, p)| *p)
                .map(|(i, _)| issue(format!("gt-{i}")))
                .collect::<Vec<_>>()
        });
        let extras = prop::collection::vec(
            prop::sample::select(vec![
                r#"{"_schema":"beads/v1"}"#,
                r#"{"_type":"memory","key":"k1","value":"v"}"#,
                r#"{"_type":"memory","key":"k0","value":{"n":1.50}}"#,
                r#"{"_type":"event","id":"e-1","payload":"x"}"#,
                r#"{"id": not json"#,
                r#"[1,2,3]"#,
            ]),
            0..4,
        );
        (issues, extras, any::<u64>()).prop_map(|(mut lines, extras, at)| {
            let mut seen: Vec<&str> = Vec::new();
            for e in extras {
                if !seen.contains(&e) {
                    seen.push(e);
                    let i = (at as usize) % (lines.len() + 1);
                    lines.insert(i, e.to_owned());
                }
            }
            lines
        })
    }

    fn sorted(lines: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut v: Vec<String> = lines.into_iter().collect();
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn reading_a_ledger_file_then_flushing_writes_every_line_back(lines in ledger_file()) {
            let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            drop(Ledger::init(tmp.path(), "gt", "prop").unwrap_or_else(|e| panic!("{e}")));
            let dir = tmp.path().join(".beads");
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            std::fs::write(dir.join(JSONL), &text).unwrap_or_else(|e| panic!("{e}"));
            // Opening reads the file; with the file gone, flush writes it anew from the
            // ledger alone.
            let mut ledger = Ledger::open_dir(dir.clone(), "prop").unwrap_or_else(|e| panic!("{e}"));
            std::fs::remove_file(dir.join(JSONL)).unwrap_or_else(|e| panic!("{e}"));
            let done = flush(&mut ledger).unwrap_or_else(|e| panic!("{e}"));
            prop_assert!(done.written);
            let back = std::fs::read_to_string(dir.join(JSONL)).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(sorted(back.lines().map(str::to_owned)), sorted(lines.clone()));
        }

        #[test]
        fn importing_a_file_then_exporting_writes_every_record_back(lines in ledger_file()) {
            let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let mut ledger = Ledger::init(tmp.path(), "gt", "prop").unwrap_or_else(|e| panic!("{e}"));
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let summary = ledger
                .write(|tx| gt::ledger::jsonl::import(tx, text.as_bytes(), gt::ledger::jsonl::Source::File, None))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut out = Vec::new();
            ledger
                .read(|tx| write_ledger(tx, &mut out, Scope::All, std::path::Path::new("<mem>")))
                .unwrap_or_else(|e| panic!("{e}"));
            let bad: Vec<&String> = summary.bad.iter().map(|b| &b.text).collect();
            let want = sorted(lines.iter().filter(|l| !bad.contains(l)).cloned());
            let got = sorted(String::from_utf8(out).unwrap_or_default().lines().map(str::to_owned));
            prop_assert_eq!(got, want);
        }
    }
}

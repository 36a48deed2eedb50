#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn line(v: Value) -> String {
    format!("{v}\n")
}

fn lines(vs: &[Value]) -> String {
    vs.iter().map(|v| line(v.clone())).collect()
}

fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn find(text: &str, id: &str) -> Option<Value> {
    records(text).into_iter().find(|r| r["id"] == id)
}

fn check_symmetric(base: &str, ours: &str, theirs: &str) -> MergeResult {
    let a = merge_jsonl(base, ours, theirs);
    let b = merge_jsonl(base, theirs, ours);
    assert_eq!(
        a.text, b.text,
        "merge must not depend on which side is ours"
    );
    assert_eq!(a.conflicts.len(), b.conflicts.len());
    a
}

#[test]
fn added_on_one_side_is_taken() {
    let base = lines(&[json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"})]);
    let ours = lines(&[
        json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"}),
        json!({"id":"b","title":"B","updated_at":"2026-01-02T00:00:00Z"}),
    ]);
    let theirs = lines(&[
        json!({"id":"c","title":"C","updated_at":"2026-01-03T00:00:00Z"}),
        json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"}),
    ]);
    let m = check_symmetric(&base, &ours, &theirs);
    let ids: Vec<_> = records(&m.text).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, vec![json!("a"), json!("b"), json!("c")]);
    assert!(m.conflicts.is_empty());
    assert!(m.corrupt.is_empty());
}

#[test]
fn deleted_on_one_side_unchanged_on_other_is_deleted() {
    let a = json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"});
    let b = json!({"id":"b","title":"B","updated_at":"2026-01-01T00:00:00Z"});
    let base = lines(&[a.clone(), b.clone()]);
    let ours = lines(std::slice::from_ref(&a));
    let theirs = lines(&[a.clone(), b]);
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(m.text, line(a));
    assert!(m.conflicts.is_empty());
}

#[test]
fn deleted_on_one_side_changed_on_other_keeps_change() {
    let base = lines(&[json!({"id":"a","status":"open","updated_at":"2026-01-01T00:00:00Z"})]);
    let ours = String::new();
    let changed = json!({"id":"a","status":"closed","updated_at":"2026-01-02T00:00:00Z"});
    let theirs = lines(std::slice::from_ref(&changed));
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(m.text, line(changed.clone()));
    assert_eq!(m.conflicts.len(), 1);
    let c = &m.conflicts[0];
    assert_eq!(c.kind, ConflictKind::DeletedVsChanged);
    assert_eq!(c.id, "a");
    assert_eq!(c.ours, None);
    assert_eq!(c.theirs, Some(changed));
    assert_eq!(c.chosen, Side::Theirs);
}

#[test]
fn different_fields_changed_on_both_sides_merge() {
    let base = "{\"id\":\"a\",\"title\":\"A\",\"status\":\"open\",\"priority\":2,\"updated_at\":\"2026-01-01T00:00:00Z\"}\n";
    let ours = "{\"id\":\"a\",\"title\":\"A2\",\"status\":\"open\",\"priority\":2,\"updated_at\":\"2026-01-02T00:00:00Z\"}\n";
    let theirs = "{\"id\":\"a\",\"title\":\"A\",\"status\":\"closed\",\"priority\":2,\"updated_at\":\"2026-01-03T00:00:00Z\"}\n";
    let m = check_symmetric(base, ours, theirs);
    assert_eq!(
        m.text,
        "{\"id\":\"a\",\"title\":\"A2\",\"status\":\"closed\",\"priority\":2,\"updated_at\":\"2026-01-03T00:00:00Z\"}\n"
    );
    assert!(m.conflicts.is_empty());
}

#[test]
fn same_field_changed_on_both_sides_later_updated_at_wins() {
    let base = lines(&[json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"})]);
    // Theirs is later, though only by a fraction of a second (string order would say otherwise).
    let ours = lines(&[json!({"id":"a","title":"ours","updated_at":"2026-01-02T00:00:00Z"})]);
    let theirs = lines(&[json!({"id":"a","title":"theirs","updated_at":"2026-01-02T00:00:00.5Z"})]);
    let m = check_symmetric(&base, &ours, &theirs);
    let r = find(&m.text, "a").unwrap();
    assert_eq!(r["title"], "theirs");
    assert_eq!(r["updated_at"], "2026-01-02T00:00:00.5Z");
    assert_eq!(
        m.conflicts,
        vec![FieldConflict {
            id: "a".into(),
            field: "title".into(),
            kind: ConflictKind::Field,
            ours: Some(json!("ours")),
            theirs: Some(json!("theirs")),
            chosen: Side::Theirs,
        }]
    );
}

#[test]
fn updated_at_with_offsets_compares_as_instants() {
    let base = lines(&[json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"})]);
    // 10:00+02:00 is 08:00Z, earlier than 09:00Z.
    let ours = lines(&[json!({"id":"a","title":"ours","updated_at":"2026-01-02T10:00:00+02:00"})]);
    let theirs = lines(&[json!({"id":"a","title":"theirs","updated_at":"2026-01-02T09:00:00Z"})]);
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(find(&m.text, "a").unwrap()["title"], "theirs");
    assert_eq!(m.conflicts[0].chosen, Side::Theirs);
}

#[test]
fn tie_on_updated_at_is_deterministic() {
    let base = lines(&[json!({"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"})]);
    let ours = lines(&[json!({"id":"a","title":"x","updated_at":"2026-01-02T00:00:00Z"})]);
    let theirs = lines(&[json!({"id":"a","title":"y","updated_at":"2026-01-02T00:00:00Z"})]);
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(find(&m.text, "a").unwrap()["title"], "y"); // "y" > "x"
}

#[test]
fn field_removed_on_one_side_changed_on_other_is_a_conflict() {
    let base = lines(&[json!({"id":"a","assignee":"bob","updated_at":"2026-01-01T00:00:00Z"})]);
    let ours = lines(&[json!({"id":"a","updated_at":"2026-01-03T00:00:00Z"})]);
    let theirs = lines(&[json!({"id":"a","assignee":"eve","updated_at":"2026-01-02T00:00:00Z"})]);
    let m = check_symmetric(&base, &ours, &theirs);
    assert!(find(&m.text, "a").unwrap().get("assignee").is_none());
    assert_eq!(m.conflicts[0].ours, None);
    assert_eq!(m.conflicts[0].chosen, Side::Ours);
}

#[test]
fn added_on_both_sides_merges_against_empty_base() {
    let ours =
        lines(&[json!({"id":"a","title":"T","status":"open","updated_at":"2026-01-01T00:00:00Z"})]);
    let theirs =
        lines(&[json!({"id":"a","title":"T","priority":1,"updated_at":"2026-01-02T00:00:00Z"})]);
    let m = check_symmetric("", &ours, &theirs);
    let r = find(&m.text, "a").unwrap();
    assert_eq!(r["status"], "open");
    assert_eq!(r["priority"], 1);
    assert_eq!(r["updated_at"], "2026-01-02T00:00:00Z");
    assert!(m.conflicts.is_empty());
}

#[test]
fn labels_union_and_one_sided_removal() {
    let base =
        lines(&[json!({"id":"a","labels":["keep","drop"],"updated_at":"2026-01-01T00:00:00Z"})]);
    let ours =
        lines(&[json!({"id":"a","labels":["keep","ours"],"updated_at":"2026-01-02T00:00:00Z"})]);
    let theirs = lines(&[
        json!({"id":"a","labels":["keep","drop","theirs"],"updated_at":"2026-01-03T00:00:00Z"}),
    ]);
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(
        find(&m.text, "a").unwrap()["labels"],
        json!(["keep", "ours", "theirs"])
    );
    assert!(m.conflicts.is_empty());
}

#[test]
fn dependencies_union_by_id_and_type() {
    let dep = |id: &str, ty: &str| json!({"issue_id":"a","depends_on_id":id,"type":ty});
    let base = lines(&[
        json!({"id":"a","dependencies":[dep("x","blocks")],"updated_at":"2026-01-01T00:00:00Z"}),
    ]);
    let ours = lines(&[
        json!({"id":"a","dependencies":[dep("x","blocks"),dep("y","blocks")],"updated_at":"2026-01-02T00:00:00Z"}),
    ]);
    let theirs = lines(&[
        json!({"id":"a","dependencies":[dep("y","related"),dep("z","blocks")],"updated_at":"2026-01-03T00:00:00Z"}),
    ]);
    let m = check_symmetric(&base, &ours, &theirs);
    // x removed by theirs (ours did not touch it); y/blocks, y/related and z added.
    assert_eq!(
        find(&m.text, "a").unwrap()["dependencies"],
        json!([dep("y", "blocks"), dep("y", "related"), dep("z", "blocks")])
    );
    assert!(m.conflicts.is_empty());
}

#[test]
fn comments_union_by_id_with_entry_conflict() {
    let c = |id: u64, text: &str| json!({"id":id,"text":text});
    let base =
        lines(&[json!({"id":"a","comments":[c(1,"one")],"updated_at":"2026-01-01T00:00:00Z"})]);
    let ours = lines(&[
        json!({"id":"a","comments":[c(1,"one!"),c(2,"two")],"updated_at":"2026-01-02T00:00:00Z"}),
    ]);
    let theirs = lines(&[
        json!({"id":"a","comments":[c(1,"one?"),c(10,"ten")],"updated_at":"2026-01-03T00:00:00Z"}),
    ]);
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(
        find(&m.text, "a").unwrap()["comments"],
        json!([c(1, "one?"), c(2, "two"), c(10, "ten")])
    );
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].kind, ConflictKind::Entry);
    assert_eq!(m.conflicts[0].field, "comments");
    assert_eq!(m.conflicts[0].chosen, Side::Theirs);
}

#[test]
fn key_order_keeps_ours_and_adds_theirs_new_keys() {
    let base = r#"{"id":"a","title":"A","updated_at":"2026-01-01T00:00:00Z"}"#.to_string() + "\n";
    let ours = r#"{"id":"a","title":"A2","updated_at":"2026-01-02T00:00:00Z","ours_new":1}"#
        .to_string()
        + "\n";
    let theirs = r#"{"id":"a","title":"A","updated_at":"2026-01-03T00:00:00Z","theirs_new":2}"#
        .to_string()
        + "\n";
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(
        m.text,
        "{\"id\":\"a\",\"title\":\"A2\",\"updated_at\":\"2026-01-03T00:00:00Z\",\"ours_new\":1,\"theirs_new\":2}\n"
    );
}

#[test]
fn corrupt_lines_are_kept_and_reported() {
    let a = json!({"id":"a","updated_at":"2026-01-01T00:00:00Z"});
    let base = lines(std::slice::from_ref(&a));
    let ours = format!("{}not json\n", line(a.clone()));
    let theirs = format!(
        "{{\"title\":\"no id\"}}\n{}not json\n[1,2]\n",
        line(a.clone())
    );
    let m = check_symmetric(&base, &ours, &theirs);
    assert_eq!(
        m.text,
        format!("{}[1,2]\nnot json\n{{\"title\":\"no id\"}}\n", line(a))
    );
    let mut seen: Vec<_> = m
        .corrupt
        .iter()
        .map(|c| (c.side, c.line, c.text.as_str(), c.kept))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (Side::Ours, 2, "not json", true),
            (Side::Theirs, 1, "{\"title\":\"no id\"}", true),
            (Side::Theirs, 3, "not json", true),
            (Side::Theirs, 4, "[1,2]", true),
        ]
    );
}

#[test]
fn corrupt_line_repaired_on_one_side_is_dropped_but_reported() {
    let base = "garbage\n";
    let ours = "garbage\n";
    let theirs = "{\"id\":\"a\"}\n";
    let m = check_symmetric(base, ours, theirs);
    assert_eq!(m.text, "{\"id\":\"a\"}\n");
    assert_eq!(m.corrupt.len(), 1);
    assert!(!m.corrupt[0].kept);
}

#[test]
fn duplicate_ids_keep_the_newest_and_report_the_rest() {
    let text = "{\"id\":\"a\",\"v\":1,\"updated_at\":\"2026-01-02T00:00:00Z\"}\n\
                {\"id\":\"a\",\"v\":2,\"updated_at\":\"2026-01-01T00:00:00Z\"}\n\
                {\"id\":\"a\",\"v\":1,\"updated_at\":\"2026-01-02T00:00:00Z\"}\n";
    let m = merge_jsonl("", text, "");
    assert_eq!(
        m.text,
        "{\"id\":\"a\",\"v\":1,\"updated_at\":\"2026-01-02T00:00:00Z\"}\n"
    );
    assert_eq!(m.corrupt.len(), 1);
    assert_eq!(m.corrupt[0].line, 2);
    assert!(!m.corrupt[0].kept);
    assert_eq!(normalize_jsonl(text), m.text);
}

#[test]
fn normal_form_sorts_and_keeps_each_line_as_written() {
    let text = "\n{ \"id\": \"b\", \"x\": [1, 2] }\r\n{\"id\":\"a\"}\n\n";
    assert_eq!(
        normalize_jsonl(text),
        "{\"id\":\"a\"}\n{ \"id\": \"b\", \"x\": [1, 2] }\n"
    );
    assert_eq!(merge_jsonl(text, text, text).text, normalize_jsonl(text));
}

#[test]
fn rfc3339_parsing() {
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
    assert_eq!(
        parse_rfc3339("1970-01-02T00:00:01.000000002Z"),
        Some((86_401, 2))
    );
    assert_eq!(
        parse_rfc3339("2026-01-02T03:04:05+01:00"),
        parse_rfc3339("2026-01-02T02:04:05Z")
    );
    assert!(parse_rfc3339("2026-01-02T03:04:05.5Z") > parse_rfc3339("2026-01-02T03:04:05Z"));
    assert_eq!(
        parse_rfc3339("2000-03-01T00:00:00Z"),
        Some((951_868_800, 0))
    );
    assert_eq!(parse_rfc3339("yesterday"), None);
    assert_eq!(parse_rfc3339("2026-01-02T03:04:05"), None);
}

#[test]
fn the_streaming_merge_stops_on_unsorted_records_and_late_headers() {
    let sorted = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n";
    let unsorted = "{\"id\":\"b\"}\n{\"id\":\"a\"}\n";
    let late = "{\"id\":\"a\"}\n{\"_schema\":1}\n";
    let mut out = Vec::new();
    let r = merge_streams(
        sorted.as_bytes(),
        unsorted.as_bytes(),
        sorted.as_bytes(),
        &mut out,
    );
    assert!(
        matches!(
            r,
            Err(Stop::NotSorted {
                side: "ours",
                line: 2
            })
        ),
        "{r:?}"
    );
    let r = merge_streams(
        sorted.as_bytes(),
        sorted.as_bytes(),
        late.as_bytes(),
        &mut out,
    );
    assert!(
        matches!(
            r,
            Err(Stop::LateHeader {
                side: "theirs",
                line: 2
            })
        ),
        "{r:?}"
    );
    // The in-memory merge takes them as they are (theirs deleted `b`).
    assert_eq!(
        merge_jsonl(sorted, unsorted, late).text,
        "{\"_schema\":1}\n{\"id\":\"a\"}\n"
    );
}

fn tomb(id: &str, at: &str) -> Value {
    json!({"id": id, "title": "T", "status": "tombstone", "deleted_at": at, "updated_at": at})
}

#[test]
fn a_tombstone_wins_over_an_unchanged_record() {
    let live = json!({"id":"a","title":"T","status":"open","updated_at":"2026-01-01T00:00:00Z"});
    let base = line(live.clone());
    let dead = line(tomb("a", "2026-01-02T00:00:00Z"));
    let m = check_symmetric(&base, &dead, &base);
    assert_eq!(m.text, dead);
    assert!(m.conflicts.is_empty());
}

#[test]
fn a_deletion_against_a_change_goes_to_the_later_and_is_reported() {
    let base =
        line(json!({"id":"a","title":"T","status":"open","updated_at":"2026-01-01T00:00:00Z"}));
    let dead = line(tomb("a", "2026-01-02T00:00:00Z"));
    let later =
        line(json!({"id":"a","title":"New","status":"open","updated_at":"2026-01-03T00:00:00Z"}));
    let m = check_symmetric(&base, &dead, &later);
    assert_eq!(
        m.text, later,
        "the later edit is kept whole (not merged field by field)"
    );
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].kind, ConflictKind::Tombstone);
    assert_eq!(m.conflicts[0].chosen, Side::Theirs);
    let earlier =
        line(json!({"id":"a","title":"Old","status":"open","updated_at":"2026-01-01T12:00:00Z"}));
    let m = check_symmetric(&base, &dead, &earlier);
    assert_eq!(m.text, dead, "the later deletion stands");
    assert_eq!(m.conflicts[0].chosen, Side::Ours);
}

#[test]
fn of_two_tombstones_the_later_is_kept() {
    let base =
        line(json!({"id":"a","title":"T","status":"open","updated_at":"2026-01-01T00:00:00Z"}));
    let one = line(tomb("a", "2026-01-02T00:00:00Z"));
    let two = line(tomb("a", "2026-01-03T00:00:00Z"));
    let m = check_symmetric(&base, &one, &two);
    assert_eq!(m.text, two);
    assert!(m.conflicts.is_empty());
}

#[test]
fn lines_are_kept_as_written_and_merged_fields_keep_their_spelling() {
    // bd's escaping, nested key order, number spelling.
    let base =
        "{\"id\":\"a\",\"title\":\"x \\u003c y\",\"metadata\":{\"z\":1.50,\"a\":2},\"n\":1}\n";
    let ours =
        "{\"id\":\"a\",\"title\":\"x \\u003c y\",\"metadata\":{\"z\":1.50,\"a\":2},\"n\":2}\n";
    let theirs =
        "{\"id\":\"a\",\"title\":\"x \\u003c z\",\"metadata\":{\"z\":1.50,\"a\":2},\"n\":1}\n";
    assert_eq!(merge_jsonl(base, base, theirs).text, theirs);
    let m = check_symmetric(base, ours, theirs);
    assert_eq!(
        m.text,
        "{\"id\":\"a\",\"title\":\"x \\u003c z\",\"metadata\":{\"z\":1.50,\"a\":2},\"n\":2}\n"
    );
}

#[test]
fn headers_memories_and_other_types_are_not_corrupt() {
    let head = r#"{"_schema":"beads/v1"}"#;
    let rec = r#"{"id":"a","title":"A"}"#;
    let m1 = r#"{"_type":"memory","key":"k","value":"1"}"#;
    let m2 = r#"{"_type":"memory","key":"k","value":"2"}"#;
    let other = r#"{"_type":"event","kind":"x"}"#;
    let base = format!("{head}\n{rec}\n{m1}\n");
    let ours = format!("{head}\n{rec}\n{m2}\n{other}\n");
    let m = check_symmetric(&base, &ours, &base);
    assert_eq!(m.text, format!("{head}\n{rec}\n{m2}\n{other}\n"));
    assert!(m.corrupt.is_empty(), "{:?}", m.corrupt);
    // A memory both sides changed: the greater line, reported.
    let m3 = r#"{"_type":"memory","key":"k","value":"3"}"#;
    let theirs = format!("{head}\n{rec}\n{m3}\n");
    let m = check_symmetric(&base, &ours, &theirs);
    assert!(m.text.contains(m3), "{}", m.text);
    assert_eq!(m.conflicts[0].id, "memory:k");
}

// ---- properties -------------------------------------------------------------

const KEYS: [&str; 5] = ["title", "status", "labels", "comments", "updated_at"];

fn arb_value(key: &'static str) -> BoxedStrategy<Value> {
    match key {
        "title" => prop::sample::select(vec!["A", "B", "C"])
            .prop_map(|s| json!(s))
            .boxed(),
        "status" => prop::sample::select(vec!["open", "closed"])
            .prop_map(|s| json!(s))
            .boxed(),
        "labels" => prop::sample::subsequence(vec!["x", "y", "z"], 0..=3)
            .prop_map(|v| json!(v))
            .boxed(),
        "comments" => {
            prop::sample::subsequence(vec![(1, "a"), (2, "b"), (2, "c"), (3, "d")], 0..=3)
                .prop_map(|v| {
                    let mut seen = Vec::new();
                    let v: Vec<Value> = v
                        .into_iter()
                        .filter(|(id, _)| {
                            let fresh = !seen.contains(id);
                            seen.push(*id);
                            fresh
                        })
                        .map(|(id, t)| json!({"id": id, "text": t}))
                        .collect();
                    json!(v)
                })
                .boxed()
        }
        _ => prop::sample::select(vec![
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.5Z",
            "2026-01-02T00:00:00Z",
            "2026-01-01T01:00:00+01:00",
        ])
        .prop_map(|s| json!(s))
        .boxed(),
    }
}

fn arb_record(id: &'static str) -> impl Strategy<Value = String> {
    let fields: Vec<_> = KEYS
        .iter()
        .map(|k| prop::option::of(arb_value(k)))
        .collect();
    fields.prop_map(move |vals| {
        let mut out = format!("{{\"id\":{}", json!(id));
        for (k, v) in KEYS.iter().zip(vals) {
            if let Some(v) = v {
                out.push_str(&format!(",{}:{}", json!(k), v));
            }
        }
        out.push('}');
        out
    })
}

fn arb_ledger() -> impl Strategy<Value = String> {
    let ids = ["a", "b", "c"];
    let recs: Vec<_> = ids
        .iter()
        .map(|id| prop::option::of(arb_record(id)))
        .collect();
    (
        recs,
        prop::option::of(prop::sample::select(vec!["junk", "{\"no\":\"id\"}"])),
        any::<bool>(),
    )
        .prop_map(|(recs, junk, reverse)| {
            let mut lines: Vec<String> = recs.into_iter().flatten().collect();
            if reverse {
                lines.reverse();
            }
            lines.extend(junk.map(str::to_string));
            lines.iter().map(|l| format!("{l}\n")).collect()
        })
}

/// A side derived from the base by small edits, so merges hit the interesting paths often.
fn arb_edit(base: String) -> impl Strategy<Value = String> {
    (arb_ledger(), prop::collection::vec(any::<bool>(), 4)).prop_map(move |(other, mask)| {
        let b: Vec<&str> = base.lines().collect();
        let o: Vec<&str> = other.lines().collect();
        let n = b.len().max(o.len());
        let mut out = String::new();
        for i in 0..n {
            let take_other = mask[i % mask.len()];
            let l = if take_other { o.get(i) } else { b.get(i) };
            if let Some(l) = l {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    })
}

fn arb_triple() -> impl Strategy<Value = (String, String, String)> {
    arb_ledger().prop_flat_map(|base| {
        let b = base.clone();
        (Just(base), arb_edit(b.clone()), arb_edit(b))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn merge_is_symmetric((base, ours, theirs) in arb_triple()) {
        prop_assert_eq!(merge_jsonl(&base, &ours, &theirs).text, merge_jsonl(&base, &theirs, &ours).text);
    }

    #[test]
    fn unchanged_ours_yields_theirs((base, _ours, theirs) in arb_triple()) {
        prop_assert_eq!(merge_jsonl(&base, &base, &theirs).text, normalize_jsonl(&theirs));
        prop_assert_eq!(merge_jsonl(&base, &theirs, &base).text, normalize_jsonl(&theirs));
    }

    /// A record both sides hold, or one side added, is never dropped: only a deletion
    /// (a side removing what the base had) removes a record.
    #[test]
    fn merge_never_drops_what_no_one_deleted((base, ours, theirs) in arb_triple()) {
        let ids = |t: &str| -> std::collections::BTreeSet<String> {
            t.lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect()
        };
        let (b, o, t) = (ids(&base), ids(&ours), ids(&theirs));
        let merged = ids(&merge_jsonl(&base, &ours, &theirs).text);
        for id in o.union(&t) {
            if (o.contains(id) && t.contains(id)) || !b.contains(id) {
                prop_assert!(merged.contains(id), "{} was dropped", id);
            }
        }
    }

    /// On ledgers in normal form (as flush writes them), the streaming merge writes
    /// exactly what the in-memory merge returns.
    #[test]
    fn the_streaming_merge_equals_the_merge((base, ours, theirs) in arb_triple()) {
        let (b, o, t) = (normalize_jsonl(&base), normalize_jsonl(&ours), normalize_jsonl(&theirs));
        let mut out = Vec::new();
        let streamed = merge_streams(b.as_bytes(), o.as_bytes(), t.as_bytes(), &mut out);
        prop_assert!(streamed.is_ok(), "{:?}", streamed.err());
        let m = merge_jsonl(&b, &o, &t);
        prop_assert_eq!(String::from_utf8(out).unwrap(), m.text);
    }

    #[test]
    fn merge_is_idempotent((base, ours, theirs) in arb_triple()) {
        let m = merge_jsonl(&base, &ours, &theirs).text;
        prop_assert_eq!(&merge_jsonl(&m, &m, &m).text, &m);
        prop_assert_eq!(&merge_jsonl(&base, &m, &theirs).text, &m);
        prop_assert_eq!(&merge_jsonl(&base, &ours, &m).text, &m);
        prop_assert_eq!(&merge_jsonl(&base, &m, &m).text, &m);
    }
}

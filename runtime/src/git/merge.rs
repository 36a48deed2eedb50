//! Three-way merge of beads JSONL ledgers, record by record and field by field.
//!
//! The merge is pure (no I/O) and deterministic: it depends only on the three
//! texts, never on which side is called "ours". `merge_jsonl(b, o, t)` and
//! `merge_jsonl(b, t, o)` produce byte-identical text (only the `ours`/`theirs`
//! labels in the reports swap).
//!
//! # Rules
//!
//! Per issue id:
//! * present on one side only (and not in base): taken;
//! * deleted on one side, unchanged on the other: deleted;
//! * deleted on one side, changed on the other: the changed record is kept and
//!   a [`ConflictKind::DeletedVsChanged`] conflict is reported;
//! * changed on both sides: merged field by field (top-level keys) against the
//!   base (an id added on both sides is merged against an empty base).
//!
//! Per field: changed on one side only takes that side; changed on both to
//! different values is a true conflict, won by the record whose `updated_at` is
//! later (parsed as RFC 3339, so `05Z` < `05.5Z`; ties go to the greater
//! serialized value). `updated_at` itself becomes the max of both sides and is
//! never reported. `labels` (set), `dependencies` (keyed by
//! `(depends_on_id, type)`) and `comments` (keyed by `id`) are merged entry by
//! entry with the same three-way rule when both sides changed them, so
//! additions from both sides survive and a removal on one side wins when the
//! other side did not touch that entry; the merged array is sorted by entry
//! key. An array with entries that have no key falls back to the field rule.
//!
//! Key order of a merged record: both sides' key orders are combined into
//! one order respecting both (a new key lands where its side put it, ties
//! between unrelated keys go by name). When the two sides agree on the order of
//! their common keys, as a single exporter always does, this is "ours' order
//! with theirs' new keys added"; it is computed without preferring a side so
//! that the merge stays symmetric. If the orders contradict each other, the
//! order of the record that wins ties (later `updated_at`) is kept and the
//! other side's new keys are appended.
//!
//! Deletions are tombstones (`"status":"tombstone"`): a tombstone on one side wins
//! over the record left unchanged on the other (the three-way rule above); against a
//! record changed on the other side, the later `updated_at` wins the whole record
//! (a deletion and an edit are not merged field by field) and the disagreement is
//! reported ([`ConflictKind::Tombstone`]); of two tombstones the later one is kept.
//!
//! # Normal form
//!
//! The output has one JSON object per line, `\n`-terminated: the schema headers, the
//! records sorted by id, the memories sorted by key, records of other types, then
//! the corrupt lines (sorted, deduplicated). Blank lines are dropped. A record that
//! one side (or both) holds unchanged is written as that side wrote it, byte for
//! byte; a record merged from both sides is written compact with Go's escaping,
//! each field as one of the sides wrote it. See [`normalize_jsonl`].
//!
//! # Lines that are not records
//!
//! Schema headers (`_schema`) and records of other types (`_type` other than
//! `"issue"`) are kept like lines of a set: kept unless the base had the line and one
//! side removed it. Memories (`"_type":"memory"`) are merged by key with the
//! three-way rule; when both sides changed one, the greater line is kept and the
//! disagreement reported (id `memory:<key>`).
//!
//! # Corrupt lines
//!
//! A line that is not a JSON object with a string `"id"` (or that repeats a
//! key) is corrupt. Corrupt lines are never dropped silently: every one found
//! in ours or theirs is listed in [`MergeResult::corrupt`] with its side and
//! 1-based line number and is kept verbatim at the end of the merged text,
//! unless it was also in the base and one side removed it (someone repaired
//! it); that case is still listed, with `kept: false`.
//!
//! Two different lines with the same id in one file are resolved like a
//! conflict (later `updated_at` wins, ties: greater serialization); the losing
//! line is listed in `corrupt` with `kept: false` (exact duplicates are simply
//! collapsed). Keeping it verbatim would re-parse as a record next time.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

mod fields;
mod side;
use fields::{merge_record, parse_rfc3339, pick, primary};
pub use side::Stop;
use side::{Rec, SideReader};

/// A value as compact JSON with Go's escaping (as beads writes it).
fn json_text(v: &Value) -> String {
    // Writing a `Value` cannot fail (its keys are strings); standard JSON is the
    // fallback all the same.
    crate::ledger::raw::go_json(v).unwrap_or_else(|_| v.to_string())
}

/// One side of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Ours,
    Theirs,
}

impl Side {
    fn flip(self) -> Side {
        match self {
            Side::Ours => Side::Theirs,
            Side::Theirs => Side::Ours,
        }
    }
}

/// What kind of disagreement a [`FieldConflict`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictKind {
    /// Both sides changed the same top-level field to different values.
    Field,
    /// Both sides changed the same entry of a union-merged array
    /// (`labels`, `dependencies`, `comments`) differently; `field` names the
    /// array and `ours`/`theirs` hold the entries (`None`: entry removed).
    Entry,
    /// One side deleted the record, the other changed it; `field` is empty and
    /// `ours`/`theirs` hold the whole records (`None`: deleted). The changed
    /// record is always kept.
    DeletedVsChanged,
    /// One side holds a tombstone, the other a record it changed; `field` is empty
    /// and `ours`/`theirs` hold the whole records. The later `updated_at` wins.
    Tombstone,
}

/// A disagreement the merge resolved on its own, reported so a human can check.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldConflict {
    /// Issue id.
    pub id: String,
    /// Top-level key (empty for [`ConflictKind::DeletedVsChanged`]).
    pub field: String,
    pub kind: ConflictKind,
    /// Our value; `None` when the field/entry/record is absent on our side.
    pub ours: Option<Value>,
    /// Their value; `None` when absent on their side.
    pub theirs: Option<Value>,
    /// The side whose value is in the merged text.
    pub chosen: Side,
}

/// A line that could not be read as a ledger record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorruptLine {
    pub side: Side,
    /// 1-based line number in that side's text.
    pub line: usize,
    /// The line, verbatim (without its `\n`).
    pub text: String,
    /// Why it is corrupt.
    pub reason: String,
    /// Whether the line is in the merged text (false only when the line was in
    /// the base and the other side removed it).
    pub kept: bool,
}

/// Outcome of [`merge_jsonl`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergeResult {
    /// The merged ledger in normal form.
    pub text: String,
    /// Disagreements that were resolved automatically, sorted by id then field.
    pub conflicts: Vec<FieldConflict>,
    /// Corrupt lines found in ours and theirs.
    pub corrupt: Vec<CorruptLine>,
}

/// A top-level JSON object with its key order preserved, and each field's text as
/// written (`raw`, parallel to `fields`).
#[derive(Debug, Clone, Default, PartialEq)]
struct Record {
    fields: Vec<(String, Value)>,
    raw: Vec<String>,
}

impl Record {
    fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_str())
    }

    /// Equality ignoring key order.
    fn same(&self, other: &Record) -> bool {
        self.fields.len() == other.fields.len()
            && self.fields.iter().all(|(k, v)| other.get(k) == Some(v))
    }

    /// The text of field `key` as written, when it holds `value`.
    fn raw_of(&self, key: &str, value: &Value) -> Option<&str> {
        let at = self
            .fields
            .iter()
            .position(|(k, v)| k == key && v == value)?;
        self.raw.get(at).map(String::as_str)
    }

    /// Compact JSON, each field as written (a field without its text: Go's escaping).
    fn render(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_text(&Value::String(k.clone())));
            out.push(':');
            match self.raw.get(i) {
                Some(r) => out.push_str(r),
                None => out.push_str(&json_text(v)),
            }
        }
        out.push('}');
        out
    }

    fn is_tombstone(&self) -> bool {
        self.get("status").and_then(Value::as_str) == Some(crate::ledger::record::TOMBSTONE)
    }

    fn to_value(&self) -> Value {
        Value::Object(self.fields.iter().cloned().collect())
    }

    /// The record's clock for conflict resolution: parsed `updated_at`, then
    /// the raw string.
    fn clock(&self) -> (Option<(i64, u32)>, &str) {
        let raw = self.get("updated_at").and_then(Value::as_str).unwrap_or("");
        (parse_rfc3339(raw), raw)
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let mut fields: Vec<(String, Value)> = Vec::new();
                let mut raw = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    if fields.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                    }
                    let value: Value =
                        serde_json::from_str(v.get()).map_err(serde::de::Error::custom)?;
                    fields.push((k, value));
                    raw.push(v.get().to_owned());
                }
                Ok(Record { fields, raw })
            }
        }
        d.deserialize_map(V)
    }
}

/// What a line that is not an issue record is, if it is a ledger line at all.
enum Kept {
    Header,
    Memory(String),
    Other,
}

fn kept_kind(rec: &Record) -> Option<Kept> {
    if rec.get("_schema").is_some() {
        return Some(Kept::Header);
    }
    match rec.get("_type") {
        None => None,
        Some(Value::String(t)) if t == "issue" => None,
        Some(Value::String(t)) if t == "memory" => match rec.get("key") {
            Some(Value::String(k)) => Some(Kept::Memory(k.clone())),
            _ => Some(Kept::Other),
        },
        Some(_) => Some(Kept::Other),
    }
}

/// Rewrite a ledger in the merge's normal form (see the module docs):
/// `merge_jsonl(x, x, x).text`.
pub fn normalize_jsonl(text: &str) -> String {
    merge_jsonl(text, text, text).text
}

/// Lines kept as a set: those of either side, except the ones the base had and one side
/// removed; sorted, so that the order does not depend on which side is ours.
fn merge_set(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let keep = |l: &String| !(base.contains(l) && !(ours.contains(l) && theirs.contains(l)));
    let mut out: Vec<String> = Vec::new();
    for l in ours.iter().chain(theirs) {
        if keep(l) && !out.contains(l) {
            out.push(l.clone());
        }
    }
    out.sort();
    out
}

/// Three-way merge of JSONL ledgers by issue id, in memory. See the module docs for the
/// rules; the records of each text may be in any order.
pub fn merge_jsonl(base: &str, ours: &str, theirs: &str) -> MergeResult {
    let mut out = Vec::new();
    let merged = merge_sides(
        SideReader::new("base", side::sorted_lines(base).into_iter()),
        SideReader::new("ours", side::sorted_lines(ours).into_iter()),
        SideReader::new("theirs", side::sorted_lines(theirs).into_iter()),
        &mut out,
    );
    // Sorted lines in memory cannot fail to be read, be out of order, or hold a header
    // after a record, and whole lines of `&str`s stay UTF-8: either failing is a bug, and
    // a merged ledger that is not the merge must never be written, so it panics.
    let m = merged.unwrap_or_else(|e| panic!("merging sorted in-memory ledgers failed: {e}"));
    MergeResult {
        text: String::from_utf8(out)
            .unwrap_or_else(|e| panic!("a merge of UTF-8 ledgers came out as invalid UTF-8: {e}")),
        conflicts: m.conflicts,
        corrupt: m.corrupt,
    }
}

/// What [`merge_streams`] reports (the merged ledger went to its writer).
#[derive(Debug, Default)]
pub struct StreamMerge {
    pub conflicts: Vec<FieldConflict>,
    pub corrupt: Vec<CorruptLine>,
}

/// Three-way merge of JSONL ledgers read line by line and written to `out` as they are
/// merged: memory holds a record per side, the conflicts and the lines that are not
/// records, whatever the size of the ledgers. The records of each side must be sorted
/// by id and its schema headers come first (as `gt flush` writes them); otherwise
/// [`Stop`] says where, and the caller merges in memory ([`merge_jsonl`]). `out` gets
/// exactly what [`merge_jsonl`] would produce.
pub fn merge_streams(
    base: impl std::io::BufRead,
    ours: impl std::io::BufRead,
    theirs: impl std::io::BufRead,
    out: &mut dyn std::io::Write,
) -> Result<StreamMerge, Stop> {
    merge_sides(
        SideReader::new("base", numbered(base)),
        SideReader::new("ours", numbered(ours)),
        SideReader::new("theirs", numbered(theirs)),
        out,
    )
}

/// The lines of `r`, numbered from 1.
fn numbered<R: std::io::BufRead>(r: R) -> impl Iterator<Item = std::io::Result<(usize, String)>> {
    r.lines().enumerate().map(|(i, l)| l.map(|l| (i + 1, l)))
}

/// The merge of three sides read in id order, written to `out`.
fn merge_sides<B, O, T>(
    mut b: SideReader<B>,
    mut o: SideReader<O>,
    mut t: SideReader<T>,
    out: &mut dyn std::io::Write,
) -> Result<StreamMerge, Stop>
where
    B: Iterator<Item = std::io::Result<(usize, String)>>,
    O: Iterator<Item = std::io::Result<(usize, String)>>,
    T: Iterator<Item = std::io::Result<(usize, String)>>,
{
    let mut conflicts = Vec::new();
    let write = |out: &mut dyn std::io::Write, line: &str| -> Result<(), Stop> {
        out.write_all(line.as_bytes()).map_err(Stop::Io)?;
        out.write_all(b"\n").map_err(Stop::Io)
    };
    // The first record of each side; the headers before them are read on the way.
    let (mut hb, mut ho, mut ht) = (b.next()?, o.next()?, t.next()?);
    for h in merge_set(&b.headers, &o.headers, &t.headers) {
        write(out, &h)?;
    }
    loop {
        let id = [&hb, &ho, &ht]
            .into_iter()
            .flatten()
            .map(|r| r.id.clone())
            .min();
        let Some(id) = id else { break };
        let take = |head: &mut Option<Rec>| -> Option<Rec> {
            if head.as_ref().is_some_and(|r| r.id == id) {
                head.take()
            } else {
                None
            }
        };
        let (rb, ro, rt) = (take(&mut hb), take(&mut ho), take(&mut ht));
        if let Some(line) = merge_id(&id, rb.as_ref(), ro.as_ref(), rt.as_ref(), &mut conflicts) {
            write(out, &line)?;
        }
        if rb.is_some() {
            hb = b.next()?;
        }
        if ro.is_some() {
            ho = o.next()?;
        }
        if rt.is_some() {
            ht = t.next()?;
        }
    }
    b.finish()?;
    o.finish()?;
    t.finish()?;

    let keys: BTreeSet<&String> = b
        .memories
        .keys()
        .chain(o.memories.keys())
        .chain(t.memories.keys())
        .collect();
    for key in keys {
        let (bm, om, tm) = (
            b.memories.get(key),
            o.memories.get(key),
            t.memories.get(key),
        );
        let chosen = if om == tm {
            om
        } else if om == bm {
            tm
        } else if tm == bm {
            om
        } else {
            // Both changed it (or one removed it and the other changed it): keep the
            // greater line, deterministically, and say so.
            let side = if om >= tm { Side::Ours } else { Side::Theirs };
            let as_value = |m: Option<&String>| m.and_then(|l| serde_json::from_str(l).ok());
            conflicts.push(FieldConflict {
                id: format!("memory:{key}"),
                field: String::from("value"),
                kind: ConflictKind::Field,
                ours: as_value(om),
                theirs: as_value(tm),
                chosen: side,
            });
            pick(side, om, tm)
        };
        if let Some(line) = chosen {
            write(out, line)?;
        }
    }
    for l in merge_set(&b.others, &o.others, &t.others) {
        write(out, &l)?;
    }

    // Corrupt lines: kept unless the base had the line and one side removed it.
    let (bc, oc, tc) = (b.corrupt_texts(), o.corrupt_texts(), t.corrupt_texts());
    let keep = |line: &String| !(bc.contains(line) && !(oc.contains(line) && tc.contains(line)));
    let kept: BTreeSet<String> = oc.union(&tc).filter(|l| keep(l)).cloned().collect();
    for l in &kept {
        write(out, l)?;
    }
    let mut corrupt = Vec::new();
    for (side, list) in [(Side::Ours, &o.corrupt), (Side::Theirs, &t.corrupt)] {
        for (line, text, reason) in list {
            corrupt.push(CorruptLine {
                side,
                line: *line,
                text: text.clone(),
                reason: reason.clone(),
                kept: kept.contains(text),
            });
        }
    }
    Ok(StreamMerge { conflicts, corrupt })
}

/// The merged line of record `id` from the three sides' versions (`None`: deleted).
fn merge_id(
    id: &str,
    br: Option<&Rec>,
    or: Option<&Rec>,
    tr: Option<&Rec>,
    conflicts: &mut Vec<FieldConflict>,
) -> Option<String> {
    let base = br.map(|r| &r.rec);
    match (or, tr) {
        (None, None) => None,
        (Some(x), None) | (None, Some(x)) => {
            let side = if or.is_some() {
                Side::Ours
            } else {
                Side::Theirs
            };
            match base {
                None => Some(x.text.clone()),
                Some(b) if b.same(&x.rec) => None, // deleted on the other side
                Some(_) => {
                    let (ours_v, theirs_v) = match side {
                        Side::Ours => (Some(x.rec.to_value()), None),
                        Side::Theirs => (None, Some(x.rec.to_value())),
                    };
                    conflicts.push(FieldConflict {
                        id: id.to_string(),
                        field: String::new(),
                        kind: ConflictKind::DeletedVsChanged,
                        ours: ours_v,
                        theirs: theirs_v,
                        chosen: side,
                    });
                    Some(x.text.clone())
                }
            }
        }
        (Some(x), Some(y)) => Some(merge_record(
            id,
            base,
            &x.rec,
            &y.rec,
            (&x.text, &y.text),
            conflicts,
        )),
    }
}

#[cfg(test)]
mod tests;

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

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

mod side;
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
    match merged {
        Ok(m) => MergeResult {
            text: String::from_utf8(out).unwrap_or_default(),
            conflicts: m.conflicts,
            corrupt: m.corrupt,
        },
        // Sorted lines in memory cannot fail to be read, be out of order, or hold a
        // header after a record.
        Err(e) => MergeResult {
            text: format!("{e}"),
            ..MergeResult::default()
        },
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

/// The side whose record wins ties: later clock, then the greater line.
fn primary(ours: &Record, theirs: &Record, ours_text: &str, theirs_text: &str) -> Side {
    match ours.clock().cmp(&theirs.clock()) {
        Ordering::Greater => Side::Ours,
        Ordering::Less => Side::Theirs,
        Ordering::Equal => {
            if ours_text >= theirs_text {
                Side::Ours
            } else {
                Side::Theirs
            }
        }
    }
}

/// The side winning a true conflict between `ov` and `tv`.
fn winner(ours: &Record, theirs: &Record, ov: Option<&Value>, tv: Option<&Value>) -> Side {
    match ours.clock().cmp(&theirs.clock()) {
        Ordering::Greater => Side::Ours,
        Ordering::Less => Side::Theirs,
        Ordering::Equal => {
            if ov.map(Value::to_string) >= tv.map(Value::to_string) {
                Side::Ours
            } else {
                Side::Theirs
            }
        }
    }
}

fn pick<T>(side: Side, ours: T, theirs: T) -> T {
    match side {
        Side::Ours => ours,
        Side::Theirs => theirs,
    }
}

/// Merge one record both sides hold; its line.
fn merge_record(
    id: &str,
    base: Option<&Record>,
    ours: &Record,
    theirs: &Record,
    texts: (&str, &str),
    conflicts: &mut Vec<FieldConflict>,
) -> String {
    let p = primary(ours, theirs, texts.0, texts.1);
    if ours.same(theirs) {
        // The same record, perhaps spelled differently: the greater line, either way.
        return texts.0.max(texts.1).to_string();
    }
    if base.is_some_and(|b| b.same(ours)) {
        return texts.1.to_string();
    }
    if base.is_some_and(|b| b.same(theirs)) {
        return texts.0.to_string();
    }
    if ours.is_tombstone() || theirs.is_tombstone() {
        // A deletion against a change (or two deletions): the later record wins whole.
        if ours.is_tombstone() != theirs.is_tombstone() {
            conflicts.push(FieldConflict {
                id: id.to_string(),
                field: String::new(),
                kind: ConflictKind::Tombstone,
                ours: Some(ours.to_value()),
                theirs: Some(theirs.to_value()),
                chosen: p,
            });
        }
        return pick(p, texts.0, texts.1).to_string();
    }
    let empty = Record::default();
    let base = base.unwrap_or(&empty);

    let order = key_order(pick(p, ours, theirs), pick(p.flip(), ours, theirs));
    let mut merged = Record::default();
    for key in order {
        let (bv, ov, tv) = (base.get(&key), ours.get(&key), theirs.get(&key));
        let value = if ov == tv {
            ov.cloned()
        } else if key == "updated_at" {
            // The max of both sides (absent counts as oldest), so that the
            // merged record's clock is the later of the two.
            let clock = |v: Option<&Value>| {
                let s = v.and_then(Value::as_str).unwrap_or("");
                (parse_rfc3339(s), s.to_string(), v.map(Value::to_string))
            };
            if clock(ov) >= clock(tv) {
                ov.cloned()
            } else {
                tv.cloned()
            }
        } else if ov == bv {
            tv.cloned()
        } else if tv == bv {
            ov.cloned()
        } else if let Some(v) = union_merge(id, &key, bv, ov, tv, ours, theirs, conflicts) {
            Some(v)
        } else {
            let side = winner(ours, theirs, ov, tv);
            conflicts.push(FieldConflict {
                id: id.to_string(),
                field: key.clone(),
                kind: ConflictKind::Field,
                ours: ov.cloned(),
                theirs: tv.cloned(),
                chosen: side,
            });
            pick(side, ov, tv).cloned()
        };
        if let Some(v) = value {
            // The field as a side wrote it (the greater spelling when both hold it).
            let raw = match (ours.raw_of(&key, &v), theirs.raw_of(&key, &v)) {
                (Some(a), Some(b)) => a.max(b).to_string(),
                (Some(a), None) | (None, Some(a)) => a.to_string(),
                (None, None) => json_text(&v),
            };
            merged.fields.push((key, v));
            merged.raw.push(raw);
        }
    }
    merged.render()
}

/// Combine the key orders of `first` (the tie-winner) and `second`: a
/// topological order of both sequences, ties broken by key name; when the
/// sequences contradict each other, `first`'s order then `second`'s new keys.
fn key_order(first: &Record, second: &Record) -> Vec<String> {
    let a: Vec<&str> = first.keys().collect();
    let b: Vec<&str> = second.keys().collect();
    let all: BTreeSet<&str> = a.iter().chain(b.iter()).copied().collect();
    let mut succ: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut indeg: BTreeMap<&str, usize> = all.iter().map(|k| (*k, 0)).collect();
    for seq in [&a, &b] {
        for w in seq.windows(2) {
            if succ.entry(w[0]).or_default().insert(w[1]) {
                *indeg.entry(w[1]).or_default() += 1;
            }
        }
    }
    let mut ready: BTreeSet<&str> = indeg
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(k, _)| *k)
        .collect();
    let mut out = Vec::with_capacity(all.len());
    while let Some(k) = ready.pop_first() {
        out.push(k.to_string());
        for s in succ.get(k).into_iter().flatten() {
            if let Some(d) = indeg.get_mut(s) {
                *d -= 1;
                if *d == 0 {
                    ready.insert(s);
                }
            }
        }
    }
    if out.len() == all.len() {
        return out;
    }
    let mut out: Vec<String> = a.iter().map(|k| k.to_string()).collect();
    out.extend(b.iter().filter(|k| !a.contains(k)).map(|k| k.to_string()));
    out
}

/// Entry key of a union-merged array, or `None` when the entry has none.
fn entry_key(field: &str, entry: &Value) -> Option<Value> {
    match field {
        "labels" => Some(entry.clone()),
        "dependencies" => {
            let dep = entry.get("depends_on_id")?;
            Some(Value::Array(vec![
                dep.clone(),
                entry.get("type").cloned().unwrap_or(Value::Null),
            ]))
        }
        "comments" => entry.get("id").cloned(),
        _ => None,
    }
}

/// A total order on JSON keys: by type, numbers numerically, then serialized.
fn cmp_key(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    let by_content = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            let mut o = Ordering::Equal;
            for (p, q) in x.iter().zip(y) {
                o = cmp_key(p, q);
                if o != Ordering::Equal {
                    break;
                }
            }
            o.then(x.len().cmp(&y.len()))
        }
        _ => Ordering::Equal,
    };
    rank(a)
        .cmp(&rank(b))
        .then(by_content)
        .then_with(|| a.to_string().cmp(&b.to_string()))
}

type Entries = Vec<(Value, Value)>;

fn keyed(field: &str, v: Option<&Value>) -> Option<Entries> {
    let items = match v {
        None => return Some(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return None,
    };
    let mut out: Entries = Vec::with_capacity(items.len());
    for item in items {
        let key = entry_key(field, item)?;
        if out.iter().any(|(k, _)| *k == key) {
            return None; // duplicate key: no entry-level merge possible
        }
        out.push((key, item.clone()));
    }
    Some(out)
}

#[allow(clippy::too_many_arguments)]
fn union_merge(
    id: &str,
    field: &str,
    bv: Option<&Value>,
    ov: Option<&Value>,
    tv: Option<&Value>,
    ours: &Record,
    theirs: &Record,
    conflicts: &mut Vec<FieldConflict>,
) -> Option<Value> {
    if !matches!(field, "labels" | "dependencies" | "comments") || ov.is_none() || tv.is_none() {
        return None;
    }
    let (be, oe, te) = (keyed(field, bv)?, keyed(field, ov)?, keyed(field, tv)?);
    let get = |e: &Entries, k: &Value| e.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let mut keys: Vec<Value> = Vec::new();
    for (k, _) in oe.iter().chain(te.iter()) {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    keys.sort_by(cmp_key);
    let mut out = Vec::new();
    let mut entry_conflicts = Vec::new();
    for k in &keys {
        let (b, o, t) = (get(&be, k), get(&oe, k), get(&te, k));
        let chosen = if o == t {
            o
        } else if o == b {
            t
        } else if t == b {
            o
        } else {
            let side = winner(ours, theirs, o.as_ref(), t.as_ref());
            entry_conflicts.push(FieldConflict {
                id: id.to_string(),
                field: field.to_string(),
                kind: ConflictKind::Entry,
                ours: o.clone(),
                theirs: t.clone(),
                chosen: side,
            });
            pick(side, o, t)
        };
        out.extend(chosen);
    }
    conflicts.extend(entry_conflicts);
    Some(Value::Array(out))
}

/// Parse an RFC 3339 timestamp into (seconds since the Unix epoch, nanoseconds).
/// Returns `None` for anything else; such values sort before every valid one.
pub fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        for (n, d) in b[start..i].iter().enumerate() {
            if n < 9 {
                nanos += u32::from(d - b'0') * 10u32.pow(8 - n as u32);
            }
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            let off = oh * 3600 + om * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hour * 3600 + min * 60 + sec - offset, nanos))
}

#[cfg(test)]
mod tests;

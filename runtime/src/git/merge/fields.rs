//! Merging one record changed on both sides: field by field against the base, the
//! set-like arrays (`labels`, `dependencies`, `comments`) entry by entry, key orders
//! combined, ties broken by the later `updated_at` (see the rules in `merge.rs`).

use super::{ConflictKind, FieldConflict, Record, Side, json_text};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// The side whose record wins ties: later clock, then the greater line.
pub(super) fn primary(ours: &Record, theirs: &Record, ours_text: &str, theirs_text: &str) -> Side {
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

pub(super) fn pick<T>(side: Side, ours: T, theirs: T) -> T {
    match side {
        Side::Ours => ours,
        Side::Theirs => theirs,
    }
}

/// Merge one record both sides hold; its line.
pub(super) fn merge_record(
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
pub(super) fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
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

//! One side of a merge, read line by line: records come out one at a time in id order
//! (a side is read once, so a ledger of any size is merged in bounded memory); the
//! lines that are not records (headers, memories, other types, corrupt lines) are
//! collected on the way.

use super::{Record, Side, kept_kind, primary};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A record of one side, with its line.
pub(super) struct Rec {
    pub id: String,
    pub text: String,
    pub rec: Record,
}

/// Why a side cannot be merged as a stream (the caller reads it whole and sorts it).
#[derive(Debug)]
pub enum Stop {
    /// A record's id is not after the previous one's.
    NotSorted { side: &'static str, line: usize },
    /// A schema header after the first record (it is written before the records).
    LateHeader { side: &'static str, line: usize },
    /// The side could not be read.
    Io(std::io::Error),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::NotSorted { side, line } => {
                write!(f, "{side}, line {line}: the records are not sorted by id")
            }
            Stop::LateHeader { side, line } => {
                write!(f, "{side}, line {line}: a schema header after the records")
            }
            Stop::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The reader of one side.
pub(super) struct SideReader<I> {
    name: &'static str,
    lines: I,
    lookahead: Option<(usize, Rec)>,
    last: Option<String>,
    records_seen: bool,
    pub headers: Vec<String>,
    /// Memory key -> line (a key written twice: the later line).
    pub memories: BTreeMap<String, String>,
    pub others: Vec<String>,
    /// (1-based line, text, reason), superseded duplicates included.
    pub corrupt: Vec<(usize, String, String)>,
    /// Texts of duplicate-id lines that lost to another version of the record.
    pub superseded: BTreeSet<String>,
}

impl<I: Iterator<Item = std::io::Result<(usize, String)>>> SideReader<I> {
    pub fn new(name: &'static str, lines: I) -> SideReader<I> {
        SideReader {
            name,
            lines,
            lookahead: None,
            last: None,
            records_seen: false,
            headers: Vec::new(),
            memories: BTreeMap::new(),
            others: Vec::new(),
            corrupt: Vec::new(),
            superseded: BTreeSet::new(),
        }
    }

    /// The next record in id order; two versions of one id in a row are resolved as a
    /// conflict (the later `updated_at` stands, the other is reported as corrupt).
    pub fn next(&mut self) -> Result<Option<Rec>, Stop> {
        let (mut line, mut cand) = match self.lookahead.take() {
            Some(r) => r,
            None => match self.read_record()? {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        loop {
            match self.read_record()? {
                Some((n, next)) if next.id == cand.id => {
                    if cand.rec.same(&next.rec) {
                        // The same record twice: harmless; keep one spelling.
                        if next.text > cand.text {
                            (line, cand) = (n, next);
                        }
                    } else if primary(&cand.rec, &next.rec, &cand.text, &next.text) == Side::Ours {
                        self.lose(n, next.text, &cand.id, line);
                    } else {
                        let id = cand.id.clone();
                        self.lose(line, std::mem::replace(&mut cand, next).text, &id, n);
                        line = n;
                    }
                }
                Some(next) => {
                    self.lookahead = Some(next);
                    break;
                }
                None => break,
            }
        }
        if self.last.as_ref().is_some_and(|l| *l >= cand.id) {
            return Err(Stop::NotSorted {
                side: self.name,
                line,
            });
        }
        self.last = Some(cand.id.clone());
        Ok(Some(cand))
    }

    /// Read every line that is left (the collections are complete afterwards).
    pub fn finish(&mut self) -> Result<(), Stop> {
        while self.next()?.is_some() {}
        self.corrupt.sort_by_key(|(n, _, _)| *n);
        Ok(())
    }

    fn lose(&mut self, line: usize, text: String, id: &str, kept: usize) {
        self.superseded.insert(text.clone());
        self.corrupt.push((
            line,
            text,
            format!("duplicate id {id:?}; line {kept} is newer and kept"),
        ));
    }

    /// The next record line, collecting the other lines on the way.
    fn read_record(&mut self) -> Result<Option<(usize, Rec)>, Stop> {
        for item in self.lines.by_ref() {
            let (n, raw) = item.map_err(Stop::Io)?;
            let line = raw.strip_suffix('\r').unwrap_or(&raw);
            if line.trim().is_empty() {
                continue;
            }
            let rec = match serde_json::from_str::<Record>(line) {
                Ok(r) => r,
                Err(e) => {
                    self.corrupt
                        .push((n, line.to_owned(), format!("not a JSON object: {e}")));
                    continue;
                }
            };
            match kept_kind(&rec) {
                Some(super::Kept::Header) => {
                    if self.records_seen {
                        return Err(Stop::LateHeader {
                            side: self.name,
                            line: n,
                        });
                    }
                    if !self.headers.iter().any(|h| h == line) {
                        self.headers.push(line.to_owned());
                    }
                    continue;
                }
                Some(super::Kept::Memory(key)) => {
                    self.memories.insert(key, line.to_owned());
                    continue;
                }
                Some(super::Kept::Other) => {
                    if !self.others.iter().any(|o| o == line) {
                        self.others.push(line.to_owned());
                    }
                    continue;
                }
                None => {}
            }
            let id = match rec.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(_) => {
                    self.corrupt
                        .push((n, line.to_owned(), "\"id\" is not a string".into()));
                    continue;
                }
                None => {
                    self.corrupt
                        .push((n, line.to_owned(), "no \"id\" field".into()));
                    continue;
                }
            };
            self.records_seen = true;
            return Ok(Some((
                n,
                Rec {
                    id,
                    text: line.to_owned(),
                    rec,
                },
            )));
        }
        Ok(None)
    }

    /// Corrupt lines that belong in the output (not superseded duplicates).
    pub fn corrupt_texts(&self) -> BTreeSet<String> {
        self.corrupt
            .iter()
            .filter(|(_, t, _)| !self.superseded.contains(t))
            .map(|(_, t, _)| t.clone())
            .collect()
    }
}

/// The lines of `text`, numbered, with the records sorted by id (stably: two versions
/// of one id keep their order) after every other line: a side in the order
/// [`SideReader`] needs, for texts that are not sorted.
pub(super) fn sorted_lines(text: &str) -> Vec<std::io::Result<(usize, String)>> {
    let mut keyed: Vec<(Option<String>, usize, String)> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            let id = serde_json::from_str::<Record>(l.strip_suffix('\r').unwrap_or(l))
                .ok()
                .filter(|r| kept_kind(r).is_none())
                .and_then(|r| match r.get("id") {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                });
            (id, i + 1, l.to_owned())
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, n, l)| Ok((n, l))).collect()
}

//! A long TOML formula cut into chunks that parse alone, so that an edit re-parses the
//! chunk it falls in rather than the file (the database keys each chunk's parse by its
//! text: see `db::parse`).
//!
//! The chunks are the *preamble* (every line before the first `[[steps]]`), runs of
//! `[[steps]]` tables (each with the sub-tables that follow it, `[steps.loop]`,
//! `[[steps.children]]` ...), and the *tail* (the lines after the last of them). Each
//! chunk starts at a line where TOML's lexer is at the top level (not inside a string,
//! an array or an inline table), and no chunk can define a key another one defines, so
//! parsing a chunk alone gives the nodes parsing the whole file gives, moved by the
//! chunk's offset; [`assemble`] puts them together. A file this does not hold for (a
//! `steps` key outside the `[[steps]]` tables, a header after the tail, a syntax error in
//! any chunk) is parsed whole, so the result never differs.
//!
//! Where a run of `[[steps]]` tables ends is decided by the content of its last table
//! (a hash), not by counting, so inserting or deleting a step moves no boundary but its
//! own chunk's: the other chunks keep their text and their parse.

use super::tree::{Entry, Node, NodeKind, SyntaxTree};
use crate::source::Span;
use std::ops::Range;

/// Files shorter than this are parsed whole: a re-parse costs less than the chunking.
pub const MIN_LEN: usize = 8 * 1024;

/// A run of `[[steps]]` tables ends after a table whose hash has these bits clear
/// (one table in 16, so a run holds 16 tables on average) ...
const BOUNDARY_MASK: u64 = 15;

/// ... or after this many tables, whatever their hashes.
const MAX_RUN: usize = 64;

/// Where each chunk of a file is (byte ranges, in order, covering the whole text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunks {
    /// The lines before the first `[[steps]]` (may be empty).
    pub preamble: Range<usize>,
    /// Runs of `[[steps]]` tables (at least one).
    pub steps: Vec<Range<usize>>,
    /// The lines after the last `[[steps]]` table and its sub-tables (may be empty).
    pub tail: Range<usize>,
}

/// Cut `text` into chunks, or `None` when it cannot be (no `[[steps]]`, a `steps` header
/// out of place, a header the scan does not understand, an unbalanced bracket): such a
/// file is parsed whole.
pub fn split(text: &str) -> Option<Chunks> {
    let b = text.as_bytes();
    let mut found = Found::default();
    walk(b, 0, &mut found)?;
    group(b, &found.tables, found.tail)
}

/// The `[[steps]]` tables a scan found (the offsets of their lines) and where the tail
/// starts.
#[derive(Default)]
struct Found {
    tables: Vec<usize>,
    tail: Option<usize>,
}

/// Scan `b` from `i`, a statement start, to its end, adding what it finds to `found`;
/// `None` for what [`split`] refuses.
fn walk(b: &[u8], mut i: usize, found: &mut Found) -> Option<()> {
    while i < b.len() {
        let line = i;
        let j = skip_blank(b, i);
        if b.get(j) != Some(&b'[') {
            i = statement_end(b, j)?;
            continue;
        }
        let header = header(b, j)?;
        i = line_end(b, header.end)?;
        if header.first == b"steps" {
            if found.tail.is_some() {
                return None;
            }
            if header.array && header.single {
                found.tables.push(line);
            } else if found.tables.is_empty() {
                return None;
            }
        } else if !found.tables.is_empty() && found.tail.is_none() {
            found.tail = Some(line);
        }
    }
    Some(())
}

/// The chunks of a file whose `[[steps]]` tables start at `tables` and whose tail
/// starts at `tail`: runs of tables cut where a table's hash says so.
fn group(b: &[u8], tables: &[usize], tail: Option<usize>) -> Option<Chunks> {
    let first = *tables.first()?;
    let end = tail.unwrap_or(b.len());
    let mut steps = Vec::new();
    let mut start = first;
    let mut run = 0;
    for (k, &at) in tables.iter().enumerate() {
        let next = tables.get(k + 1).copied().unwrap_or(end);
        run += 1;
        if next == end || run >= MAX_RUN || table_hash(&b[at..next]) & BOUNDARY_MASK == 0 {
            steps.push(start..next);
            start = next;
            run = 0;
        }
    }
    Some(Chunks {
        preamble: 0..first,
        steps,
        tail: end..b.len(),
    })
}

/// The whole file's tree from its chunks' trees (`steps` with the offset each chunk
/// starts at), or `None` when the chunks do not fit together the way [`split`] promises
/// (then the file is parsed whole).
pub fn assemble(
    len: usize,
    preamble: &SyntaxTree,
    steps: &[(usize, &SyntaxTree)],
    tail: (usize, &SyntaxTree),
) -> Option<SyntaxTree> {
    let clean = |t: &SyntaxTree| t.errors.is_empty();
    if !clean(preamble) || !clean(tail.1) || !steps.iter().all(|(_, t)| clean(t)) {
        return None;
    }
    let head = preamble.root.as_table()?;
    let rest = tail.1.root.as_table()?;
    // `steps` belongs to the runs alone, and a key the preamble and the tail both
    // define is an error only the whole file's parse reports.
    if head.iter().chain(rest).any(|e| e.key == "steps")
        || head.iter().any(|h| rest.iter().any(|r| r.key == h.key))
    {
        return None;
    }
    let mut array: Option<(Span, Span)> = None;
    let mut items = Vec::new();
    for (at, tree) in steps {
        let delta = u32::try_from(*at).ok()?;
        let [entry] = tree.root.as_table()? else {
            return None;
        };
        let NodeKind::Array(tables) = &entry.value.kind else {
            return None;
        };
        if entry.key != "steps" {
            return None;
        }
        array.get_or_insert((
            entry.key_span.shifted(delta),
            entry.value.span.shifted(delta),
        ));
        items.extend(tables.iter().map(|t| {
            let mut t = t.clone();
            t.shift(delta);
            t
        }));
    }
    let (key_span, span) = array?;
    let mut entries: Vec<Entry> = head.to_vec();
    entries.push(Entry {
        key: String::from("steps"),
        key_span,
        value: Node::new(span, NodeKind::Array(items)),
    });
    let delta = u32::try_from(tail.0).ok()?;
    entries.extend(rest.iter().map(|e| {
        let mut e = e.clone();
        e.key_span = e.key_span.shifted(delta);
        e.value.shift(delta);
        e
    }));
    Some(SyntaxTree {
        root: Node::new(Span::new(0, len), NodeKind::Table(entries)),
        errors: Vec::new(),
    })
}

/// What `db::parse` computes for a long file, without the database: [`split`], each
/// chunk parsed alone, [`assemble`]. `None` where the file is parsed whole.
pub fn parse_chunked(text: &str) -> Option<SyntaxTree> {
    let parse = |r: &Range<usize>| super::toml::parse(&text[r.clone()]);
    let c = cut_checked(text)?;
    let steps: Vec<(usize, SyntaxTree)> = c.steps.iter().map(|r| (r.start, parse(r))).collect();
    let steps: Vec<(usize, &SyntaxTree)> = steps.iter().map(|(at, t)| (*at, t)).collect();
    assemble(
        text.len(),
        &parse(&c.preamble),
        &steps,
        (c.tail.start, &parse(&c.tail)),
    )
}

/// A fixed hash (the same text is cut the same way on every run) of a table's first
/// [`HASHED`] bytes (its header and `id` are there), its last ones and its length:
/// hashing every byte of a long file was a third of cutting it. The multiplications
/// carry each word's bits upwards only, so the end mixes the high bits down into the
/// low ones that [`BOUNDARY_MASK`] reads.
fn table_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let head = &bytes[..bytes.len().min(HASHED)];
    let tail = &bytes[bytes.len().saturating_sub(HASHED).max(head.len())..];
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ bytes.len() as u64;
    for part in [head, tail] {
        let mut words = part.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            h = (h ^ u64::from_le_bytes(word))
                .wrapping_mul(K)
                .rotate_left(23);
        }
        for &c in words.remainder() {
            h = (h ^ u64::from(c)).wrapping_mul(K);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 29)
}

/// How many bytes at each end of a table [`table_hash`] reads.
const HASHED: usize = 64;

fn skip_blank(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// A table header: whether it is `[[...]]`, its first key, whether it has only that
/// one, and where it ends.
struct Header<'t> {
    array: bool,
    first: &'t [u8],
    single: bool,
    end: usize,
}

/// Read the header starting at `b[i] == '['`. `None` for anything unusual (an escaped
/// quoted key, a missing bracket): the file is then parsed whole.
fn header(b: &[u8], i: usize) -> Option<Header<'_>> {
    let array = b.get(i + 1) == Some(&b'[');
    let mut k = skip_blank(b, i + if array { 2 } else { 1 });
    let mut first: Option<&[u8]> = None;
    let mut keys = 0;
    loop {
        let key = match b.get(k)? {
            q @ (b'"' | b'\'') => {
                let len = b[k + 1..].iter().position(|c| c == q || *c == b'\n')?;
                if b[k + 1 + len] != *q || (*q == b'"' && b[k + 1..k + 1 + len].contains(&b'\\')) {
                    return None;
                }
                let key = &b[k + 1..k + 1 + len];
                k += len + 2;
                key
            }
            _ => {
                let len = b[k..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-'))
                    .unwrap_or(b.len() - k);
                if len == 0 {
                    return None;
                }
                let key = &b[k..k + len];
                k += len;
                key
            }
        };
        first.get_or_insert(key);
        keys += 1;
        k = skip_blank(b, k);
        match b.get(k)? {
            b'.' => k = skip_blank(b, k + 1),
            b']' if !array => {
                k += 1;
                break;
            }
            b']' if b.get(k + 1) == Some(&b']') => {
                k += 2;
                break;
            }
            _ => return None,
        }
    }
    Some(Header {
        array,
        first: first?,
        single: keys == 1,
        end: k,
    })
}

/// After a header: blanks and an optional comment to the end of the line; the offset
/// of the next line. `None` when anything else follows.
fn line_end(b: &[u8], i: usize) -> Option<usize> {
    let i = skip_blank(b, i);
    match b.get(i) {
        None => Some(b.len()),
        Some(b'\n') => Some(i + 1),
        Some(b'\r') if b.get(i + 1) == Some(&b'\n') => Some(i + 2),
        Some(b'#') => statement_end(b, i),
        Some(_) => None,
    }
}

/// Where the statement (a key-value, a comment or a blank line) starting at `i` ends:
/// the offset after the newline that closes it, outside every string, array and inline
/// table. Strings end where `toml_parser`'s lexer ends them, unterminated ones included
/// (a one-line string at the end of its line, a multi-line one at the end of the text).
fn statement_end(b: &[u8], i: usize) -> Option<usize> {
    statement(b, i).map(|(end, _)| end)
}

/// [`statement_end`], and whether the statement ended at a newline outside every
/// string, array and inline table (not at the end of the text, inside one).
fn statement(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut depth: usize = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\n' if depth == 0 => return Some((i + 1, true)),
            b'"' if b[i..].starts_with(b"\"\"\"") => i = ml_basic_end(b, i + 3),
            b'"' => i = basic_end(b, i + 1),
            b'\'' if b[i..].starts_with(b"'''") => i = ml_literal_end(b, i + 3),
            b'\'' => {
                i += 1;
                match b[i..].iter().position(|&c| c == b'\'' || c == b'\n') {
                    Some(n) if b[i + n] == b'\'' => i += n + 1,
                    Some(n) => i += n,
                    None => i = b.len(),
                }
            }
            b'#' => {
                i += b[i..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .unwrap_or(b.len() - i);
            }
            b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            _ => {
                i += 1;
                while b.get(i).is_some_and(|&c| !SPECIAL[usize::from(c)]) {
                    i += 1;
                }
            }
        }
    }
    Some((b.len(), false))
}

/// The bytes [`statement_end`] acts on; it skips runs of the others.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let special = *b"\n\"'#[]{}";
    while k < special.len() {
        t[special[k] as usize] = true;
        k += 1;
    }
    t
};

/// The end of a basic string whose body starts at `i`: after its closing quote, or at
/// the newline that cuts it short. A backslash escapes a following quote or backslash.
fn basic_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        // Straight to the next byte that matters.
        i += memchr::memchr3(b'"', b'\n', b'\\', &b[i..]).unwrap_or(b.len() - i);
        let Some(&c) = b.get(i) else { break };
        match c {
            b'"' => return i + 1,
            b'\n' => return i,
            b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\')) => i += 2,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of a multi-line basic string whose body starts at `i`: after the closing
/// `"""` and up to two more quotes, or the end of the text.
fn ml_basic_end(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        match c {
            b'"' if b[i..].starts_with(b"\"\"\"") => return extra_quotes(b, i + 3, b'"'),
            b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\')) => i += 2,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of a multi-line literal string whose body starts at `i`.
fn ml_literal_end(b: &[u8], i: usize) -> usize {
    match b[i..].windows(3).position(|w| w == b"'''") {
        Some(n) => extra_quotes(b, i + n + 3, b'\''),
        None => b.len(),
    }
}

/// Up to two more `quote`s after a closing delimiter belong to the string.
fn extra_quotes(b: &[u8], mut i: usize, quote: u8) -> usize {
    for _ in 0..2 {
        if b.get(i) == Some(&quote) {
            i += 1;
        }
    }
    i
}

mod cut;
pub use cut::{Piece, cut, cut_checked, fits};

#[cfg(test)]
mod tests;

//! The cheap way to [`split`]: an edit would otherwise re-scan every statement of a
//! long file to find its `[[steps]]` tables. [`cut`] finds the lines that *look* like
//! `[[steps]]` headers with a substring search and scans only the last run of tables
//! (for the tail); whether the other chunks really are what [`split`] would cut is
//! [`fits`], a scan of one chunk's text alone, which the database memoises by text, so
//! an edit re-scans the chunk it falls in. [`cut_checked`] puts the two together
//! without a database.
//!
//! Why that is [`split`]'s answer: the preamble is scanned from the file's start, and a
//! chunk that [`fits`] ends at a newline outside every string, array and inline table,
//! so the next chunk starts where the whole file's scan is at a statement start too;
//! each chunk's scan then sees the headers the whole file's scan sees. A line that only
//! looks like a header (inside a multi-line string) leaves the chunk before it ending
//! inside that string, and a real `[[steps]]` header the search missed (`[[ steps ]]`)
//! shows up inside a chunk: either way the chunk does not fit, and the file is cut by
//! [`split`].

use super::{Chunks, Found, group, header, line_end, skip_blank, split, statement, walk};

/// Which chunk a text is to [`fits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// The lines before the first `[[steps]]`.
    Preamble,
    /// A run of `[[steps]]` tables that is not the last.
    Run,
}

/// The chunks [`split`] gives `text`, provided every chunk but the tail and the last run
/// [`fits`] (the caller checks that); `None` where [`split`] is to decide.
pub fn cut(text: &str) -> Option<Chunks> {
    let b = text.as_bytes();
    let tables = candidates(b);
    let provisional = group(b, &tables, None)?;
    // The last run and what follows it are scanned here: that is where the tail is.
    let last = provisional.steps.last()?.start;
    let mut found = Found::default();
    walk(b, last, &mut found)?;
    let from = tables.partition_point(|&t| t < last);
    if found.tables != tables[from..] {
        return None;
    }
    group(b, &tables, found.tail)
}

/// [`split`]'s chunks through [`cut`], each chunk checked with [`fits`].
pub fn cut_checked(text: &str) -> Option<Chunks> {
    let fitting = |c: &Chunks| {
        let runs = &c.steps[..c.steps.len().saturating_sub(1)];
        fits(&text[c.preamble.clone()], Piece::Preamble)
            && runs.iter().all(|r| fits(&text[r.clone()], Piece::Run))
    };
    match cut(text) {
        Some(c) if fitting(&c) => Some(c),
        _ => split(text),
    }
}

/// Whether `text`, scanned alone from its start, is the `piece` [`split`] would cut
/// there: it ends at a newline outside every string, array and inline table; a
/// preamble has no `steps` header; a run has no header but `steps` sub-tables and
/// `[[steps]]` tables, which are at its start and wherever [`cut`]'s search finds one.
pub fn fits(text: &str, piece: Piece) -> bool {
    let b = text.as_bytes();
    let mut tables = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let j = skip_blank(b, i);
        if b.get(j) != Some(&b'[') {
            match statement(b, j) {
                Some((end, true)) => i = end,
                _ => return false,
            }
            continue;
        }
        let Some(h) = header(b, j) else {
            return false;
        };
        if (h.first == b"steps") != (piece == Piece::Run) {
            return false;
        }
        if h.array && h.single {
            tables.push(i);
        }
        match line_end(b, h.end) {
            Some(end) if b.get(end.wrapping_sub(1)) == Some(&b'\n') => i = end,
            _ => return false,
        }
    }
    match piece {
        Piece::Preamble => true,
        Piece::Run => tables.first() == Some(&0) && tables == candidates(b),
    }
}

/// The starts of the lines that look like `[[steps]]` headers (blanks, then
/// `[[steps]]`), in order.
fn candidates(b: &[u8]) -> Vec<usize> {
    memchr::memmem::find_iter(b, b"[[steps]]")
        .filter_map(|at| {
            let line = b[..at]
                .iter()
                .rposition(|&c| c != b' ' && c != b'\t')
                .map_or(0, |k| k + 1);
            (line == 0 || b[line - 1] == b'\n').then_some(line)
        })
        .collect()
}

//! Byte ranges into a source text, and their conversion to line:column.

use std::fmt;

/// A half-open byte range `[start, end)` into one source text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets; `end` is clamped to be at least `start`.
    pub fn new(start: usize, end: usize) -> Span {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Span { start, end }
    }

    /// An empty span at `offset`.
    pub fn at(offset: usize) -> Span {
        Span::new(offset, offset)
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The sub-range `[rel_start, rel_end)` counted from this span's start.
    pub fn sub(self, rel_start: usize, rel_end: usize) -> Span {
        let s = self.start as usize + rel_start;
        let e = self.start as usize + rel_end;
        Span::new(s, e.min(self.end as usize).max(s))
    }

    /// The same span `delta` bytes later.
    pub fn shifted(self, delta: u32) -> Span {
        Span {
            start: self.start.saturating_add(delta),
            end: self.end.saturating_add(delta),
        }
    }

    /// Start as a `usize`.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// End as a `usize`.
    pub fn end(self) -> usize {
        self.end as usize
    }

    /// As a `Range<usize>`.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and 1-based column counted in characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters (Unicode scalar values).
    pub column: u32,
}

/// Maps byte offsets of one text to line:column.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0u32];
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex { line_starts }
    }

    /// The line:column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end or inside a character are clamped.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        // A byte order mark is not a column an editor shows.
        let start = if start == 0 && text.starts_with('\u{feff}') {
            3.min(offset)
        } else {
            start
        };
        let column = text[start..offset].chars().count() + 1;
        LineCol {
            line: line as u32 + 1,
            column: column as u32,
        }
    }

    /// The byte offset of 0-based `line` and 0-based character `column` (for editors).
    pub fn offset(&self, text: &str, line: u32, column: u32) -> usize {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return text.len();
        };
        let start = start as usize;
        let start = if start == 0 && text.starts_with('\u{feff}') {
            3
        } else {
            start
        };
        let rest = &text[start..];
        let line_end = rest.find('\n').map_or(text.len(), |i| start + i);
        text[start..line_end]
            .char_indices()
            .nth(column as usize)
            .map_or(line_end, |(i, _)| start + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a = 1\né = \"ü\"\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        let u = text.find('ü').unwrap_or(0);
        assert_eq!(idx.line_col(text, u), LineCol { line: 2, column: 6 });
        assert_eq!(
            idx.line_col(text, text.len()),
            LineCol { line: 3, column: 1 }
        );
        assert_eq!(idx.offset(text, 1, 5), u);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{feff}a = 1\nb";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 7), LineCol { line: 1, column: 5 });
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let text = "ü";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 99), LineCol { line: 1, column: 2 });
    }
}

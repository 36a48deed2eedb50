//! Byte offsets <-> editor positions (0-based line, column in UTF-8 bytes or UTF-16 code
//! units, as negotiated with the client).

use gtc::db::SourceFile;
use std::sync::Arc;

/// The line index of a file's current text (memoised).
#[salsa::tracked(returns(ref))]
pub fn line_index(db: &dyn salsa::Database, file: SourceFile) -> LineIndex {
    LineIndex::new(file.text(db).clone())
}

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// Code units of UTF-16 (the protocol's default).
    Utf16,
}

/// A 0-based line and column in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub col: u32,
}

/// The line starts of one text, for converting positions both ways.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    text: Arc<str>,
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: Arc<str>) -> LineIndex {
        // Every edit indexes the whole text (twice: to apply the change, then for the
        // diagnostics' ranges), so the line breaks are found with memchr's vector search.
        let mut line_starts = vec![0u32];
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex { text, line_starts }
    }

    /// The text indexed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The position of byte `offset` (clamped to the text and to a character boundary).
    pub fn line_col(&self, offset: usize, enc: Encoding) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let before = self.text.get(start..offset).unwrap_or("");
        let col = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        LineCol {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a position. A line past the end gives the end of the text; a
    /// column past the end of its line gives the end of the line; a column inside a
    /// character gives that character's start.
    pub fn offset(&self, pos: LineCol, enc: Encoding) -> usize {
        let Some(&start) = self.line_starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let start = start as usize;
        let rest = self.text.get(start..).unwrap_or("");
        let mut line = rest.find('\n').map_or(rest, |i| &rest[..i]);
        line = line.strip_suffix('\r').unwrap_or(line);
        let want = pos.col as usize;
        let mut counted = 0usize;
        for (i, c) in line.char_indices() {
            if counted >= want {
                return start + i;
            }
            counted += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if counted > want {
                return start + i; // inside a character: its start
            }
        }
        start + line.len()
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(s: &str) -> LineIndex {
        LineIndex::new(Arc::from(s))
    }

    #[test]
    fn utf16_counts_surrogate_pairs_as_two() {
        // `é` is 2 bytes / 1 unit; `𝄞` is 4 bytes / 2 units.
        let i = idx("a = \"é𝄞x\"\nb");
        let x = i.text().find('x').unwrap_or(0);
        assert_eq!(i.line_col(x, Encoding::Utf8), LineCol { line: 0, col: 11 });
        assert_eq!(i.line_col(x, Encoding::Utf16), LineCol { line: 0, col: 8 });
        assert_eq!(i.offset(LineCol { line: 0, col: 8 }, Encoding::Utf16), x);
        assert_eq!(i.offset(LineCol { line: 0, col: 11 }, Encoding::Utf8), x);
    }

    #[test]
    fn positions_inside_a_character_or_past_the_end_are_clamped() {
        let i = idx("𝄞\r\nab");
        // UTF-16 column 1 is between the surrogates: the character's start.
        assert_eq!(i.offset(LineCol { line: 0, col: 1 }, Encoding::Utf16), 0);
        assert_eq!(i.offset(LineCol { line: 0, col: 2 }, Encoding::Utf8), 0);
        // Past the end of the line: before `\r\n`.
        assert_eq!(i.offset(LineCol { line: 0, col: 99 }, Encoding::Utf16), 4);
        assert_eq!(i.offset(LineCol { line: 9, col: 0 }, Encoding::Utf16), 8);
        assert_eq!(i.line_col(2, Encoding::Utf16), LineCol { line: 0, col: 0 });
        assert_eq!(i.line_col(99, Encoding::Utf8), LineCol { line: 1, col: 2 });
        assert_eq!(i.line_count(), 2);
    }

    #[test]
    fn round_trips_every_boundary() {
        let text = "x = \"ü日本\"\n\n[[steps]]\nid = \"é\"\n";
        let i = idx(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (off, _) in text.char_indices() {
                assert_eq!(i.offset(i.line_col(off, enc), enc), off, "{enc:?} {off}");
            }
        }
    }
}

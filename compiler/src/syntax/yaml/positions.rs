//! Byte offsets for the parser's markers, which count characters.

use saphyr_parser::Marker;
use std::cell::Cell;

/// Maps the library's character-counting markers to byte offsets.
pub(super) struct Positions<'t> {
    text: &'t str,
    /// Pure ASCII: character index = byte offset.
    ascii: bool,
    /// The byte offset of every `STRIDE`-th character.
    checkpoints: Vec<usize>,
    /// The last position found (character index, byte offset): markers mostly come in
    /// source order, so the next one is usually a short walk from here.
    cursor: Cell<(usize, usize)>,
    /// How far the library's index runs ahead of the true character index.
    drift: usize,
}

const STRIDE: usize = 64;

impl<'t> Positions<'t> {
    pub(super) fn new(text: &'t str) -> Positions<'t> {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i)
                .collect()
        };
        Positions {
            text,
            ascii,
            checkpoints,
            cursor: Cell::new((0, 0)),
            drift: 0,
        }
    }

    /// The byte offset of `marker`.
    pub(super) fn byte(&self, marker: Marker) -> usize {
        self.char_to_byte(marker.index().saturating_sub(self.drift))
    }

    fn char_to_byte(&self, index: usize) -> usize {
        let len = self.text.len();
        if self.ascii {
            return index.min(len);
        }
        let Some(&checkpoint) = self.checkpoints.get(index / STRIDE) else {
            return len;
        };
        // Walk from the checkpoint or from the cursor, whichever is closer before `index`.
        let (mut from_char, mut from_byte) = (index - index % STRIDE, checkpoint);
        let (cursor_char, cursor_byte) = self.cursor.get();
        if cursor_char <= index && cursor_char > from_char {
            (from_char, from_byte) = (cursor_char, cursor_byte);
        }
        let byte = self
            .text
            .get(from_byte..)
            .and_then(|rest| rest.char_indices().nth(index - from_char))
            .map_or(len, |(i, _)| from_byte + i);
        self.cursor.set((index, byte));
        byte
    }

    /// Recompute the drift from `marker`'s line and column, which stay right where the
    /// index does not (the column restarts on every line).
    pub(super) fn calibrate(&mut self, marker: Marker) {
        let bytes = self.text.as_bytes();
        let mut line = 1;
        let mut i = 0;
        while line < marker.line() {
            match bytes.get(i) {
                None => break,
                Some(b'\n') => line += 1,
                Some(b'\r') if bytes.get(i + 1) != Some(&b'\n') => line += 1,
                Some(_) => {}
            }
            i += 1;
        }
        if i == 0 && self.text.starts_with('\u{FEFF}') {
            // The library does not count a leading byte order mark in the column.
            i = '\u{FEFF}'.len_utf8();
        }
        let at = self
            .text
            .get(i..)
            .and_then(|rest| rest.char_indices().nth(marker.col()))
            .map_or(self.text.len(), |(j, _)| i + j);
        let chars = self.text.get(..at).map_or(0, |s| s.chars().count());
        self.drift = marker.index().saturating_sub(chars);
    }
}

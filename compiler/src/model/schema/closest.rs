//! Did-you-mean: the candidate closest to a misspelt word, by Jaro-Winkler similarity,
//! among those close enough (similarity at least 0.85, or an edit distance within a
//! third of the candidate's length).
//!
//! A misspelt step reference compares the word with every id of the formula (thousands),
//! so a candidate is first bounded from the characters the two share: one that can reach
//! neither threshold is passed over without computing either measure. The bound never
//! passes over a candidate the measures would accept (tested against the plain scan).

/// The candidate closest to `word` by edit distance, if close enough to suggest (the
/// first of equally close ones).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    scan(word, candidates, Order::First)
}

/// What [`closest`] gives the candidates sorted, whatever their order: the least of
/// equally close ones. Spares sorting thousands of step ids for one misspelt reference.
pub fn closest_as_sorted<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    scan(word, candidates, Order::Least)
}

/// Which of equally close candidates wins.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The first one met.
    First,
    /// The least one.
    Least,
}

fn scan<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    order: Order,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let bound = Bound::new(&lower);
    let mut exact: Option<&str> = None;
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(word) {
            match order {
                Order::First => return Some(c),
                Order::Least => {
                    if exact.is_none_or(|e| c < e) {
                        exact = Some(c);
                    }
                    continue;
                }
            }
        }
        if exact.is_some() {
            continue; // only another exact match could win now
        }
        // Lowercased once, and only when it has capitals (candidates are thousands of
        // step ids on a misspelt reference, nearly all lowercase already).
        let c_lower: std::borrow::Cow<'_, str> = if c.bytes().any(|b| b.is_ascii_uppercase()) {
            c.to_ascii_lowercase().into()
        } else {
            c.into()
        };
        let max_edits = c.len().max(3) / 3;
        if bound
            .as_ref()
            .is_some_and(|b| b.cannot_be_close(&c_lower, max_edits))
        {
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &c_lower);
        let close = score >= 0.85 || strsim::levenshtein(&lower, &c_lower) <= max_edits;
        let wins =
            |(s, b): (f64, &str)| score > s || (order == Order::Least && score == s && c < b);
        if close && best.is_none_or(wins) {
            best = Some((score, c));
        }
    }
    exact.or(best.map(|(_, c)| c))
}

/// What bounding a candidate needs of the (lowercased, ASCII) word.
struct Bound<'w> {
    word: &'w [u8],
    /// How many times each byte occurs in the word.
    counts: [u8; 128],
}

impl<'w> Bound<'w> {
    /// `None` for a word the bound does not handle (not ASCII, or too long to count).
    fn new(word: &'w str) -> Option<Bound<'w>> {
        if !word.is_ascii() || word.is_empty() || word.len() > usize::from(u8::MAX) {
            return None;
        }
        let mut counts = [0u8; 128];
        for &b in word.as_bytes() {
            counts[usize::from(b)] += 1;
        }
        Some(Bound {
            word: word.as_bytes(),
            counts,
        })
    }

    /// Whether `c` can reach neither a Jaro-Winkler similarity of 0.85 nor an edit
    /// distance of `max_edits` from the word.
    fn cannot_be_close(&self, c: &str, max_edits: usize) -> bool {
        if !c.is_ascii() || c.is_empty() {
            return false;
        }
        let c = c.as_bytes();
        // Characters the two share, counted with repetition: at most this many can
        // match in Jaro's sense, and every other character of the longer one is an edit.
        let mut left = self.counts;
        let mut shared = 0usize;
        for &b in c {
            let n = &mut left[usize::from(b)];
            if *n > 0 {
                *n -= 1;
                shared += 1;
            }
        }
        let (w, n) = (self.word.len(), c.len());
        if w.max(n) - shared <= max_edits {
            return false;
        }
        if shared == 0 {
            return true; // Jaro is 0 without a match
        }
        let m = shared as f64;
        let jaro = (m / w as f64 + m / n as f64 + 1.0) / 3.0;
        let prefix = self
            .word
            .iter()
            .zip(c)
            .take(4)
            .take_while(|(a, b)| a == b)
            .count();
        // Winkler's boost (applied above 0.7) grows with the Jaro similarity, so the
        // bound on one bounds the other; a small margin covers rounding.
        let winkler = if jaro > 0.7 {
            jaro + 0.1 * prefix as f64 * (1.0 - jaro)
        } else {
            jaro
        };
        winkler < 0.85 - 1e-9
    }
}

#[cfg(test)]
mod tests {
    use super::{closest, closest_as_sorted};
    use proptest::prelude::*;

    /// The plain scan: both measures for every candidate.
    fn reference<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let lower = word.to_ascii_lowercase();
        let mut best: Option<(f64, &str)> = None;
        for &c in candidates {
            if c.eq_ignore_ascii_case(word) {
                return Some(c);
            }
            let c_lower = c.to_ascii_lowercase();
            let score = strsim::jaro_winkler(&lower, &c_lower);
            let close =
                score >= 0.85 || strsim::levenshtein(&lower, &c_lower) <= (c.len().max(3) / 3);
            if close && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, c));
            }
        }
        best.map(|(_, c)| c)
    }

    #[test]
    fn step_ids_among_thousands() {
        let ids: Vec<String> = (0..5000).map(|i| format!("s{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        for word in ["s4998x", "s12", "build", "S4999", "s-1", "x", ""] {
            assert_eq!(
                closest(word, refs.iter().copied()),
                reference(word, &refs),
                "{word}"
            );
        }
        assert_eq!(closest("s4998x", refs.iter().copied()), Some("s4998"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The bound passes over no candidate the measures accept.
        #[test]
        fn the_same_as_the_plain_scan(
            word in "[a-cA-C0-2_é-]{0,9}",
            candidates in prop::collection::vec("[a-cA-C0-2_é-]{0,9}", 0..12),
        ) {
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            prop_assert_eq!(closest(&word, refs.iter().copied()), reference(&word, &refs));
        }

        /// Without sorting, what the sorted candidates give.
        #[test]
        fn as_sorted_is_closest_of_the_sorted(
            word in "[a-cA-C0-2_é-]{0,9}",
            candidates in prop::collection::vec("[a-cA-C0-2_é-]{0,9}", 0..12),
        ) {
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let mut sorted = refs.clone();
            sorted.sort_unstable();
            prop_assert_eq!(
                closest_as_sorted(&word, refs.iter().copied()),
                closest(&word, sorted.iter().copied())
            );
        }
    }
}

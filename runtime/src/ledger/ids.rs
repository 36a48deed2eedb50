//! Issue ids: `<prefix>-<hash>` for issues (`<prefix>-mol-<hash>` and `<prefix>-wisp-<hash>`
//! for molecule roots), `<root>.<step>` for the steps of a molecule.
//!
//! The hash is base36 of SHA-256 over the title, the time in nanoseconds and a nonce; it
//! starts at 4 characters and grows (up to 12) until the id is free, so ids stay short.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Base36 digits of the first 16 bytes of SHA-256(`seed`).
pub fn hash36(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut n = u128::from_be_bytes(digest[..16].try_into().unwrap_or([0; 16]));
    let mut out = Vec::with_capacity(25);
    while n > 0 {
        out.push(ALPHABET[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A fresh id `<prefix>-<kind->hash`, the shortest (from 4 characters) for which `taken`
/// is false. `kind` is "" for plain issues, "mol" or "wisp" for molecule roots.
pub fn fresh(prefix: &str, kind: &str, seed: &str, taken: &mut dyn FnMut(&str) -> bool) -> String {
    let head = if kind.is_empty() {
        format!("{prefix}-")
    } else {
        format!("{prefix}-{kind}-")
    };
    for nonce in 0u32.. {
        let h = hash36(&format!("{seed}|{nonce}"));
        for len in 4..=h.len().min(12) {
            let id = format!("{head}{}", &h[..len]);
            if !taken(&id) {
                return id;
            }
        }
    }
    unreachable!("an unbounded nonce always finds a free id")
}

/// Whether `prefix` is a usable id prefix: a letter, then letters, digits or dashes.
pub fn valid_prefix(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
        && prefix.len() <= 20
        && !prefix.ends_with('-')
}

/// An id fragment from any text: letters, digits, `-` and `_` kept, anything else `-`.
pub fn id_fragment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_base36() {
        assert_eq!(hash36("x"), hash36("x"));
        assert!(hash36("x").bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(hash36("x"), hash36("y"));
    }

    #[test]
    fn fresh_grows_on_collision() {
        let first = fresh("bd", "", "seed", &mut |_| false);
        assert!(first.starts_with("bd-") && first.len() == 7, "{first}");
        let mut seen = vec![first.clone()];
        let second = fresh("bd", "mol", "seed", &mut |id| {
            let hit = id.len() < 12;
            seen.push(id.to_owned());
            hit
        });
        assert!(
            second.starts_with("bd-mol-") && second.len() == 12,
            "{second}"
        );
    }

    #[test]
    fn prefixes() {
        assert!(valid_prefix("bd"));
        assert!(valid_prefix("gt-x2"));
        assert!(!valid_prefix("2x"));
        assert!(!valid_prefix("a b"));
        assert!(!valid_prefix("x-"));
        assert!(!valid_prefix(""));
    }
}

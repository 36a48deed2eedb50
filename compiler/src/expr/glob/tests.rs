//! Unit tests of glob patterns, including a differential test against a port of Go's
//! `filepath.Match`.

use super::super::ExprError;
use super::*;

fn glob(p: &str) -> Glob {
    parse_glob(p).unwrap_or_else(|e| panic!("{p:?}: {e:?}"))
}

fn err(p: &str) -> ExprError {
    match parse_glob(p) {
        Ok(g) => panic!("{p:?} parsed: {g:?}"),
        Err(e) => e,
    }
}

#[test]
fn reference_rules() {
    let m = |p: &str, id: &str| glob(p).matches(id);
    // Exact and filepath.Match.
    assert!(m("implement", "implement") && !m("implement", "implement2"));
    assert!(m("*", "anything.at.all") && m("*", "") && m("*", "a/b")); // rule 2 beats `/`
    assert!(m("impl*", "implement") && !m("impl*", "x.implement"));
    assert!(m("*impl*", "re-implement.x") && !m("*impl*", "a/implement"));
    assert!(m("step-?", "step-1") && !m("step-?", "step-10") && !m("a?b", "a/b"));
    assert!(m("move-[1-3]", "move-2") && !m("move-[1-3]", "move-4"));
    assert!(m("move-[^1-3]", "move-4") && !m("move-[^1-3]", "move-1"));
    assert!(m("[ab]x", "bx") && m("[*]", "*") && m("[[]", "[") && m("[\\]]", "]"));
    assert!(m("a\\*", "a*") && !m("a\\*", "ab"));
    assert!(m("a\\*", "a\\*")); // rule 5: the raw pattern equals the id
    assert!(m("]^-", "]^-"));
    // Rule 3: `*.x` is a suffix test (and crosses `/`).
    assert!(m("*.implement", "shiny.implement") && m("*.implement", "a/b.implement"));
    assert!(m("*.implement", ".implement") && !m("*.implement", "implement"));
    assert!(m("*.[ab]", "x.[ab]") && m("*.[ab]", "x.a"));
    // Rule 4: `x.*` is a prefix test (and crosses `/`).
    assert!(m("shiny.*", "shiny.a/b") && m("shiny.*", "shiny.") && !m("shiny.*", "shiny"));
    // Multibyte characters.
    assert!(m("é?", "éé") && m("*é", "aé") && m("[à-ê]", "é"));
}

#[test]
fn corpus_patterns() {
    for p in [
        "implement",
        "submit",
        "*.implement",
        "shiny.*",
        "*",
        "review",
    ] {
        assert_eq!(glob(p).as_str(), p);
    }
    assert!(glob("implement").is_literal() && !glob("shiny.*").is_literal());
}

#[test]
fn errors() {
    let e = err("");
    assert_eq!((e.range, e.message.as_str()), (0..0, "empty glob pattern"));
    let e = err("step-[12");
    assert_eq!((e.range, e.message.as_str()), (5..6, "unclosed `[`"));
    assert_eq!(err("[").range, 0..1);
    assert_eq!(err("a[^").range, 1..2);
    let e = err("step\\");
    assert_eq!(
        (e.range, e.message.as_str()),
        (4..5, "trailing `\\` escapes nothing")
    );
    assert_eq!(err("[a\\").range, 2..3);
    let e = err("x[]y");
    assert_eq!(
        (e.range, e.message.as_str()),
        (1..3, "empty character class")
    );
    assert_eq!(err("[^]").range, 0..3);
    assert_eq!(err("[]a]").range, 0..2);
    let e = err("[a-]");
    assert_eq!(e.range, 2..3);
    assert!(e.message.contains("between two characters"), "{e:?}");
    assert_eq!(err("[-a]").range, 1..2);
    assert_eq!(err("[a-c-e]").range, 4..5);
    assert_eq!(err("[a-").message, "unclosed `[`");
    assert_eq!(err("x[[a-").range, 1..2);
    assert_eq!(err("[^a-").range, 0..1);
    let e = err("[z-a]");
    assert_eq!(
        (e.range, e.message.as_str()),
        (
            1..4,
            "character range `z-a` is empty (its start is after its end)"
        )
    );
}

#[test]
fn no_exponential_backtracking() {
    let pattern = format!("{}b", "*a".repeat(40));
    let g = glob(&pattern);
    let name = "a".repeat(20_000);
    let t = std::time::Instant::now();
    assert!(!g.matches(&name));
    assert!(g.matches(&format!("{name}b")));
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
}

/// A literal port of Go's `path/filepath.Match` over bytes (ASCII inputs only).
fn go_ref(pattern: &[u8], name: &[u8]) -> Result<bool, ()> {
    let (mut pattern, mut name) = (pattern, name);
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok) = go_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok) = go_chunk(chunk, &name[i + 1..])?;
                if ok && (t.is_empty() || !pattern.is_empty()) {
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            go_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(p: &[u8]) -> (bool, &[u8], &[u8]) {
    let star_len = p.iter().take_while(|b| **b == b'*').count();
    let p = &p[star_len..];
    let (mut inrange, mut i) = (false, 0);
    while i < p.len() {
        match p[i] {
            b'\\' if i + 1 < p.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star_len > 0, &p[..i], &p[i..])
}

fn get_esc(chunk: &[u8]) -> Result<(u8, &[u8]), ()> {
    let chunk = match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(()),
        Some(b'\\') => &chunk[1..],
        Some(_) => chunk,
    };
    match chunk {
        [r, rest @ ..] if !rest.is_empty() => Ok((*r, rest)),
        _ => Err(()),
    }
}

fn go_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Result<(&'a [u8], bool), ()> {
    let mut failed = false;
    while let Some(&c) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            b'[' => {
                let mut r = 0u8;
                if !failed {
                    r = s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let (mut matched, mut nrange) = (false, 0);
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    matched |= lo <= r && r <= hi;
                    nrange += 1;
                }
                failed |= matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s[0] == b'/';
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(());
                    }
                }
                if !failed {
                    failed = chunk[0] != s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { (&[][..], false) } else { (s, true) })
}

#[test]
fn agrees_with_go_filepath_match() {
    const PAT: &[u8] = b"ab./-*?[]^\\";
    const NAME: &[u8] = b"ab./-*?[]^\\";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n
    };
    let (mut compared, mut rejected) = (0, 0);
    for _ in 0..200_000 {
        let p: Vec<u8> = (0..1 + next(7)).map(|_| PAT[next(PAT.len())]).collect();
        let n: Vec<u8> = (0..next(7)).map(|_| NAME[next(NAME.len())]).collect();
        let (ps, ns) = (String::from_utf8_lossy(&p), String::from_utf8_lossy(&n));
        match parse_glob(&ps) {
            Ok(g) => {
                compared += 1;
                let want = go_ref(&p, &n);
                assert_eq!(
                    Ok(go_match(&g.chunks, &ns)),
                    want,
                    "pattern {ps:?} name {ns:?}"
                );
            }
            Err(e) => {
                rejected += 1;
                // Go rejects these too, except the empty ranges we are stricter about.
                if !e.message.contains("is empty") {
                    assert_eq!(go_ref(&p, b"").err(), Some(()), "pattern {ps:?}: {e:?}");
                }
            }
        }
    }
    assert!(
        compared > 10_000 && rejected > 10_000,
        "{compared} {rejected}"
    );
}

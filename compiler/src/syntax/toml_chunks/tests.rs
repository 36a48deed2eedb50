use super::*;
use crate::syntax::{Format, parse};

fn steps(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\nneeds = [\"s{}\"]\n",
            i.saturating_sub(1)
        ));
    }
    s
}

#[test]
fn chunks_cover_the_text_and_start_at_headers() {
    let text = format!(
        "formula = \"f\"\n[vars.a]\ndefault = \"x\"\n{}\n[compose]\n",
        steps(200)
    );
    let c = split(&text).expect("cut");
    assert_eq!(c.preamble.start, 0);
    assert_eq!(c.preamble.end, c.steps[0].start);
    for w in c.steps.windows(2) {
        assert_eq!(w[0].end, w[1].start);
    }
    assert_eq!(c.steps.last().map(|r| r.end), Some(c.tail.start));
    assert_eq!(c.tail.end, text.len());
    assert!(
        c.steps
            .iter()
            .all(|r| text[r.clone()].starts_with("[[steps]]"))
    );
    assert!(
        c.steps.len() > 3,
        "200 tables make several runs: {}",
        c.steps.len()
    );
    assert!(text[c.tail.clone()].starts_with("[compose]"));
    assert_eq!(parse_chunked(&text), Some(parse(&text, Format::Toml)));
}

#[test]
fn an_edit_moves_only_its_own_boundary() {
    let text = steps(300);
    let before = split(&text).expect("cut");
    let at = text.find("id = \"s150\"").expect("s150");
    let edited = format!("{}x{}", &text[..at], &text[at..]);
    let after = split(&edited).expect("cut");
    let texts = |t: &str, c: &Chunks| -> Vec<String> {
        c.steps.iter().map(|r| t[r.clone()].to_owned()).collect()
    };
    let (a, b) = (texts(&text, &before), texts(&edited, &after));
    let changed = b.iter().filter(|t| !a.contains(t)).count();
    assert!(changed <= 2, "{changed} chunks changed");
}

#[test]
fn sub_tables_stay_with_their_step() {
    let text = format!(
        "formula = \"f\"\n{}\n[steps.loop]\ncount = 2\n\n[[steps.loop.body]]\nid = \"b\"\ntitle = \"B\"\n\n[[steps.children]]\nid = \"c\"\ntitle = \"C\"\n{}",
        steps(40),
        steps(40).replace("id = \"s", "id = \"t")
    );
    assert!(split(&text).is_some());
    assert_eq!(parse_chunked(&text), Some(parse(&text, Format::Toml)));
}

#[test]
fn strings_comments_and_arrays_do_not_cut() {
    let text = format!(
        "formula = \"f\" # [[steps]]\ndescription = \"\"\"\n[[steps]]\nnot a header \\\"\"\" still\n\"\"\"\nnote = '''\n[[steps]]\n'''\nlist = [\n[1, 2],\n]\n{}",
        steps(20)
    );
    let c = split(&text).expect("cut");
    assert!(text[c.preamble.clone()].contains("list = ["));
    assert_eq!(parse_chunked(&text), Some(parse(&text, Format::Toml)));
}

#[test]
fn files_that_cannot_be_cut() {
    // No `[[steps]]`; a `steps` sub-table before any; a `[[steps]]` after the tail; a
    // header the scan does not read; an unbalanced bracket.
    for text in [
        String::from("formula = \"f\"\n[vars.a]\n"),
        format!("[steps.x]\na = 1\n{}", steps(2)),
        format!("{}\n[compose]\n{}", steps(2), steps(2)),
        format!("[\"we\\\"ird\"]\na = 1\n{}", steps(2)),
        format!("a = ]\n{}", steps(2)),
    ] {
        assert_eq!(split(&text), None, "{text}");
    }
}

#[test]
fn chunks_that_do_not_fit_are_refused() {
    // A key both the preamble and the tail define; `steps` in the preamble; a syntax
    // error in a run: each is left to the whole parse, whose errors are the truth.
    for text in [
        format!("[vars.a]\nx = 1\n{}\n[vars]\ny = 2\n", steps(3)),
        format!("steps = 1\n{}", steps(3)),
        format!("{}\nbroken = \n", steps(3)),
    ] {
        assert!(split(&text).is_some(), "{text}");
        assert_eq!(parse_chunked(&text), None, "{text}");
        assert!(!parse(&text, Format::Toml).errors.is_empty() || text.contains("[vars]"));
    }
}

#[test]
fn unterminated_strings_end_where_the_lexer_ends_them() {
    // A one-line string stops at its line's end; a multi-line one runs to the end.
    let text = format!("a = \"open\n{}", steps(3));
    assert!(split(&text).is_some());
    assert_eq!(parse_chunked(&text), None, "the error is in the preamble");
    let text = format!("a = \"\"\"open\n{}", steps(3));
    assert_eq!(split(&text), None, "no [[steps]] outside the string");
}

/// The cheap cut gives `split`'s chunks; where a line only looks like a header, or a
/// header does not look like one, a chunk does not fit and `split` decides.
#[test]
fn the_cheap_cut_is_the_scans_cut() {
    let texts = [
        // Plain, with a tail and sub-tables.
        format!(
            "formula = \"f\"\n{}\n[steps.loop]\ncount = 2\n[compose]\nx = 1\n",
            steps(300)
        ),
        // `[[steps]]` at a line start inside strings of the preamble and of a run.
        format!("d = \"\"\"\n[[steps]]\n\"\"\"\n{}", steps(300)),
        format!(
            "{}\nnote = '''\n  [[steps]]\n'''\n{}",
            steps(150),
            steps(150)
        ),
        // A real header the search does not see, in a run and first of all.
        format!("{}\n[[ steps ]]\nid = \"odd\"\n{}", steps(150), steps(150)),
        format!("[[ steps ]]\nid = \"odd\"\n{}", steps(300)),
        // A header after the tail; a `steps` sub-table in the preamble.
        format!("{}\n[vars]\n{}", steps(150), steps(150)),
        format!("[steps.x]\n{}", steps(300)),
    ];
    for text in &texts {
        assert_eq!(cut_checked(text), split(text), "{text}");
    }
    // The checks are what make it so: unchecked, the string's line is taken for a header.
    let text = &texts[1];
    let c = cut(text).expect("cut");
    assert_ne!(Some(&c), split(text).as_ref());
    assert!(!fits(&text[c.preamble.clone()], Piece::Preamble));
    // A header the search missed is inside a chunk (here the preamble) that then
    // does not fit.
    let text = &texts[4];
    let c = cut(text).expect("cut");
    assert_ne!(Some(&c), split(text).as_ref());
    assert!(!fits(&text[c.preamble.clone()], Piece::Preamble));
}

#[test]
fn fits_reads_one_chunk() {
    assert!(fits("formula = \"f\"\n[vars.a]\n", Piece::Preamble));
    assert!(fits("", Piece::Preamble));
    assert!(!fits("[steps.a]\n", Piece::Preamble));
    assert!(
        !fits("a = \"\"\"\nopen\n", Piece::Preamble),
        "ends inside a string"
    );
    assert!(
        !fits("a = [\n1,\n", Piece::Preamble),
        "ends inside an array"
    );
    assert!(!fits("a = 1", Piece::Preamble), "ends without a newline");
    assert!(fits(
        "[[steps]]\nid = \"a\"\n[steps.loop]\n[[steps]]\n",
        Piece::Run
    ));
    assert!(
        !fits("id = \"a\"\n[[steps]]\n", Piece::Run),
        "starts with its header"
    );
    assert!(
        !fits("[[steps]]\n[vars]\n", Piece::Run),
        "only steps headers"
    );
    assert!(
        !fits("[[steps]]\n[[\"steps\"]]\n", Piece::Run),
        "a header cut does not see"
    );
    assert!(!fits("", Piece::Run));
}

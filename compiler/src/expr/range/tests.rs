//! Unit tests of range expressions.

use super::super::ExprError;
use super::*;

fn vars(name: &str) -> Option<f64> {
    match name {
        "disks" => Some(3.0),
        "n" => Some(4.0),
        "zero" => Some(0.0),
        _ => None,
    }
}

fn bounds(text: &str) -> (i64, i64) {
    let r = parse_range(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    eval_bounds(&r, &vars).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

fn parse_err(text: &str) -> ExprError {
    match parse_range(text) {
        Ok(r) => panic!("{text} parsed: {r:?}"),
        Err(e) => e,
    }
}

fn eval_err(text: &str) -> ExprError {
    let r = parse_range(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    match eval_bounds(&r, &vars) {
        Ok(v) => panic!("{text} evaluated to {v:?}"),
        Err(e) => e,
    }
}

#[test]
fn valid_forms() {
    assert_eq!(bounds("1..10"), (1, 10));
    assert_eq!(bounds("5..5"), (5, 5));
    assert_eq!(bounds("1..2^3"), (1, 8));
    assert_eq!(bounds("2*2..3*3"), (4, 9));
    assert_eq!(bounds("1..2^{disks}-1"), (1, 7));
    assert_eq!(bounds("1..2^{disks}"), (1, 8));
    assert_eq!(bounds("0..({n}-1)*2"), (0, 6));
    assert_eq!(bounds(" 1 .. 2 + 3 * 4 "), (1, 14));
    assert_eq!(bounds("0..((2+3)*(4+1))"), (0, 25));
    assert_eq!(bounds("-3..-1"), (-3, -1));
    assert_eq!(bounds("1.5..7.9"), (1, 7));
    assert_eq!(bounds("0..10/4"), (0, 2));
    assert_eq!(bounds("0..2^3^2"), (0, 512)); // right-associative
    assert_eq!(bounds("0..-2^2"), (0, 4)); // unary minus binds tightest
    assert_eq!(bounds("0..2^-1*4"), (0, 2));
    assert_eq!(bounds("0..10-3-2"), (0, 5)); // left-associative
    assert_eq!(bounds("0..2--1"), (0, 3));
}

#[test]
fn ranges_of_nodes() {
    let r = parse_range("1..(2+{n})*3").expect("parses");
    assert_eq!(r.start.range(), 0..1);
    assert_eq!(r.end.range(), 3..12);
    assert_eq!(vars_in(&r), vec![("n".to_string(), 6..9)]);
    let r = parse_range("{a}..-{b}^{a}").expect("parses");
    let names: Vec<_> = vars_in(&r).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["a", "b", "a"]);
    assert_eq!(r.end.range(), 5..13);
}

#[test]
fn syntax_errors() {
    let e = parse_err("");
    assert_eq!(
        (e.range, e.message.as_str()),
        (0..0, "empty range expression")
    );
    assert_eq!(parse_err("  ").range, 0..2);

    let e = parse_err("1 10");
    assert_eq!(e.range, 2..4);
    assert!(e.message.contains("`10`"), "{e:?}");

    let e = parse_err("10");
    assert_eq!(e.range, 2..2);
    assert_eq!(
        e.message,
        "missing `..` between the start and end of the range"
    );

    let e = parse_err("1..@10");
    assert_eq!(
        (e.range, e.message.as_str()),
        (3..4, "unexpected character `@`")
    );

    let e = parse_err("1..{ n }");
    assert_eq!(e.range, 3..4);
    assert!(e.help.is_some());

    let e = parse_err("1..{{n}}");
    assert_eq!(e.range, 3..8);
    assert!(e.message.contains("write `{n}`"), "{e:?}");

    let e = parse_err("2++3..4");
    assert_eq!(e.range, 2..3);

    let e = parse_err("1..(2");
    assert_eq!(e.range, 5..5);
    assert!(e.message.contains("`)`"), "{e:?}");

    let e = parse_err("1..2)");
    assert_eq!(e.range, 4..5);

    let e = parse_err("1..2..3");
    assert_eq!(e.range, 4..6);
    assert!(e.help.is_some());

    let e = parse_err("abc..10");
    assert_eq!(e.range, 0..1);
    assert!(
        e.help.as_deref().is_some_and(|h| h.contains("`1..{n}`")),
        "{e:?}"
    );

    let e = parse_err("1..é");
    assert_eq!(
        (e.range, e.message.as_str()),
        (3..5, "unexpected character `é`")
    );

    let big = format!("1..{}", "9".repeat(400));
    assert!(parse_err(&big).message.contains("too large"));
}

#[test]
fn eval_errors() {
    let e = eval_err("1..10/0");
    assert_eq!((e.range, e.message.as_str()), (6..7, "division by zero"));
    let e = eval_err("1..10/({zero})");
    assert_eq!(e.range, 7..13);
    let e = eval_err("1..{missing}+1");
    assert_eq!(
        (e.range, e.message.as_str()),
        (3..12, "unknown variable `missing`")
    );
    let e = eval_err("1..2^2000");
    assert_eq!((e.range, e.message.as_str()), (3..9, "result is too large"));
    let e = eval_err("1..(0-8)^0.5");
    assert_eq!(e.message, "result is not a number");
    let e = eval_err("1..10^19");
    assert_eq!(e.message, "result does not fit in a 64-bit integer");
    let e = eval_err("5..2");
    assert_eq!(
        (e.range, e.message.as_str()),
        (0..4, "range end (2) is less than start (5)")
    );
}

#[test]
fn adversarial_inputs_error_instead_of_overflowing() {
    let deep = format!("1..{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = parse_err(&deep);
    assert_eq!(e.range, 3 + 64..3 + 65);
    assert!(e.message.contains("nested"), "{e:?}");
    let ok = format!("1..{}1{}", "(".repeat(64), ")".repeat(64));
    assert_eq!(bounds(&ok), (1, 1));

    let long = format!("1..{}1", "1+".repeat(100_000));
    assert!(parse_err(&long).message.contains("too long"));
    let negs = format!("1..{}1", "-".repeat(100_000));
    assert!(parse_err(&negs).message.contains("too long"));
    let pows = format!("1..{}1", "1^".repeat(100_000));
    assert!(parse_err(&pows).message.contains("too long"));
    // Within the limit, long chains still evaluate.
    let chain = format!("0..{}1", "1+".repeat(200));
    assert_eq!(bounds(&chain), (0, 201));
    let negs = format!("0..{}1", "-".repeat(400));
    assert_eq!(bounds(&negs), (0, 1));
}

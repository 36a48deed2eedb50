//! Unit tests of the condition language.

use super::super::ExprError;
use super::*;
use std::ops::Range;

fn ok(text: &str) -> Condition {
    parse_condition(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

fn err(text: &str) -> ExprError {
    match parse_condition(text) {
        Ok(c) => panic!("{text:?} parsed: {c:?}"),
        Err(e) => e,
    }
}

fn value(text: &str, quoted: bool, range: Range<usize>) -> Value {
    Value {
        text: text.into(),
        quoted,
        range,
    }
}

#[test]
fn field_comparisons() {
    assert_eq!(
        ok("step.status == 'complete'"),
        Condition::Field {
            step: StepRef::Current,
            cmp: Comparison {
                field: Field::Status,
                field_range: 0..11,
                op: CmpOp::Eq,
                value: value("complete", true, 15..25),
            },
        }
    );
    let Condition::Field { step, cmp } = ok("  review.output.a.b >= -2.5 ") else {
        panic!("not a field comparison");
    };
    assert_eq!(
        step,
        StepRef::Id {
            id: "review".into(),
            range: 2..8
        }
    );
    assert_eq!(cmp.field, Field::Output(vec!["a".into(), "b".into()]));
    assert_eq!((cmp.field_range, cmp.op), (2..19, CmpOp::Ge));
    assert_eq!(cmp.value, value("-2.5", false, 23..27));
    let Condition::Field { step, cmp } = ok("output.approved != \"yes\"") else {
        panic!("not a field comparison");
    };
    assert_eq!(
        (step, cmp.op, cmp.value.text.as_str()),
        (StepRef::Current, CmpOp::Ne, "yes")
    );
    assert!(matches!(
        ok("status < x"),
        Condition::Field {
            step: StepRef::Current,
            ..
        }
    ));
    assert!(matches!(
        ok("step.output.x <= 1"),
        Condition::Field {
            step: StepRef::Current,
            ..
        }
    ));
    assert!(matches!(
        ok("a_1.status > 2"),
        Condition::Field {
            step: StepRef::Id { .. },
            ..
        }
    ));
    assert!(matches!(
        ok("1st.status == ok"),
        Condition::Field {
            step: StepRef::Id { .. },
            ..
        }
    ));
}

#[test]
fn external_and_aggregate_forms() {
    assert_eq!(
        ok("file.exists('go.mod')"),
        Condition::FileExists {
            path: "go.mod".into(),
            path_range: 13..19
        }
    );
    assert_eq!(
        ok("env.CI == 'true'"),
        Condition::Env {
            name: "CI".into(),
            name_range: 4..6,
            op: CmpOp::Eq,
            value: value("true", true, 10..16)
        }
    );
    assert_eq!(
        ok("steps.in_progress < 2"),
        Condition::StepsCount {
            status: StepStatus::InProgress,
            status_range: 6..17,
            op: CmpOp::Lt,
            count: 2
        }
    );
    let Condition::Aggregate {
        over,
        step,
        func,
        each,
        count,
    } = ok("children(step).all(status == 'complete')")
    else {
        panic!("not an aggregate");
    };
    assert_eq!(
        (over, step, func, count),
        (Over::Children, StepRef::Current, AggFunc::All, None)
    );
    assert_eq!((each.field, each.field_range), (Field::Status, 19..25));
    let Condition::Aggregate {
        over,
        step,
        func,
        each,
        count,
    } = ok("steps(impl).count(step.output.ok == true) >= 3")
    else {
        panic!("not an aggregate");
    };
    assert_eq!(
        (over, func, count),
        (Over::Steps, AggFunc::Count, Some((CmpOp::Ge, 3)))
    );
    assert_eq!(
        step,
        StepRef::Id {
            id: "impl".into(),
            range: 6..10
        }
    );
    assert_eq!(each.field, Field::Output(vec!["ok".into()]));
    assert!(matches!(
        ok("descendants(x).any(output.n > 1)"),
        Condition::Aggregate {
            over: Over::Descendants,
            func: AggFunc::Any,
            ..
        }
    ));
}

#[test]
fn step_and_var_refs() {
    let refs = |t: &str| step_refs(&ok(t));
    assert_eq!(
        refs("review.status == 'complete'"),
        vec![("review".to_string(), 0..6)]
    );
    assert_eq!(
        refs("tests.output.path == x"),
        vec![("tests".to_string(), 0..5)]
    );
    assert_eq!(
        refs("children(spawn).all(status == 'complete')"),
        vec![("spawn".to_string(), 9..14)]
    );
    for t in [
        "step.status == 'complete'",
        "output.x == 1",
        "status == x",
        "env.X == 1",
        "file.exists('a')",
        "steps.complete >= 1",
        "children(step).any(status == failed)",
    ] {
        assert!(refs(t).is_empty(), "{t}");
    }
    let vars = var_refs_in(&ok("file.exists('{{dir}}/{{name}}.md')"));
    let got: Vec<_> = vars.into_iter().map(|v| (v.name, v.range)).collect();
    assert_eq!(
        got,
        vec![("dir".to_string(), 13..20), ("name".to_string(), 21..29)]
    );
    assert!(var_refs_in(&ok("env.X == '{{a}}'")).is_empty());
}

#[test]
fn rejects_what_the_reference_wrongly_accepts() {
    let e = err("a.status =< 3");
    assert_eq!(
        (e.range, e.message.as_str()),
        (9..11, "unknown operator `=<`")
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `<=`?"))
    );
    assert_eq!(err("env.A = 1").range, 6..7);
    assert_eq!(
        err("a.status <> 1")
            .help
            .as_deref()
            .map(|h| h.contains("`!=`")),
        Some(true)
    );
    assert_eq!(err("a.status >>= 1").message, "unknown operator `>>=`");
    let e = err("a.status >= 'x' && y < 3");
    assert_eq!(
        (e.range, e.message.as_str()),
        (16..18, "conditions cannot be combined with `&&`")
    );
    assert!(e.help.is_some());
    assert_eq!(err("a.status == x || b").range, 14..16);
    assert_eq!(err("a.status == x and b.status == y").range, 14..17);
    assert_eq!(err("x.status == 1 garbage").range, 14..21);
    assert_eq!(err("x.status == a b").range, 14..15);
    let e = err("children(x).all(status == 'c') >= 3");
    assert_eq!(
        (e.range, e.message.as_str()),
        (31..35, "only `count(...)` can be compared with a number")
    );
    let e = err("steps(x).count(status == 'c')");
    assert_eq!(
        (e.range, e.message.as_str()),
        (9..14, "`count(...)` must be compared with a number")
    );
    assert_eq!(err("children(x).all(status == 'c') junk").range, 31..35);
    let e = err("children(x).all(children(y).all(status == c))");
    assert_eq!(e.range, 24..25);
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.starts_with("aggregates cannot be nested")),
        "{e:?}"
    );
    assert_eq!(err("file.exists('a\")").range, 12..16);
}

#[test]
fn error_paths() {
    let e = err("   ");
    assert_eq!((e.range, e.message.as_str()), (0..3, "empty condition"));
    let e = err("review-code.status == 'complete'");
    assert_eq!(e.range, 6..7);
    assert!(
        e.help.as_deref().is_some_and(|h| h.contains("`-`")),
        "{e:?}"
    );
    assert_eq!(err("children(a-b).all(status == c)").range, 10..11);
    assert!(err("x.status == -").help.is_none());
    let e = err("file.exist('x')");
    assert_eq!(
        (e.range, e.message.as_str()),
        (5..10, "unexpected `exist`, expected `exists`")
    );
    assert_eq!(
        err("file.exists(x)").message,
        "unexpected `x`, expected a quoted path"
    );
    assert_eq!(err("file.exists('')").message, "`file.exists` needs a path");
    assert_eq!(err("file.exists('x'").range, 15..15);
    assert_eq!(err("file.size == 1").range, 5..9);
    assert_eq!(err("env.A.B == 1").range, 5..6);
    assert_eq!(
        err("children(x).every(status == c)").message,
        "unexpected `every`, expected `all`, `any` or `count`"
    );
    let e = err("children(x).all(a.status == 'c')");
    assert_eq!(
        (e.range, e.message.as_str()),
        (16..24, "unknown field `a.status`")
    );
    assert_eq!(err("children(x).all(foo == 1)").range, 16..19);
    assert_eq!(err("children(x, y).all(status == c)").range, 10..11);
    let e = err("steps.bogus > 1");
    assert_eq!(
        (e.range, e.message.as_str()),
        (6..11, "unknown step status `bogus`")
    );
    assert_eq!(err("steps.complete > 1.5").range, 17..20);
    assert_eq!(err("steps.complete > 'x'").range, 17..20);
    assert_eq!(err("steps(x).count(status == c) >= -1").range, 31..33);
    let e = err("foo == 1");
    assert_eq!((e.range, e.message.as_str()), (0..3, "unknown field `foo`"));
    assert_eq!(err("a.b.c == 1").range, 2..5);
    assert_eq!(err("output == 1").message, "`output` needs a path");
    assert_eq!(err("a.output == 1").range, 2..8);
    assert_eq!(err("step == 1").range, 0..4);
    assert_eq!(err("x.status").range, 8..8);
    assert_eq!(
        err("x.status ==").message,
        "unexpected end of input, expected a value"
    );
    let e = err("x.status == 'abc");
    assert_eq!((e.range, e.message.as_str()), (12..16, "unclosed string"));
    let e = err("x.status == {{v}}");
    assert_eq!(e.range, 12..13);
    assert!(e.help.is_some());
    assert_eq!(err("x.status == 1 & 2").range, 14..15);
    assert_eq!(err("(x.status == 1)").range, 0..1);
    assert_eq!(err("x.status == 1)").range, 13..14);
    assert_eq!(err("é == 1").range, 0..2);
}

#[test]
fn huge_inputs_stay_linear() {
    assert_eq!(err(&"(".repeat(100_000)).range, 0..1);
    let long_path = format!("{}status == 1", "a.".repeat(50_000));
    assert_eq!(err(&long_path).range.start, 2);
    let long_value = format!("x.status == '{}'", "v".repeat(100_000));
    assert!(matches!(ok(&long_value), Condition::Field { .. }));
}

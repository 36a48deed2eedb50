#![no_main]
//! The small languages inside formula strings, each on the same input: conditions, step
//! conditions, ranges (parsed and evaluated), globs (parsed and matched), `waits_for`,
//! `{{var}}` references and `{name}` placeholders. Every error range must lie inside the text
//! on character boundaries; every reference range must cover text of the input.
//!
//! The input is split at its first NUL: the expression before it, and after it a second
//! string (the id a glob is matched against, the value variables evaluate to).

use gtc::expr::{
    ExprError, condition, glob, placeholder, range, step_condition, template, waits_for,
};
use libfuzzer_sys::fuzz_target;
use std::ops::Range;

fn check_range(text: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what} range {r:?} outside {text:?}"
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} range {r:?} not on character boundaries of {text:?}"
    );
}

fn check_err(text: &str, e: &ExprError) {
    check_range(text, &e.range, &e.message);
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (text, other) = input.split_once('\0').unwrap_or((input, "x"));
    let number: f64 = other.trim().parse().unwrap_or(3.0);
    let vars_f = |_: &str| Some(number);
    let vars_s = |_: &str| Some(other.to_string());

    match condition::parse_condition(text) {
        Ok(c) => {
            for (_, r) in condition::step_refs(&c) {
                check_range(text, &r, "step ref");
            }
            for v in condition::var_refs_in(&c) {
                check_range(text, &v.range, "condition var ref");
            }
        }
        Err(e) => check_err(text, &e),
    }
    match step_condition::parse_step_condition(text) {
        Ok(c) => {
            let _ = step_condition::eval_step_condition(&c, &vars_s);
            let _ = step_condition::eval_step_condition(&c, &|_| None);
        }
        Err(e) => check_err(text, &e),
    }
    match range::parse_range(text) {
        Ok(r) => {
            for (_, vr) in range::vars_in(&r) {
                check_range(text, &vr, "range var");
            }
            for result in [
                range::eval_bounds(&r, &vars_f),
                range::eval_bounds(&r, &|_| None),
            ] {
                if let Err(e) = result {
                    check_err(text, &e);
                }
            }
            let _ = range::eval(&r.start, &vars_f);
            let _ = range::eval(&r.end, &vars_f);
        }
        Err(e) => check_err(text, &e),
    }
    match glob::parse_glob(text) {
        Ok(g) => {
            let _ = g.matches(other);
            let _ = g.matches(text);
            let _ = g.is_literal();
        }
        Err(e) => check_err(text, &e),
    }
    if let Err(e) = waits_for::parse_waits_for(text) {
        check_err(text, &e);
    }
    for r in template::var_refs(text)
        .into_iter()
        .chain(template::all_refs(text))
    {
        check_range(text, &r.range, "var ref");
    }
    let _ = template::substitute(text, &vars_s);
    for p in placeholder::placeholders(text) {
        check_range(text, &p.range, "placeholder");
    }
});

//! Variables: GTC011 undeclared-var, GTC012 unused-var, GTC013
//! required-with-default, GTC014 default-not-in-enum, GTC015 invalid-pattern,
//! GTC016 default-mismatches-pattern.

use super::fixes::{respell, respell_value};
use super::{CheckCx, runtime_condition_texts, used_var_names, var_texts, walk_all};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::expr::template::{VarRef, var_refs};
use crate::model::Text;
use crate::model::schema::closest;
use std::collections::BTreeSet;

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let declared: BTreeSet<&str> = cx
        .frame
        .vars
        .iter()
        .map(|v| v.name.value.as_str())
        .chain(cx.inherited.vars.iter().map(String::as_str))
        .collect();

    // Expansion templates are filled in with the *calling* formula's vars at pour
    // time, so their `{{vars}}` cannot be checked against their own declarations.
    if cx.frame.effective_kind() != "expansion" {
        let mut texts: Vec<&Text> = var_texts(f);
        walk_all(f, &mut |s, _| texts.extend(s.condition.iter()));
        texts.extend(runtime_condition_texts(f));
        // One declaration fix per name (computing it walks the tree).
        let mut declare: std::collections::BTreeMap<String, Option<Fix>> = Default::default();
        for t in texts {
            for r in var_refs(&t.value) {
                if declared.contains(r.name.as_str()) {
                    continue;
                }
                let close = closest(&r.name, declared.iter().copied());
                let help = close.map_or_else(
                    || format!("declare it: `[vars.{}]` with a `description`, and a `default` or `required = true`", r.name),
                    |c| format!("did you mean `{c}`?"),
                );
                let declaration = declare
                    .entry(r.name.clone())
                    .or_insert_with(|| cx.declare_var(&r.name))
                    .clone();
                if let super::partial::Part::Chunk { .. } = cx.part {
                    // Declaring edits the file's vars, outside the chunk: added later.
                    cx.declares.borrow_mut().push((out.len(), r.name.clone()));
                }
                out.push(
                    Diagnostic::new(
                        Code::UndeclaredVar,
                        t.sub_span(r.range.clone()),
                        format!("`{{{{{}}}}}` is not a declared var", r.name),
                    )
                    .with_help(help)
                    .with_fix_opt(
                        close
                            .zip(name_range(&t.value, &r))
                            .and_then(|(c, range)| respell(t, range, c)),
                    )
                    .with_fix_opt(declaration),
                );
            }
        }
    }

    let mut used = used_var_names(f);
    used.extend(cx.inherited.used_vars.iter().cloned());
    if let super::partial::Part::Frame { used_by_steps } = cx.part {
        used.extend(used_by_steps.iter().cloned());
    }
    for v in &f.vars {
        let name = &v.name.value;
        if !used.contains(name) && crate::model::is_var_name(name) {
            out.push(
                Diagnostic::new(
                    Code::UnusedVar,
                    v.name.span,
                    format!("var `{name}` is declared but never used"),
                )
                .with_help(format!(
                    "reference it as `{{{{{name}}}}}`, or remove the declaration"
                ))
                .with_fix_opt(cx.remove_var(name)),
            );
        }
        if let (Some(req), Some(default)) = (&v.required, &v.default)
            && req.value
        {
            out.push(
                Diagnostic::new(
                    Code::RequiredWithDefault,
                    v.name.span,
                    format!("var `{name}` is required and also has a default"),
                )
                .with_label(req.span, "required here")
                .with_label(default.span, "default here")
                .with_help(
                    "a default makes the var optional: remove `required = true` or the `default`",
                ),
            );
        }
        if let Some(default) = &v.default
            && !v.allowed.is_empty()
            && !default.value.is_empty()
            && !v.allowed.iter().any(|a| a.value == default.value)
        {
            let list: Vec<&str> = v.allowed.iter().map(|a| a.as_str()).collect();
            let close = closest(&default.value, list.iter().copied());
            out.push(
                Diagnostic::new(
                    Code::DefaultNotInEnum,
                    default.span,
                    format!(
                        "default `{}` of var `{name}` is not in its enum",
                        default.value
                    ),
                )
                .with_help(close.map_or_else(
                    || format!("allowed values: {}", list.join(", ")),
                    |c| format!("did you mean `{c}`?"),
                ))
                .with_fix_opt(close.and_then(|c| respell_value(default, c))),
            );
        }
        if let Some(pattern) = &v.pattern {
            match regex::Regex::new(&pattern.value) {
                Err(e) => out.push(
                    Diagnostic::new(
                        Code::InvalidPattern,
                        pattern.span,
                        format!("pattern of var `{name}` is not a valid regular expression"),
                    )
                    .with_help(first_line(&e.to_string())),
                ),
                Ok(re) => {
                    if let Some(default) = &v.default
                        && !default.value.is_empty()
                        && !re.is_match(&default.value)
                    {
                        out.push(
                                Diagnostic::new(
                                    Code::DefaultMismatchesPattern,
                                    default.span,
                                    format!("default `{}` of var `{name}` does not match its pattern `{}`", default.value, pattern.value),
                                )
                                .with_label(pattern.span, "pattern here")
                                .with_help("change the default or the pattern; runtime values are checked against the pattern"),
                            );
                    }
                }
            }
        }
    }
}

/// Where the name of `{{name}}` sits in `value`.
fn name_range(value: &str, r: &VarRef) -> Option<std::ops::Range<usize>> {
    let at = value.get(r.range.clone())?.find(r.name.as_str())?;
    let start = r.range.start + at;
    Some(start..start + r.name.len())
}

fn first_line(s: &str) -> String {
    let lines: Vec<&str> = s
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines
        .last()
        .map_or_else(|| s.to_owned(), |l| l.trim().to_owned())
}

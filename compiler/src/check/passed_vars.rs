//! GTC038 unknown-expansion-var: a key of `expand_vars` (beside a step's `expand`), of a
//! `compose.expand` / `compose.map` rule's `vars` (beside `with`) or of `on_complete.vars`
//! (beside `bond`) that the formula it is passed to neither declares nor uses, its ancestors included: the value reaches nothing.
//! Silent when the formula's vars cannot all be known (an unknown name, a syntax error in
//! it, an unknown parent).

use super::{CheckCx, walk_all};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{Spanned, Text, is_var_name, key_chars, schema::closest};

/// A table of vars passed to the formula `with`: `(with, keys and values, where)`.
type Passed<'f> = (&'f Text, &'f [(Spanned<String>, Text)], &'static str);

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let mut tables: Vec<Passed<'_>> = Vec::new();
    walk_all(f, &mut |s, _| {
        if let Some(e) = &s.expand {
            tables.push((e, &s.expand_vars, "expand_vars"));
        }
        if let Some(o) = &s.on_complete
            && let Some(b) = &o.bond
        {
            tables.push((b, &o.vars, "on_complete.vars"));
        }
    });
    if let Some(c) = &f.compose {
        for (rules, what) in [(&c.expand, "compose.expand"), (&c.map, "compose.map")] {
            for r in rules {
                if let Some(w) = &r.with {
                    tables.push((w, &r.vars, what));
                }
            }
        }
    }
    for (with, vars, what) in tables {
        if with.value.contains("{{") {
            continue; // filled in at pour time
        }
        let Some(known) = (cx.lookup.info)(&with.value).and_then(|i| i.vars) else {
            continue;
        };
        for (key, _) in vars.iter().filter(|(k, _)| !known.contains(&k.value)) {
            // Names only (a template's `{target.title}` counts as used, but is no var).
            let names = || known.iter().map(String::as_str).filter(|v| is_var_name(v));
            let hint = closest(&key.value, names());
            let listed: Vec<String> = names().map(|v| format!("`{v}`")).collect();
            let vars_of = if listed.is_empty() {
                format!("`{}` fills in no vars", with.value)
            } else {
                format!("the names `{}` fills in: {}", with.value, listed.join(", "))
            };
            let help = match hint {
                Some(h) => format!("did you mean `{h}`? {vars_of}"),
                None => vars_of,
            };
            // Respelling is a fix unless the table already passes that var.
            let fix = hint
                .filter(|h| !vars.iter().any(|(k, _)| k.value == *h))
                .zip(key_chars(key.span, &key.value))
                .map(|(h, span)| Fix {
                    message: format!("rename `{}` to `{h}`", key.value),
                    edits: vec![(span, h.to_owned())],
                });
            out.push(
                Diagnostic::new(
                    Code::UnknownExpansionVar,
                    key.span,
                    format!(
                        "`{}` is not a var of `{}`: passed in {what}, it reaches nothing",
                        key.value, with.value
                    ),
                )
                .with_help(help)
                .with_fix_opt(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Code, Diagnostic};
    use crate::driver::check_sources;

    const EXP: &str = "formula = \"exp-x\"\ntype = \"expansion\"\nextends = [\"base\"]\n[vars.name]\n[[template]]\nid = \"{target}.a\"\ntitle = \"{{name}} {{used}}\"\n";
    const BASE: &str = "formula = \"base\"\n[vars.env]\n";

    /// The GTC038 diagnostics of `/w/a.formula.toml` holding `a`, beside the expansion.
    fn passed(a: &str, exp: &str) -> Vec<Diagnostic> {
        let report = check_sources(&[
            ("/w/base.formula.toml", BASE),
            ("/w/exp-x.formula.toml", exp),
            ("/w/a.formula.toml", a),
        ]);
        report
            .diagnostics()
            .filter(|d| d.path.ends_with("a.formula.toml"))
            .map(|d| d.diagnostic.clone())
            .filter(|d| d.code == Code::UnknownExpansionVar)
            .collect()
    }

    fn step(vars: &str) -> String {
        format!(
            "formula = \"a\"\n[[steps]]\nid = \"s\"\ntitle = \"S\"\nexpand = \"exp-x\"\nexpand_vars = {{ {vars} }}\n"
        )
    }

    #[test]
    fn a_misspelt_key_with_its_fix() {
        let a = step("nme = \"v\"");
        let found = passed(&a, EXP);
        assert_eq!(found.len(), 1, "{found:?}");
        let d = &found[0];
        assert_eq!(
            d.message,
            "`nme` is not a var of `exp-x`: passed in expand_vars, it reaches nothing"
        );
        assert_eq!(a.get(d.span.range()), Some("nme"));
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `name`? the names `exp-x` fills in: `env`, `name`, `used`")
        );
        let fix = d
            .fixes
            .first()
            .map(|f| (f.message.as_str(), f.edits.clone()));
        assert_eq!(
            fix,
            Some((
                "rename `nme` to `name`",
                vec![(d.span, String::from("name"))]
            ))
        );
    }

    #[test]
    fn declared_used_and_inherited_vars_are_known() {
        assert_eq!(
            passed(&step("name = \"a\", used = \"b\", env = \"c\""), EXP),
            []
        );
    }

    #[test]
    fn compose_rules_and_a_quoted_key() {
        let a = "formula = \"a\"\n[[steps]]\nid = \"s\"\ntitle = \"S\"\n[[compose.map]]\nselect = \"s\"\nwith = \"exp-x\"\nvars = { \"zzz\" = \"v\", name = \"w\" }\n";
        let found = passed(a, EXP);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`zzz` is not a var of `exp-x`: passed in compose.map, it reaches nothing"
        );
        assert_eq!(
            found[0].help.as_deref(),
            Some("the names `exp-x` fills in: `env`, `name`, `used`")
        );
        assert!(found[0].fixes.is_empty());
    }

    /// `on_complete.vars` are the vars of the formula bonded for each item.
    #[test]
    fn on_complete_vars_reach_the_bonded_formula() {
        let a = "formula = \"a\"\n[[steps]]\nid = \"s\"\ntitle = \"S\"\n[steps.on_complete]\nfor_each = \"output.items\"\nbond = \"exp-x\"\nvars = { name = \"{item.name}\", nmae = \"{index}\" }\n";
        let found = passed(a, EXP);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`nmae` is not a var of `exp-x`: passed in on_complete.vars, it reaches nothing"
        );
        assert_eq!(found[0].fixes.len(), 0, "`name` is passed already");
    }

    /// `{target}` and `{target.*}` are filled in by the expansion itself, before the
    /// passed vars: a `target` key reaches nothing (unless the formula declares a var
    /// of that name).
    #[test]
    fn target_is_not_passable() {
        let found = passed(&step("target = \"v\""), EXP);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`target` is not a var of `exp-x`: passed in expand_vars, it reaches nothing"
        );
        let declared = EXP.replace("[vars.name]", "[vars.name]\n[vars.target]");
        assert_eq!(passed(&step("target = \"v\""), &declared), []);
    }

    #[test]
    fn an_expansion_filling_in_nothing() {
        let bare =
            "formula = \"exp-x\"\ntype = \"expansion\"\n[[template]]\nid = \"a\"\ntitle = \"A\"\n";
        let found = passed(&step("who = \"v\""), bare);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].help.as_deref(), Some("`exp-x` fills in no vars"));
        assert!(found[0].fixes.is_empty());
    }

    /// No respelling into a name the table passes already (the table would set it twice).
    #[test]
    fn no_fix_onto_a_name_already_passed() {
        let found = passed(&step("nme = \"v\", name = \"w\""), EXP);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fixes.is_empty(), "{:?}", found[0].fixes);
    }

    /// Nothing when the expansion's vars cannot all be known.
    #[test]
    fn silent_when_the_vars_are_unknown() {
        let a = step("nope = \"v\"");
        assert_eq!(passed(&a, &EXP.replace("[vars.name]", "[vars.name")), []);
        assert_eq!(passed(&a, &EXP.replace("\"base\"", "\"gone\"")), []);
        assert_eq!(passed(&a.replace("exp-x", "exp-y"), EXP), []);
        assert_eq!(passed(&a.replace("exp-x", "{{which}}"), EXP), []);
    }
}

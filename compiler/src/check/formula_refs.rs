//! GTC008 unknown-formula and GTC025 wrong-formula-kind: names of other formulas
//! in `compose.expand/map.with`, `compose.aspects`, step `expand` and
//! `on_complete.bond`. (`extends` is resolved in `resolve::extends`.)

use super::fixes::respell_value;
use super::{CheckCx, walk_all};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Text;

#[derive(Clone, Copy)]
enum Need {
    Expansion,
    Aspect,
    Any,
}

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    let f = cx.formula;
    let mut refs: Vec<(&Text, &str, Need)> = Vec::new();
    walk_all(f, &mut |s, _| {
        if let Some(e) = &s.expand {
            refs.push((e, "step `expand`", Need::Expansion));
        }
        if let Some(b) = s.on_complete.as_ref().and_then(|o| o.bond.as_ref()) {
            refs.push((b, "`on_complete.bond`", Need::Any));
        }
    });
    if let Some(c) = &f.compose {
        for r in &c.expand {
            refs.extend(
                r.with
                    .iter()
                    .map(|w| (w, "`compose.expand.with`", Need::Expansion)),
            );
        }
        for r in &c.map {
            refs.extend(
                r.with
                    .iter()
                    .map(|w| (w, "`compose.map.with`", Need::Expansion)),
            );
        }
        refs.extend(
            c.aspects
                .iter()
                .map(|a| (a, "`compose.aspects`", Need::Aspect)),
        );
    }
    for (name, what, need) in refs {
        if name.value.contains("{{") {
            continue; // filled in at pour time
        }
        match (cx.lookup.info)(&name.value) {
            None => {
                let hint = (cx.lookup.closest)(&name.value);
                let help = match &hint {
                    Some(h) => format!(
                        "did you mean `{h}`? {}",
                        crate::resolve::WHERE_NAMES_RESOLVE
                    ),
                    None => String::from(crate::resolve::WHERE_NAMES_RESOLVE),
                };
                out.push(
                    Diagnostic::new(
                        Code::UnknownFormula,
                        name.span,
                        format!("{what} names unknown formula `{}`", name.value),
                    )
                    .with_help(help)
                    .with_fix_opt(hint.and_then(|h| respell_value(name, &h))),
                );
            }
            Some(info) => {
                let d = match need {
                    Need::Expansion if info.kind != "expansion" || !info.has_template => Diagnostic::new(
                        Code::WrongFormulaKind,
                        name.span,
                        format!("{what} needs an expansion formula, but `{}` is {} formula{}", name.value, article(&info.kind),
                            if info.kind == "expansion" { " without `template` steps" } else { "" }),
                    )
                    .with_help("expansions inline a formula of `type = \"expansion\"` with `[[template]]` steps"),
                    Need::Aspect if info.kind != "aspect" => Diagnostic::new(
                        Code::WrongFormulaKind,
                        name.span,
                        format!("{what} needs an aspect formula, but `{}` is {} formula", name.value, article(&info.kind)),
                    )
                    .with_help("aspects apply the `advice` of a formula of `type = \"aspect\"`"),
                    _ => continue,
                };
                out.push(match (cx.lookup.kind_at)(&name.value) {
                    Some((file, span)) => d.with_label_in(
                        file,
                        span,
                        format!("`{}` is {} formula", name.value, article(&info.kind)),
                    ),
                    None => d,
                });
            }
        }
    }
}

/// `an expansion`, `a workflow`.
fn article(kind: &str) -> String {
    let an = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if an { "an" } else { "a" })
}

//! GTC008 unknown-formula and GTC025 wrong-formula-kind: names of other formulas
//! in `compose.expand/map.with`, `compose.aspects`, step `expand` and
//! `on_complete.bond`. (`extends` is resolved in `resolve::extends`.)

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
        match (cx.lookup)(&name.value) {
            None => out.push(
                Diagnostic::new(Code::UnknownFormula, name.span, format!("{what} names unknown formula `{}`", name.value))
                    .with_help(crate::resolve::WHERE_NAMES_RESOLVE),
            ),
            Some(info) => match need {
                Need::Expansion if info.kind != "expansion" || !info.has_template => out.push(
                    Diagnostic::new(
                        Code::WrongFormulaKind,
                        name.span,
                        format!("{what} needs an expansion formula, but `{}` is {} formula{}", name.value, article(&info.kind),
                            if info.kind == "expansion" { " without `template` steps" } else { "" }),
                    )
                    .with_help("expansions inline a formula of `type = \"expansion\"` with `[[template]]` steps"),
                ),
                Need::Aspect if info.kind != "aspect" => out.push(
                    Diagnostic::new(
                        Code::WrongFormulaKind,
                        name.span,
                        format!("{what} needs an aspect formula, but `{}` is {} formula", name.value, article(&info.kind)),
                    )
                    .with_help("aspects apply the `advice` of a formula of `type = \"aspect\"`"),
                ),
                _ => {}
            },
        }
    }
}

/// `an expansion`, `a workflow`.
fn article(kind: &str) -> String {
    let an = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if an { "an" } else { "a" })
}

//! GTC023 invalid-gate: the gate `type` should be one the runtimes know (a warning,
//! since Gas Town formulas use their own types), and `timeout` must be a duration.

use super::fixes::respell_value;
use super::{CheckCx, suggest, walk_all};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::expr::duration::parse_duration;
use crate::model::schema::{GATE_TYPES, closest};

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    walk_all(cx.formula, &mut |s, _| {
        let Some(g) = &s.gate else { return };
        match &g.ty {
            None => out.push(
                Diagnostic::new(
                    Code::MissingField,
                    g.span,
                    format!("gate of step `{}` has no `type`", s.id_str()),
                )
                .with_help("set `type` to one of: human, timer, gh:run, gh:pr, mail, bead"),
            ),
            Some(t) if !GATE_TYPES.contains(t.as_str()) && !t.value.contains("{{") => out.push(
                Diagnostic::new(
                    Code::InvalidGate,
                    t.span,
                    format!("unknown gate type `{}`", t.value),
                )
                .with_help(suggest(&t.value, GATE_TYPES.names()).unwrap_or_else(|| {
                    String::from("known types: human, timer, gh:run, gh:pr, mail, bead")
                }))
                .with_fix_opt(
                    closest(&t.value, GATE_TYPES.names()).and_then(|c| respell_value(t, c)),
                ),
            ),
            _ => {}
        }
        if let Some(t) = &g.timeout
            && !t.value.contains("{{")
            && parse_duration(&t.value).is_none()
        {
            out.push(
                Diagnostic::new(
                    Code::InvalidGate,
                    t.span,
                    format!("gate timeout `{}` is not a duration", t.value),
                )
                .with_severity(Severity::Error)
                .with_help(
                    "write a duration such as `30m`, `24h` or `1h30m` (units: ns, us, ms, s, m, h)",
                ),
            );
        }
    });
}

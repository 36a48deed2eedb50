//! GTC023 invalid-gate: the gate `type` should be one the runtimes know (a warning,
//! since Gas Town formulas use their own types), and `timeout` must be a duration.

use super::{CheckCx, suggest, walk_all};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::schema::GATE_TYPES;

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
            Some(t) if !GATE_TYPES.contains(&t.as_str()) && !t.value.contains("{{") => out.push(
                Diagnostic::new(
                    Code::InvalidGate,
                    t.span,
                    format!("unknown gate type `{}`", t.value),
                )
                .with_help(
                    suggest(&t.value, GATE_TYPES.iter().copied()).unwrap_or_else(|| {
                        String::from("known types: human, timer, gh:run, gh:pr, mail, bead")
                    }),
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

/// Parse a Go-style duration (`1h30m`, `90s`, `1.5h`) into nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Option<i128> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    if !total.is_finite() || total > 9.3e18 {
        return None;
    }
    Some(if neg { -(total as i128) } else { total as i128 })
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Some(1_800_000_000_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000_000_000));
        assert_eq!(parse_duration("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("5d"), None);
    }
}

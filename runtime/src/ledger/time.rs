//! Timestamps: RFC 3339, UTC, always with nine fractional digits so that they sort as text.

use jiff::Timestamp;

/// Now, as `2026-01-02T03:04:05.123456789Z`.
pub fn now() -> String {
    format_ts(Timestamp::now())
}

/// Now, in nanoseconds since the epoch.
pub fn now_nanos() -> i128 {
    Timestamp::now().as_nanosecond()
}

/// `ts` in the ledger's format.
pub fn format_ts(ts: Timestamp) -> String {
    format!(
        "{}.{:09}Z",
        ts.strftime("%Y-%m-%dT%H:%M:%S"),
        ts.subsec_nanosecond()
    )
}

/// Nanoseconds since the epoch of a timestamp as written in a record (any RFC 3339
/// form); `None` when it does not parse. Used to order and compare, never to rewrite.
pub fn nanos(text: &str) -> Option<i128> {
    text.parse::<Timestamp>().ok().map(|t| t.as_nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_and_parseable() {
        let a = now();
        assert_eq!(a.len(), 30, "{a}");
        assert!(nanos(&a).is_some());
        assert_eq!(
            nanos("2026-01-02T03:04:05Z"),
            Some(1_767_323_045_000_000_000)
        );
        assert!(nanos("yesterday").is_none());
    }
}

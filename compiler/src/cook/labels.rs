//! Labels that control flow attaches for the runtime (`loop:{...}`, `gate:{...}`),
//! encoded as the reference does: JSON with sorted keys and HTML-escaped `<`, `>`, `&`.

use serde::Serialize;

/// Compact JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped like Go's encoder.
///
/// The values encoded here are maps with string keys, strings and numbers, which
/// `serde_json` always encodes; a failure would be a bug, so it panics (the driver
/// turns a panic into exit 2 naming the file) rather than writing an empty label.
pub fn go_json<T: Serialize>(value: &T) -> String {
    let raw = serde_json::to_string(value)
        .expect("a control-flow label (string keys, strings and numbers) encodes as JSON");
    raw.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::go_json;
    use std::collections::BTreeMap;

    #[test]
    fn escapes_like_go() {
        let mut m = BTreeMap::new();
        m.insert("until", "a.output.n < 3 && b > 1");
        assert_eq!(
            go_json(&m),
            r#"{"until":"a.output.n \u003c 3 \u0026\u0026 b \u003e 1"}"#
        );
    }
}

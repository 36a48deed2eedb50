//! JSON kept as it was written, and JSON written as beads (Go) writes it.
//!
//! [`RawJson`] is one value's text, verbatim: number spelling, key order, escapes.
//! [`RawFields`] is the members of an object in their order, each value a [`RawJson`]:
//! the fields of a record that this version does not know. [`go_json`] writes compact
//! JSON with Go's `encoding/json` escaping (`<` `>` `&` U+2028 U+2029 as `\uXXXX`), so
//! the lines gt writes are byte-compatible with bd's.

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::io;

/// One JSON value exactly as written.
#[derive(Clone, Debug)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// `value` written by [`go_json`].
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<RawJson> {
        RawValue::from_string(go_json(value)?).map(RawJson)
    }

    /// Parse `text` (it must be one JSON value); kept as it is.
    pub fn parse(text: &str) -> serde_json::Result<RawJson> {
        RawValue::from_string(text.to_owned()).map(RawJson)
    }

    /// The text, verbatim.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Decode the value.
    pub fn decode<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.0.get())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.get() == other.get()
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawJson, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawJson)
    }
}

/// The members of a JSON object, in their order, values verbatim.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawFields(Vec<(String, RawJson)>);

impl RawFields {
    /// Parse a JSON object's members (a repeated key is an error).
    pub fn parse(text: &str) -> serde_json::Result<RawFields> {
        serde_json::from_str(text)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&RawJson> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Remove `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<RawJson> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    /// Set `key` (in place when present, else at the end).
    pub fn insert(&mut self, key: &str, value: RawJson) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    /// The members whose key is not in `known`, in order.
    pub fn unknown(self, known: &[&str]) -> RawFields {
        RawFields(
            self.0
                .into_iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .collect(),
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawJson)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Serialize for RawFields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for RawFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawFields, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields, A::Error> {
                let mut out: Vec<(String, RawJson)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, RawJson>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!("duplicate key `{k}`")));
                    }
                    out.push((k, v));
                }
                Ok(RawFields(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Compact JSON with Go's escaping (see the module docs).
pub fn go_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    write_go_json(&mut out, value)?;
    // The serializer writes UTF-8 only; a failure here is a serializer bug, reported.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// [`go_json`] into a writer.
pub fn write_go_json<W: io::Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, GoFormatter);
    value.serialize(&mut ser)
}

/// serde_json's compact output, plus the escapes Go adds for HTML safety.
struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let esc = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            w.write_all(&fragment.as_bytes()[start..i])?;
            w.write_all(esc.as_bytes())?;
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escaping_matches_bd() {
        let v = serde_json::json!({"t": "a < b && c > d \u{2028}\u{2029} é \n"});
        assert_eq!(
            go_json(&v).ok().as_deref(),
            Some(r#"{"t":"a \u003c b \u0026\u0026 c \u003e d \u2028\u2029 é \n"}"#)
        );
    }

    #[test]
    fn raw_fields_keep_order_spelling_and_refuse_repeats() {
        let text = r#"{"z":1.50,"a":{"y":1e3,"b":"\u00e9"},"m":-0.0}"#;
        let f = RawFields::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let keys: Vec<&str> = f.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(go_json(&f).ok().as_deref(), Some(text));
        assert!(RawFields::parse(r#"{"a":1,"a":2}"#).is_err());
        assert!(RawFields::parse("[1]").is_err());
    }
}

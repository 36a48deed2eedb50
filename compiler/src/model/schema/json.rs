//! The key schema as a JSON Schema (draft-07), for editors without `gtc-lsp`: taplo (Even
//! Better TOML), yaml-language-server and VS Code's JSON support complete and document
//! keys from it. `gtc schema` prints it; `editors/schema/formula.schema.json` is a copy
//! that a test keeps equal to it.
//!
//! It describes what the engines read and no more: unknown keys are allowed (gtc reports
//! them as warnings, GTC002), since the engines ignore them; key case is not expressible
//! in a JSON Schema, so only the canonical spelling is described.

use super::{ROOT, Table, Type, all_tables};
use serde_json::{Map, Value, json};

/// Where the committed copy is published (the schema's `$id`).
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/gastownhall/gtc/main/editors/schema/formula.schema.json";

/// The JSON Schema of a formula file, as pretty-printed JSON ending with a newline.
/// Deterministic: the same bytes on every run.
pub fn json_schema() -> String {
    let mut definitions = Map::new();
    for t in all_tables().into_iter().skip(1) {
        definitions.insert(t.name.to_owned(), table(t));
    }
    let mut root = table(&ROOT);
    if let Value::Object(o) = &mut root {
        o.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        o.insert("$id".into(), json!(SCHEMA_ID));
        o.insert("title".into(), json!("gtc formula"));
        o.insert("definitions".into(), Value::Object(definitions));
    }
    let mut out = serde_json::to_string_pretty(&root).unwrap_or_default();
    out.push('\n');
    out
}

fn table(t: &Table) -> Value {
    let mut properties = Map::new();
    for k in t.keys {
        let mut v = value(k.ty);
        if let Value::Object(o) = &mut v {
            o.insert("description".into(), json!(k.doc));
        }
        properties.insert(k.name.to_owned(), v);
    }
    json!({
        "type": "object",
        "description": t.doc,
        "properties": properties,
    })
}

fn reference(t: &Table) -> Value {
    json!({ "$ref": format!("#/definitions/{}", t.name) })
}

/// The schema of a value of type `ty`. A `$ref` is wrapped in `allOf`, since draft-07
/// ignores the keywords beside a `$ref` (the key's description among them).
fn value(ty: Type) -> Value {
    match ty {
        Type::String => json!({ "type": "string" }),
        Type::Choice(c) => {
            let values: Vec<&str> = c.names().collect();
            let docs: Vec<&str> = c.values.iter().map(|v| v.doc).collect();
            if c.closed {
                json!({ "type": "string", "enum": values, "enumDescriptions": docs })
            } else {
                json!({
                    "type": "string",
                    "anyOf": [{ "enum": values, "enumDescriptions": docs }, { "type": "string" }],
                })
            }
        }
        Type::Int => json!({ "type": "integer" }),
        Type::Bool => json!({ "type": "boolean" }),
        Type::Strings => json!({ "type": "array", "items": { "type": "string" } }),
        Type::StringMap => {
            json!({ "type": "object", "additionalProperties": { "type": "string" } })
        }
        Type::Table(t) => json!({ "allOf": [reference(t)] }),
        Type::Tables(t) => json!({ "type": "array", "items": reference(t) }),
        Type::MapOf(t) => json!({ "type": "object", "additionalProperties": reference(t) }),
        Type::Vars(t) => json!({
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
            "additionalProperties": {
                "anyOf": [{ "type": "string", "description": "The default value" }, reference(t)],
            },
        }),
        Type::Json | Type::AnyTable => json!({ "type": "object" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../editors/schema/formula.schema.json")
    }

    /// `editors/schema/formula.schema.json` is what `gtc schema` prints. Regenerate it with
    /// `UPDATE_SCHEMA=1 cargo test -p gtc committed_json_schema`.
    #[test]
    fn committed_json_schema_is_the_generated_one() {
        let generated = json_schema();
        let path = committed_path();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} differs from `gtc schema`; regenerate it with \
             `UPDATE_SCHEMA=1 cargo test -p gtc committed_json_schema`",
            path.display()
        );
    }

    #[test]
    fn deterministic_and_complete() {
        assert_eq!(json_schema(), json_schema());
        let v: Value = serde_json::from_str(&json_schema()).unwrap_or_default();
        let defs = v["definitions"].as_object().map_or(0, Map::len);
        assert_eq!(defs, all_tables().len() - 1);
        assert_eq!(
            v["properties"]["steps"]["items"]["$ref"],
            "#/definitions/step"
        );
        assert_eq!(
            v["definitions"]["step"]["properties"]["needs"]["description"],
            "Steps that must be done before this one (the same as `depends_on`)"
        );
        assert_eq!(v["properties"]["type"]["enum"][1], "expansion");
        assert_eq!(
            v["definitions"]["gate"]["properties"]["type"]["anyOf"][0]["enum"][0],
            "human"
        );
        // Every `$ref` names a definition.
        let text = json_schema();
        for part in text.split("\"#/definitions/").skip(1) {
            let name = part.split('"').next().unwrap_or("");
            assert!(v["definitions"].get(name).is_some(), "dangling $ref {name}");
        }
    }
}

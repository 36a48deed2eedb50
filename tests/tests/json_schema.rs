//! The committed JSON Schema (`editors/schema/formula.schema.json`, what `gtc schema`
//! prints) accepts every formula of the corpus, so editors that validate with it (taplo,
//! yaml-language-server, VS Code) flag nothing in a correct formula, and it rejects values
//! of the wrong type. A small validator of the keywords the schema uses stands in for an
//! editor's.

use gtc::syntax::{Format, emit::emit, parse};
use gtc_e2e::{PROJECTS, corpus_dir, project_sources};
use serde_json::Value;

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../editors/schema/formula.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The formula as JSON data, whatever its format.
fn data(text: &str, format: Format) -> Value {
    let tree = parse(text, format);
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    let json = emit(&tree.root, Format::Json).unwrap_or_default();
    serde_json::from_str(&json).unwrap_or(Value::Null)
}

/// Every place where `value` breaks `schema`, as JSON pointers with the keyword.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        validate(root, &root["definitions"][name], value, at, out);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(root, s, value, at, out);
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|s| {
            let mut errs = Vec::new();
            validate(root, s, value, at, &mut errs);
            errs.is_empty()
        });
        if !fits {
            out.push(format!("{at}: anyOf"));
        }
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
            "boolean" => value.is_boolean(),
            _ => false,
        };
        if !ok {
            out.push(format!("{at}: type {t}"));
            return;
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        out.push(format!("{at}: enum"));
    }
    if let Some(items) = schema.get("items")
        && let Some(list) = value.as_array()
    {
        for (i, v) in list.iter().enumerate() {
            validate(root, items, v, &format!("{at}/{i}"), out);
        }
    }
    if let Some(object) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in object {
            let here = format!("{at}/{k}");
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, v, &here, out),
                None => {
                    if let Some(extra) = schema.get("additionalProperties") {
                        validate(root, extra, v, &here, out);
                    }
                }
            }
            if let Some(p) = schema["propertyNames"]["pattern"].as_str() {
                let re = regex::Regex::new(p).unwrap_or_else(|e| panic!("{e}"));
                if !re.is_match(k) {
                    out.push(format!("{here}: propertyNames"));
                }
            }
        }
    }
}

fn errors(text: &str, format: Format) -> Vec<String> {
    let schema = schema();
    let mut out = Vec::new();
    validate(&schema, &schema, &data(text, format), "", &mut out);
    out
}

#[test]
fn the_schema_accepts_every_corpus_formula() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    let mut checked = 0;
    for project in PROJECTS {
        for (path, text) in project_sources(&corpus, project) {
            let format = Format::from_path(std::path::Path::new(&path)).unwrap_or(Format::Toml);
            assert_eq!(errors(&text, format), Vec::<String>::new(), "{path}");
            checked += 1;
        }
    }
    assert_eq!(checked, 54);
}

#[test]
fn the_schema_rejects_values_of_the_wrong_type() {
    let bad = "formula = \"x\"\ntype = \"workflw\"\n[vars.who]\nrequired = \"yes\"\n[vars.\"not a name\"]\n[[steps]]\nid = \"a\"\ntitle = \"A\"\npriority = \"high\"\nneeds = \"b\"\n[steps.gate]\ntype = \"my-own-gate\"\ntimeout = 30\n";
    assert_eq!(
        errors(bad, Format::Toml),
        [
            "/steps/0/gate/timeout: type string",
            "/steps/0/needs: type array",
            "/steps/0/priority: type integer",
            "/type: enum",
            "/vars/not a name: propertyNames",
            "/vars/who: anyOf",
        ]
    );
    let yaml = "formula: y\nsteps:\n  - id: a\n    title: A\n    children: {id: b}\n";
    assert_eq!(
        errors(yaml, Format::Yaml),
        ["/steps/0/children: type array"]
    );
    assert!(errors("{\"formula\": \"j\", \"unknown\": 1}", Format::Json).is_empty());
}

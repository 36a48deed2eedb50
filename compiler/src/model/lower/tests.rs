//! The lowering agrees with the schema: every key of every table, given a value of its
//! declared type, is read without a diagnostic about keys or types; given a value of
//! another type, it is reported as GTC003 with the type the schema declares.

use super::lower_with;
use crate::diagnostic::Code;
use crate::model::schema::{ROOT, Table, Type};
use crate::syntax::{Format, parse};
use serde_json::{Map, Value, json};

/// A value of another type than `ty`.
fn wrong(ty: Type) -> Value {
    match ty {
        Type::Int | Type::Bool => json!("x"),
        _ => json!(1),
    }
}

/// A document that sets every key of every table; the key `bad` (table, key) gets a
/// value of the wrong type. Each table is filled once (the first time it is reached);
/// later occurrences are empty, so recursive tables (children) end.
fn sample(bad: Option<(&str, &str)>) -> String {
    let mut filled: Vec<&str> = Vec::new();
    let root = table(&ROOT, bad, &mut filled);
    serde_json::to_string_pretty(&root).unwrap_or_default()
}

fn table(t: &'static Table, bad: Option<(&str, &str)>, filled: &mut Vec<&'static str>) -> Value {
    if filled.contains(&t.name) {
        return json!({});
    }
    filled.push(t.name);
    let mut out = Map::new();
    for k in t.keys {
        let v = if bad == Some((t.name, k.name)) {
            wrong(k.ty)
        } else {
            value(k.ty, bad, filled)
        };
        out.insert(k.name.to_owned(), v);
    }
    Value::Object(out)
}

fn value(ty: Type, bad: Option<(&str, &str)>, filled: &mut Vec<&'static str>) -> Value {
    match ty {
        Type::String => json!("x"),
        Type::Choice(c) => json!(c.values.first().map_or("x", |v| v.value)),
        Type::Int => json!(1),
        Type::Bool => json!(true),
        Type::Strings => json!(["x"]),
        Type::StringMap => json!({"k": "v"}),
        Type::Table(t) => table(t, bad, filled),
        Type::Tables(t) => json!([table(t, bad, filled)]),
        Type::MapOf(t) => json!({"name": table(t, bad, filled)}),
        Type::Vars(t) => json!({"name": table(t, bad, filled), "short": "default"}),
        Type::Json => json!({"k": 1, "nested": {"list": [true, "s"]}}),
        Type::AnyTable => json!({}),
    }
}

#[test]
fn every_key_of_the_schema_is_read_as_its_declared_type() {
    let text = sample(None);
    let tree = parse(&text, Format::Json);
    assert!(tree.errors.is_empty(), "{:?}", tree.errors);
    let (f, cx) = lower_with(&tree.root, Format::Json);
    assert!(
        cx.unread.is_empty(),
        "keys the lowering does not read: {:?}",
        cx.unread
    );
    let about_keys: Vec<String> = cx
        .diags
        .iter()
        .filter(|d| matches!(d.code, Code::UnknownKey | Code::WrongType | Code::KeyCase))
        .map(|d| d.message.clone())
        .collect();
    assert!(about_keys.is_empty(), "{about_keys:?}");
    // The values reached the model.
    assert_eq!(f.steps.len(), 1);
    assert_eq!(f.vars.len(), 2);
    let step = &f.steps[0];
    assert!(step.gate.is_some() && step.loop_spec.is_some() && step.on_complete.is_some());
    assert!(step.metadata.is_some() && !step.expand_vars.is_empty() && step.priority.is_some());
    assert_eq!(step.extra_text.len(), 4, "acceptance, output, focus, agent");
    let c = f.compose.as_ref();
    assert_eq!(
        c.map_or(0, |c| c.expand.len()
            + c.map.len()
            + c.branch.len()
            + c.gate.len()),
        4
    );
    assert_eq!(
        f.advice.first().map_or(0, |a| a.steps.len()),
        4,
        "before, after, around x2"
    );
    assert!(f.synthesis.is_some() && f.inputs.len() == 1 && f.aspect_items.len() == 1);
}

#[test]
fn a_value_of_another_type_is_gtc003_naming_the_declared_type() {
    let mut checked = 0;
    for t in crate::model::schema::all_tables() {
        for k in t.keys {
            let text = sample(Some((t.name, k.name)));
            let tree = parse(&text, Format::Json);
            let (_, cx) = lower_with(&tree.root, Format::Json);
            let wrong: Vec<&str> = cx
                .diags
                .iter()
                .filter(|d| d.code == Code::WrongType)
                .map(|d| d.message.as_str())
                .collect();
            let found = if matches!(k.ty, Type::Int | Type::Bool) {
                "a string"
            } else {
                "an integer"
            };
            assert_eq!(
                wrong,
                [format!("expected {}, found {found}", k.ty.expected()).as_str()],
                "{}.{}",
                t.name,
                k.name
            );
            checked += 1;
        }
    }
    assert!(checked > 130, "{checked}");
}

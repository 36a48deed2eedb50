//! The key schema of a formula: every table kind, the keys it may hold, each key's type,
//! allowed values, what a string value means (a step reference, a formula name ...) and a
//! one-line doc. It is the one source of truth for the keys: lowering reads values by
//! their declared type (unknown keys GTC002, wrong types GTC003, case variants GTC035),
//! the language server completes and documents keys and values from it, and
//! [`json_schema`] turns it into the JSON Schema that `gtc schema` prints (committed as
//! `editors/schema/formula.schema.json`).
//!
//! The tables themselves are in `tables.rs`; the keys are the union of what the beads and
//! Gas Town engines read.

mod closest;
mod json;
mod tables;

pub use closest::{closest, closest_as_sorted};

pub use json::json_schema;
pub use tables::*;

/// One kind of table: its keys and how messages name it.
#[derive(Debug)]
pub struct Table {
    /// A short identifier (`step`, `gate_rule`), used for the JSON Schema's definitions.
    pub name: &'static str,
    /// How messages name the table ("a step").
    pub what: &'static str,
    /// One line saying what the table is.
    pub doc: &'static str,
    /// Whether the reference matches its keys exactly in TOML (its TOML var decoder
    /// does); elsewhere keys match without regard to ASCII case.
    pub exact_in_toml: bool,
    /// Its keys, in the order completion offers them.
    pub keys: &'static [Key],
}

/// One key of a table.
#[derive(Debug)]
pub struct Key {
    /// The canonical spelling.
    pub name: &'static str,
    /// The type of its value.
    pub ty: Type,
    /// What a string value (or each string of a list) means.
    pub role: Role,
    /// One line saying what it does.
    pub doc: &'static str,
}

/// The type of a key's value.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    /// A string.
    String,
    /// A string, usually one of a set of values.
    Choice(&'static Choices),
    /// An integer (a float without a fraction is accepted, as the engines' decoders do).
    Int,
    /// `true` or `false`.
    Bool,
    /// An array of strings.
    Strings,
    /// A table whose values are strings (names are free).
    StringMap,
    /// A table of the given kind.
    Table(&'static Table),
    /// An array of tables of the given kind.
    Tables(&'static Table),
    /// A table whose values are tables of the given kind, keyed by free names.
    MapOf(&'static Table),
    /// `vars`: names -> a string (the default) or a table of the given kind.
    Vars(&'static Table),
    /// A table of free-form data (any values JSON can hold).
    Json,
    /// A table whose contents are not read.
    AnyTable,
}

/// The values a [`Type::Choice`] key usually takes.
#[derive(Debug)]
pub struct Choices {
    /// The values, each with its doc.
    pub values: &'static [Choice],
    /// Whether other values are an error (checked by a rule); when open, other values are
    /// accepted (perhaps with a warning) because some engine reads its own.
    pub closed: bool,
}

/// One allowed value.
#[derive(Debug)]
pub struct Choice {
    /// The value.
    pub value: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// What a string value means where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Free text (may hold `{{vars}}`).
    Text,
    /// The formula's own name.
    FormulaName,
    /// A step id definition.
    StepId,
    /// A reference to a step id.
    StepRef,
    /// `waits_for`: a keyword or `children-of(step)`.
    WaitsFor,
    /// A reference to a formula by name.
    FormulaRef,
    /// A condition.
    Condition,
}

impl Table {
    /// The key spelled exactly `name`.
    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The keys' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.keys.iter().map(|k| k.name)
    }
}

impl Type {
    /// How messages name a value of this type ("a string", "an array of tables").
    pub fn expected(self) -> &'static str {
        match self {
            Type::String | Type::Choice(_) => "a string",
            Type::Int => "an integer",
            Type::Bool => "a boolean (`true` or `false`)",
            Type::Strings => "an array of strings",
            Type::Tables(_) => "an array of tables",
            Type::StringMap
            | Type::Table(_)
            | Type::MapOf(_)
            | Type::Vars(_)
            | Type::Json
            | Type::AnyTable => "a table",
        }
    }

    /// The kind of table a value of this type is, or holds (an array's items, a map's values).
    pub fn table(self) -> Option<&'static Table> {
        match self {
            Type::Table(t) | Type::Tables(t) | Type::MapOf(t) | Type::Vars(t) => Some(t),
            _ => None,
        }
    }

    /// The usual values of a [`Type::Choice`] key.
    pub fn choices(self) -> Option<&'static Choices> {
        match self {
            Type::Choice(c) => Some(c),
            _ => None,
        }
    }

    /// A short description for hovers ("string", "array of `step` tables").
    pub fn describe(self) -> String {
        match self {
            Type::String => String::from("string"),
            Type::Choice(c) => {
                let values: Vec<String> =
                    c.values.iter().map(|v| format!("`{}`", v.value)).collect();
                let or = if c.closed { "" } else { ", or another string" };
                format!("string: {}{or}", values.join(", "))
            }
            Type::Int => String::from("integer"),
            Type::Bool => String::from("boolean"),
            Type::Strings => String::from("array of strings"),
            Type::StringMap => String::from("table of strings"),
            Type::Table(t) => format!("table ({})", t.what),
            Type::Tables(t) => format!("array of tables ({} each)", t.what),
            Type::MapOf(t) => format!("table of named tables ({} each)", t.what),
            Type::Vars(t) => format!("table of named vars: a string (the default) or {}", t.what),
            Type::Json => String::from("table of free-form data"),
            Type::AnyTable => String::from("table"),
        }
    }
}

impl Choices {
    /// Whether `value` is one of the listed values.
    pub fn contains(&self, value: &str) -> bool {
        self.values.iter().any(|c| c.value == value)
    }

    /// The listed values.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.values.iter().map(|c| c.value)
    }
}

/// Every kind of table, reachable from [`ROOT`], each once, in a fixed order (breadth
/// first from the root, keys in order).
pub fn all_tables() -> Vec<&'static Table> {
    let mut out: Vec<&'static Table> = vec![&ROOT];
    let mut i = 0;
    while let Some(t) = out.get(i).copied() {
        for k in t.keys {
            if let Some(child) = k.ty.table()
                && !out.iter().any(|seen| std::ptr::eq(*seen, child))
            {
                out.push(child);
            }
        }
        i += 1;
    }
    out
}

/// The known key closest to `key`, if one is close enough to be a likely typo.
pub fn did_you_mean(key: &str, known: &Table) -> Option<&'static str> {
    closest(key, known.names())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("depends_no", &STEP), Some("depends_on"));
        assert_eq!(did_you_mean("Depends_On", &STEP), Some("depends_on"));
        assert_eq!(did_you_mean("titel", &STEP), Some("title"));
        assert_eq!(did_you_mean("squash", &ROOT), None);
        assert_eq!(did_you_mean("presets", &ROOT), None);
    }

    #[test]
    fn every_table_is_reachable_once_with_unique_names_and_documented_keys() {
        let all = all_tables();
        assert_eq!(all.len(), 21);
        let mut names: Vec<&str> = all.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "table names are unique");
        for t in all {
            assert!(!t.doc.is_empty() && !t.what.is_empty(), "{}", t.name);
            let mut keys: Vec<&str> = t.names().collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), t.keys.len(), "keys of {} are unique", t.name);
            for k in t.keys {
                assert!(
                    !k.doc.is_empty() && !k.doc.ends_with('.'),
                    "{}.{}: a one-line doc without a final period",
                    t.name,
                    k.name
                );
                assert_eq!(
                    k.name,
                    k.name.to_ascii_lowercase(),
                    "canonical keys are lower case"
                );
                if k.role != Role::Text {
                    assert!(
                        matches!(k.ty, Type::String | Type::Strings),
                        "{}.{}: a role is for strings",
                        t.name,
                        k.name
                    );
                }
            }
        }
    }
}

//! The resolved formula: composition applied, every step concrete, each with a
//! record of where it came from. Serialised as the output of `gtc cook --format json`.

use serde::Serialize;
use std::collections::BTreeMap;

/// A formula after extends, control flow, advice, expansions and aspects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// The formula name.
    pub formula: String,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its version (1 when unset).
    pub version: i64,
    /// Its type (explicit or inferred).
    #[serde(rename = "type")]
    pub kind: String,
    /// Declared vars (own and inherited), by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, RVar>,
    /// The steps.
    pub steps: Vec<RStep>,
    /// An expansion formula's template, resolved as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub template: Vec<RStep>,
    /// `phase`, carried for the runtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// `pour`: whether a wisp materialises the steps (`false`: the root only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pour: Option<bool>,
    /// The file the formula was read from.
    pub source: String,
}

/// A declared var.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RVar {
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `required`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// `enum`.
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// `pattern`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
}

/// A concrete step.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct RStep {
    /// The id (loop iterations: `LOOP.iterN.ID`).
    pub id: String,
    /// `title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `notes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// `priority`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `labels` (control flow adds `loop:` / `gate:` labels).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// `metadata`, a JSON object with sorted keys (becomes the poured issue's metadata).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Every dependency (`depends_on` and `needs` merged), in order, without repeats.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// `waits_for`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waits_for: Option<String>,
    /// `assignee`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// `condition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `gate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<RGate>,
    /// `on_complete`, carried for the runtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_complete: Option<ROnComplete>,
    /// `children`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<RStep>,
    /// Where the step was written, and what changed it.
    pub source: SourceRecord,
    /// A pending inline expansion (consumed while cooking).
    #[serde(skip)]
    pub expand: Option<(String, BTreeMap<String, String>)>,
    /// A pending loop (consumed while cooking).
    #[serde(skip)]
    pub loop_spec: Option<RLoop>,
}

/// A gate.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct RGate {
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `await_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub await_id: Option<String>,
    /// `timeout`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// `on_complete`.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct ROnComplete {
    /// `for_each`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// `bond`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bond: Option<String>,
    /// `vars`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
    /// `parallel`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub parallel: bool,
    /// `sequential`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sequential: bool,
}

/// A loop still to expand.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RLoop {
    /// `count`.
    pub count: Option<i64>,
    /// `until`.
    pub until: Option<String>,
    /// `max`.
    pub max: Option<i64>,
    /// `range`, with its span (in the file of the loop step's source record), so a
    /// value that breaks it is reported at the range.
    pub range: Option<crate::model::Text>,
    /// `var`.
    pub var: Option<String>,
    /// `body`.
    pub body: Vec<RStep>,
}

/// Where a step comes from: the formula and file it was written in, the line, the path
/// inside the file (`steps[2].children[0]`, `advice[0].before`, `template[1]`), and the
/// rules that produced or changed it, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct SourceRecord {
    /// The formula that wrote the step.
    pub formula: std::sync::Arc<str>,
    /// Its file.
    pub file: std::sync::Arc<str>,
    /// 1-based line of the step's table.
    pub line: u32,
    /// Path inside the file.
    pub path: String,
    /// What happened to the step, in order ("inherited from base", "expanded by exp-x at f:12" ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

impl RStep {
    /// Add a dependency unless present.
    pub fn add_need(&mut self, id: &str) {
        if !self.needs.iter().any(|n| n == id) {
            self.needs.push(id.to_owned());
        }
    }
}

//! The beads issue record: the line format of `.beads/issues.jsonl` and of `--json`.
//!
//! Known fields are typed and written in the order beads writes them; every field we do
//! not know (at the top level and inside dependencies, comments and bonds) is kept in
//! order with its text as written ([`RawFields`]), and `metadata` is kept as written
//! ([`RawJson`]), so a record gt changes keeps what it did not change: key order, number
//! spelling, nested objects. Values are kept as written (timestamps are not re-formatted).
//! Lines are written with Go's escaping ([`go_json`]); writing fails loudly, never with
//! an empty record.

use super::raw::{RawFields, RawJson, go_json};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Statuses that never block a dependent (`closed`, frozen `pinned`, deleted `tombstone`).
pub const DONE_STATUSES: &[&str] = &["closed", "pinned", "tombstone"];
/// Issue types that `gt ready` never lists (infrastructure and containers).
pub const NOT_WORK_TYPES: &[&str] = &[
    "merge-request",
    "gate",
    "molecule",
    "message",
    "agent",
    "role",
    "rig",
];
/// Built-in statuses (beads also allows configured custom ones, which we keep as written).
pub const STATUSES: &[&str] = &[
    "open",
    "in_progress",
    "blocked",
    "deferred",
    "closed",
    "pinned",
    "hooked",
];
/// Fields that only exist in exports (derived counts, the record kind); dropped on read.
const DERIVED: &[&str] = &[
    "_type",
    "dependency_count",
    "dependent_count",
    "comment_count",
];

fn is_false(b: &Option<bool>) -> bool {
    b.is_none()
}

/// One issue. Field order is beads' export order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance_criteria: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_id: Option<String>,
    #[serde(default = "open")]
    pub status: String,
    #[serde(default)]
    pub priority: i64,
    #[serde(default = "task")]
    pub issue_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_minutes: Option<i64>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default)]
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by_session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<RawJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compaction_level: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compacted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compacted_at_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Outgoing edges (omitted when empty, as beads writes it; `--json` output always
    /// carries the key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// Tombstones (`status: "tombstone"`): when, by whom and why the issue was deleted,
    /// and its type before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub ephemeral: Option<bool>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_history: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wisp_type: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: Option<bool>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_template: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonded_from: Vec<BondRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiters: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_formula: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mol_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_type: Option<String>,
    /// Every field this version does not know, in its order, kept and written back as
    /// it was (filled by [`Issue::from_json`]).
    #[serde(flatten, skip_deserializing)]
    pub extra: RawFields,
}

fn open() -> String {
    String::from("open")
}
fn task() -> String {
    String::from("task")
}

/// One outgoing edge: `issue_id` depends on (is blocked by / is a child of) `depends_on_id`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    pub issue_id: String,
    pub depends_on_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// A string holding JSON, e.g. `{"gate":"any-children"}` (as beads writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    #[serde(flatten, skip_deserializing)]
    pub extra: RawFields,
}

/// A comment on an issue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// A string id (old ledgers wrote numbers; kept as written).
    #[serde(default)]
    pub id: Value,
    #[serde(default)]
    pub issue_id: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(flatten, skip_deserializing)]
    pub extra: RawFields,
}

/// Where a bonded molecule came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BondRef {
    #[serde(default)]
    pub source_id: String,
    #[serde(default)]
    pub bond_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bond_point: Option<String>,
    #[serde(flatten, skip_deserializing)]
    pub extra: RawFields,
}

/// The keys [`Issue`] knows (its serde names), for telling unknown fields apart.
const ISSUE_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "design",
    "acceptance_criteria",
    "notes",
    "spec_id",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "owner",
    "estimated_minutes",
    "created_at",
    "created_by",
    "updated_at",
    "started_at",
    "closed_at",
    "close_reason",
    "closed_by_session",
    "due_at",
    "defer_until",
    "external_ref",
    "source_system",
    "metadata",
    "compaction_level",
    "compacted_at",
    "compacted_at_commit",
    "original_size",
    "labels",
    "dependencies",
    "comments",
    "deleted_at",
    "deleted_by",
    "delete_reason",
    "original_type",
    "sender",
    "ephemeral",
    "no_history",
    "wisp_type",
    "pinned",
    "is_template",
    "bonded_from",
    "await_type",
    "await_id",
    "timeout",
    "waiters",
    "source_formula",
    "source_location",
    "mol_type",
    "work_type",
];
const DEPENDENCY_KEYS: &[&str] = &[
    "issue_id",
    "depends_on_id",
    "type",
    "created_at",
    "created_by",
    "metadata",
    "thread_id",
];
const COMMENT_KEYS: &[&str] = &["id", "issue_id", "author", "text", "created_at"];
const BOND_KEYS: &[&str] = &["source_id", "bond_type", "bond_point"];

impl Dependency {
    /// An edge of `kind` from `issue_id` to `depends_on_id`.
    pub fn new(issue_id: &str, depends_on_id: &str, kind: &str) -> Dependency {
        Dependency {
            issue_id: issue_id.to_owned(),
            depends_on_id: depends_on_id.to_owned(),
            kind: kind.to_owned(),
            ..Dependency::default()
        }
    }

    /// Whether a `waits-for` edge is satisfied by any closed child (else all). Metadata
    /// that is not JSON, or names no gate, means all children (beads' default).
    pub fn any_children(&self) -> bool {
        self.metadata
            .as_deref()
            .and_then(|m| serde_json::from_str::<Value>(m).ok())
            .and_then(|v| {
                v.get("gate")
                    .and_then(Value::as_str)
                    .map(|g| g == "any-children")
            })
            .unwrap_or(false)
    }
}

/// Fill the `extra` of each element of the array `raw` (the array's own text) with the
/// members its type does not know.
fn nested_extras<T>(
    raw: Option<&RawJson>,
    items: &mut [T],
    known: &[&str],
    extra: fn(&mut T) -> &mut RawFields,
) -> Result<(), String> {
    let Some(raw) = raw else { return Ok(()) };
    let objects: Vec<RawFields> = raw.decode().map_err(|e| e.to_string())?;
    for (item, fields) in items.iter_mut().zip(objects) {
        *extra(item) = fields.unknown(known);
    }
    Ok(())
}

impl Issue {
    /// Parse one JSONL line (an export record, a `--json` record or a plain issue
    /// object). Unknown fields are kept in order with their text as written; the export
    /// counts and `_type` are dropped (they are derived); legacy spellings are read
    /// (`wisp` for `ephemeral`, a bond's `proto_id` for `source_id`).
    pub fn from_json(line: &str) -> Result<Issue, String> {
        let raw = RawFields::parse(line).map_err(|e| e.to_string())?;
        Issue::from_raw(line, raw)
    }

    /// [`Issue::from_json`] of a line whose members were already read (`raw`).
    pub fn from_raw(line: &str, raw: RawFields) -> Result<Issue, String> {
        let mut issue: Issue = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if issue.id.is_empty() {
            return Err(String::from("the record has no `id`"));
        }
        nested_extras(
            raw.get("dependencies"),
            &mut issue.dependencies,
            DEPENDENCY_KEYS,
            |d| &mut d.extra,
        )?;
        nested_extras(
            raw.get("comments"),
            &mut issue.comments,
            COMMENT_KEYS,
            |c| &mut c.extra,
        )?;
        nested_extras(
            raw.get("bonded_from"),
            &mut issue.bonded_from,
            BOND_KEYS,
            |b| &mut b.extra,
        )?;
        issue.extra = raw.unknown(ISSUE_KEYS);
        for k in DERIVED {
            issue.extra.remove(k);
        }
        for b in &mut issue.bonded_from {
            if b.source_id.is_empty()
                && let Some(p) = b.extra.get("proto_id").and_then(|p| p.decode().ok())
            {
                b.source_id = p;
                b.extra.remove("proto_id");
            }
        }
        if let Some(w) = issue
            .extra
            .get("wisp")
            .and_then(|w| w.decode::<bool>().ok())
        {
            issue.ephemeral.get_or_insert(w);
            issue.extra.remove("wisp");
        }
        Ok(issue)
    }

    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral == Some(true)
    }

    pub fn is_pinned(&self) -> bool {
        self.pinned == Some(true)
    }

    pub fn is_template(&self) -> bool {
        self.is_template == Some(true)
    }

    /// Whether the issue was deleted (a tombstone record).
    pub fn is_tombstone(&self) -> bool {
        self.status == TOMBSTONE
    }

    /// The parent: the target of this issue's `parent-child` edge.
    pub fn parent(&self) -> Option<&str> {
        self.dependencies
            .iter()
            .find(|d| d.kind == "parent-child")
            .map(|d| d.depends_on_id.as_str())
    }

    /// The metadata object as a value (`None` when absent).
    pub fn metadata_value(&self) -> Result<Option<Value>, serde_json::Error> {
        self.metadata.as_ref().map(RawJson::decode).transpose()
    }

    /// Set the metadata (written with Go escaping).
    pub fn set_metadata(&mut self, value: &Value) -> Result<(), serde_json::Error> {
        self.metadata = Some(RawJson::from_value(value)?);
        Ok(())
    }

    /// This issue as a tombstone: deleted at `stamp` by `actor`, its type kept in
    /// `original_type`; every other field stays as it was (beads' soft delete).
    pub fn into_tombstone(mut self, actor: &str, reason: Option<&str>, stamp: &str) -> Issue {
        if !self.is_tombstone() {
            self.original_type = Some(self.issue_type.clone());
        }
        self.status = String::from(TOMBSTONE);
        self.deleted_at = Some(stamp.to_owned());
        self.deleted_by = Some(actor.to_owned());
        self.delete_reason = reason.map(str::to_owned);
        self.updated_at = stamp.to_owned();
        self
    }
}

/// The status of a deleted issue.
pub const TOMBSTONE: &str = "tombstone";

/// A record could not be written as JSON (a value serde cannot represent).
#[derive(Debug)]
pub struct EncodeError {
    pub id: String,
    pub error: serde_json::Error,
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "record `{}` cannot be written as JSON: {}",
            self.id, self.error
        )
    }
}

/// The issue's own JSON object (known fields in beads' order, then unknown fields).
fn object(issue: &Issue) -> Result<String, EncodeError> {
    go_json(issue).map_err(|error| EncodeError {
        id: issue.id.clone(),
        error,
    })
}

/// The export line of `issue` (`issues.jsonl`, `gt export`): `_type` first, the record,
/// then the derived counts.
pub fn export_line(issue: &Issue, dependent_count: usize) -> Result<String, EncodeError> {
    let body = object(issue)?;
    let inner = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or(&body);
    Ok(format!(
        "{{\"_type\":\"issue\",{inner},\"dependency_count\":{},\"dependent_count\":{dependent_count},\"comment_count\":{}}}",
        issue.dependencies.len(),
        issue.comments.len()
    ))
}

/// An issue as a `--json` record and as the working database stores it: the JSONL
/// record with Go escaping, `dependencies` always present (`[]` when there are none), so
/// stored records can be printed without decoding them.
pub fn json_record(issue: &Issue) -> Result<String, EncodeError> {
    let mut body = object(issue)?;
    if issue.dependencies.is_empty() && body.ends_with('}') {
        body.pop();
        body.push_str(",\"dependencies\":[]}");
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every known key is in the lists used to tell unknown fields apart.
    #[test]
    fn the_key_lists_name_every_field() {
        let full = r#"{"id":"a","title":"t","description":"d","design":"d","acceptance_criteria":"a","notes":"n","spec_id":"s","status":"open","priority":1,"issue_type":"task","assignee":"x","owner":"o","estimated_minutes":3,"created_at":"c","created_by":"b","updated_at":"u","started_at":"s","closed_at":"c","close_reason":"r","closed_by_session":"s","due_at":"d","defer_until":"d","external_ref":"e","source_system":"s","metadata":{"k":1},"compaction_level":1,"compacted_at":"c","compacted_at_commit":"c","original_size":1,"labels":["l"],"dependencies":[{"issue_id":"a","depends_on_id":"b","type":"blocks","created_at":"c","created_by":"b","metadata":"{}","thread_id":"t"}],"comments":[{"id":"c","issue_id":"a","author":"x","text":"t","created_at":"c"}],"deleted_at":"d","deleted_by":"b","delete_reason":"r","original_type":"bug","sender":"s","ephemeral":true,"no_history":true,"wisp_type":"w","pinned":true,"is_template":true,"bonded_from":[{"source_id":"s","bond_type":"b","bond_point":"p"}],"await_type":"a","await_id":"a","timeout":1,"waiters":["w"],"source_formula":"f","source_location":"l","mol_type":"m","work_type":"w"}"#;
        let issue = Issue::from_json(full).unwrap_or_else(|e| panic!("{e}"));
        assert!(issue.extra.is_empty(), "{:?}", issue.extra);
        assert!(issue.dependencies[0].extra.is_empty());
        assert!(issue.comments[0].extra.is_empty());
        assert!(issue.bonded_from[0].extra.is_empty());
        let back = object(&issue).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, full, "every field is written back, in beads' order");
        let keys: Vec<String> = RawFields::parse(full)
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|(k, _)| k.to_owned())
            .collect();
        assert_eq!(keys, ISSUE_KEYS);
    }

    #[test]
    fn unknown_fields_keep_their_order_and_text_everywhere() {
        let line = r#"{"id":"a","zeta":{"z":1,"a":2.50},"dependencies":[{"issue_id":"a","depends_on_id":"b","type":"blocks","weight":1e3,"b":0}],"alpha":-0.0}"#;
        let issue = Issue::from_json(line).unwrap_or_else(|e| panic!("{e}"));
        let text = object(&issue).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains(r#""weight":1e3,"b":0"#), "{text}");
        assert!(
            text.ends_with(r#""zeta":{"z":1,"a":2.50},"alpha":-0.0}"#),
            "{text}"
        );
    }

    #[test]
    fn legacy_spellings_are_read_and_derived_counts_dropped() {
        let line = r#"{"_type":"issue","id":"a","wisp":true,"bonded_from":[{"proto_id":"p","bond_type":"sequential"}],"dependency_count":9,"comment_count":2}"#;
        let issue = Issue::from_json(line).unwrap_or_else(|e| panic!("{e}"));
        assert!(issue.is_ephemeral());
        assert_eq!(issue.bonded_from[0].source_id, "p");
        assert!(issue.bonded_from[0].extra.is_empty());
        assert!(issue.extra.is_empty(), "{:?}", issue.extra);
    }

    #[test]
    fn bad_records_are_refused_with_the_reason() {
        assert!(Issue::from_json(r#"{"title":"no id"}"#).is_err());
        assert!(Issue::from_json(r#"{"id":"a","priority":"high"}"#).is_err());
        assert!(Issue::from_json(r#"{"id":"a","x":1,"x":2}"#).is_err());
    }
}

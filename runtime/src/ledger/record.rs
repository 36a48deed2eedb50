//! The beads issue record: the line format of `.beads/issues.jsonl` and of `--json`.
//!
//! Known fields are typed and written in the order beads writes them; every field we do
//! not know is kept in [`Issue::extra`] and written back unchanged, so an import and an
//! export lose nothing. Values are kept as written (timestamps are not re-formatted).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
    pub metadata: Option<Value>,
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
    /// Every field this version does not know, kept and written back as it was.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

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

    /// Whether a `waits-for` edge is satisfied by any closed child (else all).
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

impl Issue {
    /// Parse one JSONL line (an export record or a plain issue object).
    pub fn from_json(line: &str) -> Result<Issue, String> {
        let mut issue: Issue = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if issue.id.is_empty() {
            return Err(String::from("the record has no `id`"));
        }
        for k in DERIVED {
            issue.extra.remove(*k);
        }
        // Legacy spelling of a bond's source.
        for b in &mut issue.bonded_from {
            if b.source_id.is_empty()
                && let Some(Value::String(p)) = b.extra.remove("proto_id")
            {
                b.source_id = p;
            }
        }
        // Legacy spelling of `ephemeral`.
        if let Some(Value::Bool(w)) = issue.extra.remove("wisp") {
            issue.ephemeral.get_or_insert(w);
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

    /// The parent: the target of this issue's `parent-child` edge.
    pub fn parent(&self) -> Option<&str> {
        self.dependencies
            .iter()
            .find(|d| d.kind == "parent-child")
            .map(|d| d.depends_on_id.as_str())
    }
}

/// An issue as exported: `_type` first, then the record, then the derived counts.
#[derive(Serialize)]
pub struct ExportRecord<'a> {
    #[serde(rename = "_type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub issue: &'a Issue,
    pub dependency_count: usize,
    pub dependent_count: usize,
    pub comment_count: usize,
}

/// An issue as a `--json` record and as the working database stores it: the JSONL
/// record with Go escaping, `dependencies` always present (`[]` when there are none), so
/// stored records can be printed without decoding them.
pub fn json_record(issue: &Issue) -> String {
    #[derive(Serialize)]
    struct JsonRecord<'a> {
        #[serde(flatten)]
        issue: &'a Issue,
        /// `[]` when the record has no edges (the record then omits the key).
        #[serde(skip_serializing_if = "Option::is_none")]
        dependencies: Option<[u8; 0]>,
    }
    to_line(&JsonRecord {
        issue,
        dependencies: issue.dependencies.is_empty().then_some([]),
    })
}

/// Compact JSON with Go's HTML escaping (`<`, `>`, `&` as `\u003c` ...), so lines are
/// byte-compatible with what beads writes.
pub fn to_line<T: Serialize>(value: &T) -> String {
    gtc::cook::go_json(value)
}

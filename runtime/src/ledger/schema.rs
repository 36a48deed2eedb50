//! The working database's tables. The full record (JSON, every field) is the truth; the
//! other columns are indexes over it, rewritten with it.
//!
//! - `issues`: one row per issue (tombstones included). `in_git` is set once the record
//!   was read from `issues.jsonl` or an import (flush writes it back whatever its flags);
//!   `line` is the line as it was read, kept while gt has not changed the record, so flush
//!   and export write it back byte for byte.
//! - `deps`: the edges of every live issue (an index over the records' `dependencies`);
//!   `target_open` marks a `blocks` / `conditional-blocks` edge whose target exists and
//!   is not done (kept by every write of the target, see `Tx::store`), so that "is any
//!   blocker open" is one step of the `deps_open_blockers` index whatever the number of
//!   blockers; `issue_open` marks an edge whose issue is not done (its edges are
//!   rewritten with it), so that "is any child open" is one step of `deps_open_children`.
//! - `lines`: the ledger file's lines that are not issues, kept verbatim: schema headers,
//!   memories (by key), records of types this version does not know.
//! - `quarantine`: lines of `issues.jsonl` that could not be read (written back verbatim).
//! - `meta`: settings and bookkeeping (the JSONL file's stamp, whether flush has work).

use super::ready::READY_WHERE;
use crate::error::Result;
use rusqlite::Connection;

const VERSION: i64 = 5;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS issues(
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  issue_type TEXT NOT NULL,
  assignee TEXT,
  ephemeral INTEGER NOT NULL,
  pinned INTEGER NOT NULL,
  template INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  defer_until TEXT,
  blocked INTEGER NOT NULL DEFAULT 0,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issues_deferred ON issues(defer_until) WHERE defer_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS issues_status ON issues(status, issue_type);
CREATE TABLE IF NOT EXISTS deps(
  issue_id TEXT NOT NULL,
  depends_on_id TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY(issue_id, depends_on_id, type)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deps_target ON deps(depends_on_id, type);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine(
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  text TEXT NOT NULL,
  error TEXT NOT NULL,
  PRIMARY KEY(file, line)
);
CREATE TABLE IF NOT EXISTS lines(
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(kind, key)
);
";

/// Columns added after the first release, with their definitions (added when missing).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("issues", "in_git", "INTEGER NOT NULL DEFAULT 0"),
    ("issues", "line", "TEXT"),
    ("deps", "any_children", "INTEGER NOT NULL DEFAULT 0"),
    ("deps", "target_open", "INTEGER NOT NULL DEFAULT 0"),
    ("deps", "issue_open", "INTEGER NOT NULL DEFAULT 0"),
];

/// Whether the tables need creating or upgrading (a new or older database).
pub fn outdated(conn: &Connection) -> Result<bool> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(version != VERSION)
}

/// Create the tables, or bring an older database up to date (idempotent).
pub fn ensure(conn: &Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    conn.execute_batch(TABLES)?;
    for (table, column, def) in ADDED_COLUMNS {
        if !has_column(conn, table, column)? {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {def}"))?;
        }
    }
    if version > 0 && version < 3 {
        // Version 2 flushed what was neither a wisp nor a template; read the ledger file
        // again (forget its stamp) so that every record it holds is marked as in git and
        // gets its line back. Memories move from `meta` to `lines`.
        conn.execute_batch(
            "UPDATE issues SET in_git = 1 WHERE ephemeral = 0 AND template = 0;
             DROP INDEX IF EXISTS issues_ready;
             INSERT OR REPLACE INTO lines(kind, key, seq, text)
               SELECT 'memory', substr(key, 8), 0, value FROM meta WHERE key LIKE 'memory:%';
             DELETE FROM meta WHERE key LIKE 'memory:%' OR key = 'jsonl_stamp';",
        )?;
        mark_any_children(conn)?;
    }
    if version < 5 {
        conn.execute_batch(&format!(
            "UPDATE deps SET target_open = {TARGET_OPEN_SQL}, issue_open = {ISSUE_OPEN_SQL}"
        ))?;
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS deps_open_blockers ON deps(issue_id)
           WHERE target_open = 1 AND type IN ('blocks', 'conditional-blocks');
         CREATE INDEX IF NOT EXISTS deps_open_children ON deps(depends_on_id)
           WHERE issue_open = 1 AND type = 'parent-child';",
    )?;
    // The ready list's index covers everything the list reads (the record included), so
    // a walk of it never visits the table: about ten times fewer pages for `gt ready`.
    conn.execute_batch(&format!(
        "DROP INDEX IF EXISTS issues_ready_walk;
         CREATE INDEX IF NOT EXISTS issues_ready ON issues(priority, created_at DESC, id, ephemeral, assignee, defer_until, record) WHERE {READY_WHERE};"
    ))?;
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}

/// What `deps.target_open` holds for an edge row (`deps`): a blocking edge whose target
/// exists and is not done.
pub(super) const TARGET_OPEN_SQL: &str = "(deps.type IN ('blocks', 'conditional-blocks')
  AND EXISTS (SELECT 1 FROM issues t WHERE t.id = deps.depends_on_id
              AND t.status NOT IN ('closed', 'pinned', 'tombstone')))";

/// What `deps.issue_open` holds for an edge row: its issue is not done.
pub(super) const ISSUE_OPEN_SQL: &str = "EXISTS (SELECT 1 FROM issues i WHERE i.id = deps.issue_id
  AND i.status NOT IN ('closed', 'pinned', 'tombstone'))";

/// Fill `deps.any_children` from the records of the issues with `waits-for` edges.
fn mark_any_children(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, record FROM issues WHERE id IN (SELECT issue_id FROM deps WHERE type = 'waits-for')",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, text) in rows {
        let issue = super::store::decode(&id, &text)?;
        for d in issue.dependencies.iter().filter(|d| d.kind == "waits-for") {
            conn.execute(
                "UPDATE deps SET any_children = ?4 WHERE issue_id = ?1 AND depends_on_id = ?2 AND type = ?3",
                rusqlite::params![id, d.depends_on_id, d.kind, d.any_children()],
            )?;
        }
    }
    Ok(())
}

fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    for n in names {
        if n? == column {
            return Ok(true);
        }
    }
    Ok(false)
}

//! The working database's tables. The full record (JSON, every field) is the truth; the
//! other columns are indexes over it, rewritten with it.

use crate::error::Result;
use rusqlite::Connection;

const VERSION: i64 = 2;

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
CREATE INDEX IF NOT EXISTS issues_ready ON issues(status, blocked, priority, created_at);
CREATE INDEX IF NOT EXISTS issues_deferred ON issues(defer_until) WHERE defer_until IS NOT NULL;
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
";

/// Whether the tables need creating (a new or older database).
pub fn outdated(conn: &Connection) -> Result<bool> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(version != VERSION)
}

/// Create the tables when missing (idempotent).
pub fn ensure(conn: &Connection) -> Result<()> {
    conn.execute_batch(TABLES)?;
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}

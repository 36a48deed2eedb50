//! Reading and writing issues inside one transaction.

use super::blocked;
use super::record::{Dependency, Issue};
use crate::error::{Error, Result};
use rusqlite::{OptionalExtension, Transaction, params};

/// A transaction on the ledger: every read and write of a command goes through one.
pub struct Tx<'a> {
    tx: &'a Transaction<'a>,
    /// The id prefix.
    pub prefix: &'a str,
    /// Who is acting.
    pub actor: &'a str,
    /// Set when a record was written or deleted: `issues.jsonl` is behind.
    pub(super) dirty: std::cell::Cell<bool>,
}

/// Where a record being stored comes from.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    /// A change made by gt: the record is written anew on the next flush.
    Write,
    /// The ledger file or an imported file, with the line as read: the record belongs in
    /// git from now on, and flush writes this line back while gt does not change it.
    File(&'a str),
}

/// How an issue stands, for filters.
#[derive(Default, Debug, Clone)]
pub struct Filter {
    /// Any of these statuses (empty: any).
    pub statuses: Vec<String>,
    /// Any of these issue types (empty: any).
    pub types: Vec<String>,
    /// Assigned to.
    pub assignee: Option<String>,
    /// Carries every one of these labels.
    pub labels: Vec<String>,
    /// Descendants of this issue (through `parent-child`), the issue itself included.
    pub under: Option<String>,
    /// Include ephemeral issues (wisps).
    pub ephemeral: bool,
    /// Include templates.
    pub templates: bool,
}

impl<'a> Tx<'a> {
    pub(super) fn new(tx: &'a Transaction<'a>, prefix: &'a str, actor: &'a str) -> Tx<'a> {
        Tx {
            tx,
            prefix,
            actor,
            dirty: std::cell::Cell::new(false),
        }
    }

    /// The underlying connection.
    pub fn conn(&self) -> &rusqlite::Connection {
        self.tx
    }

    /// The issue `id`, if present.
    pub fn get(&self, id: &str) -> Result<Option<Issue>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT record FROM issues WHERE id = ?1")?;
        let text: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
        text.map(|t| decode(id, &t)).transpose()
    }

    /// The live issue `id`, or a not-found error naming near matches (a deleted issue is
    /// refused with when and by whom).
    pub fn require(&self, id: &str) -> Result<Issue> {
        match self.get(id)? {
            Some(i) if i.is_tombstone() => Err(Error::Deleted {
                id: i.id,
                at: i.deleted_at.unwrap_or(i.updated_at),
                by: i.deleted_by,
            }),
            Some(i) => Ok(i),
            None => Err(Error::NotFound {
                id: id.to_owned(),
                near: self.near(id)?,
            }),
        }
    }

    /// Whether the id `id` is taken (by a live issue or a tombstone).
    pub fn exists(&self, id: &str) -> Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM issues WHERE id = ?1")?;
        Ok(stmt.exists([id])?)
    }

    /// Whether `id` is a live issue (present and not deleted).
    pub fn is_live(&self, id: &str) -> Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM issues WHERE id = ?1 AND status != 'tombstone'")?;
        Ok(stmt.exists([id])?)
    }

    /// Ids close to `id`: those it is a prefix or suffix of, then the nearest by edit
    /// distance (at most three).
    pub fn near(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM issues WHERE status != 'tombstone'")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut scored: Vec<(usize, String)> = Vec::new();
        for candidate in ids {
            let c = candidate?;
            let score = if c.starts_with(id) || c.ends_with(id) {
                0
            } else {
                let d = strsim::levenshtein(id, &c);
                if d > (id.len() / 3).max(2) {
                    continue;
                }
                d
            };
            scored.push((score, c));
        }
        scored.sort();
        Ok(scored.into_iter().take(3).map(|(_, c)| c).collect())
    }

    /// Resolve a possibly partial id: the exact id, else the one id that ends with or
    /// starts with it.
    pub fn resolve(&self, id: &str) -> Result<String> {
        if self.exists(id)? {
            return Ok(id.to_owned());
        }
        let mut stmt = self.tx.prepare_cached(
            "SELECT id FROM issues WHERE (id LIKE ?1 ESCAPE '\\' OR id LIKE ?2 ESCAPE '\\') AND status != 'tombstone' LIMIT 3",
        )?;
        let esc = id
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let hits: Vec<String> = stmt
            .query_map(params![format!("%-{esc}"), format!("{esc}%")], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match hits.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::NotFound {
                id: id.to_owned(),
                near: self.near(id)?,
            }),
            many => Err(Error::Invalid(format!(
                "`{id}` is ambiguous: it matches {} ...; give more of the id",
                many.join(", ")
            ))),
        }
    }

    /// Insert or replace `issue` (its record, its edges), then bring the blocked flags of
    /// the issues it affects up to date.
    pub fn put(&self, issue: &Issue) -> Result<()> {
        self.put_many(std::slice::from_ref(issue))
    }

    /// Insert or replace many issues (changes made by gt), then refresh the flags they
    /// affect (see [`blocked::refresh_written`]).
    pub fn put_many(&self, issues: &[Issue]) -> Result<()> {
        let ids: Vec<String> = issues.iter().map(|i| i.id.clone()).collect();
        blocked::refresh_written(self, &ids, || {
            for issue in issues {
                self.store(issue, Origin::Write)?;
            }
            Ok(())
        })
    }

    /// Write the record and edges of `issue` without touching blocked flags.
    pub(super) fn store(&self, issue: &Issue, origin: Origin) -> Result<()> {
        let record = super::record::json_record(issue).map_err(Error::Encode)?;
        let (line, from_file) = match origin {
            Origin::Write => (None, false),
            Origin::File(l) => (Some(l), true),
        };
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO issues(id, status, priority, issue_type, assignee, ephemeral, pinned, template, created_at, updated_at, defer_until, record, line, in_git)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(id) DO UPDATE SET status = ?2, priority = ?3, issue_type = ?4, assignee = ?5,
               ephemeral = ?6, pinned = ?7, template = ?8, created_at = ?9, updated_at = ?10, defer_until = ?11,
               record = ?12, line = ?13, in_git = max(in_git, ?14)",
        )?;
        stmt.execute(params![
            issue.id,
            issue.status,
            issue.priority,
            issue.issue_type,
            issue.assignee.as_deref().filter(|a| !a.is_empty()),
            issue.is_ephemeral(),
            issue.is_pinned(),
            issue.is_template(),
            issue.created_at,
            issue.updated_at,
            issue.defer_until,
            record,
            line,
            from_file,
        ])?;
        self.tx
            .prepare_cached("DELETE FROM deps WHERE issue_id = ?1")?
            .execute([&issue.id])?;
        // A deleted issue keeps its edges in its record, but they mean nothing any more.
        if !issue.is_tombstone() {
            // `target_open` as `schema::TARGET_OPEN_SQL` says (an edge to itself included:
            // the issue was written above).
            let mut add = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO deps(issue_id, depends_on_id, type, any_children, target_open, issue_open)
                 SELECT ?1, ?2, ?3, ?4, ?3 IN ('blocks', 'conditional-blocks') AND EXISTS (
                   SELECT 1 FROM issues t WHERE t.id = ?2 AND t.status NOT IN ('closed', 'pinned', 'tombstone')), ?5",
            )?;
            let open = !super::blocked::done(&issue.status);
            for d in &issue.dependencies {
                let any = d.kind == "waits-for" && d.any_children();
                add.execute(params![issue.id, d.depends_on_id, d.kind, any, open])?;
            }
        }
        self.mark_target(&issue.id, !super::blocked::done(&issue.status))?;
        self.dirty.set(true);
        Ok(())
    }

    /// Keep `deps.target_open` of the blocking edges to `id` (whether it exists and is
    /// not done: `open`).
    fn mark_target(&self, id: &str, open: bool) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE deps SET target_open = ?2
                 WHERE depends_on_id = ?1 AND type IN ('blocks', 'conditional-blocks') AND target_open != ?2",
            )?
            .execute(params![id, open])?;
        Ok(())
    }

    /// The line kept for `id` (as read from a file, while gt has not changed it).
    pub fn line(&self, id: &str) -> Result<Option<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT line FROM issues WHERE id = ?1")?;
        Ok(stmt
            .query_row([id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// Store the line of an unchanged record again (the file spells it differently now).
    pub(super) fn set_line(&self, id: &str, line: &str) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE issues SET line = ?2, in_git = 1 WHERE id = ?1")?
            .execute([id, line])?;
        self.dirty.set(true);
        Ok(())
    }

    /// Remove issues (and their outgoing edges) without a trace: for wisps that never
    /// reached git. Edges of other issues that point at them stay in those records; they
    /// no longer block.
    pub fn delete(&self, ids: &[String]) -> Result<()> {
        let mut pending = blocked::Pending::default();
        for id in ids {
            pending.note_delete(self, id)?;
        }
        {
            for id in ids {
                self.tx
                    .prepare_cached("DELETE FROM issues WHERE id = ?1")?
                    .execute([id])?;
                self.tx
                    .prepare_cached("DELETE FROM deps WHERE issue_id = ?1")?
                    .execute([id])?;
                self.mark_target(id, false)?;
            }
            self.dirty.set(true);
        }
        blocked::after_write(self, ids, pending)
    }

    /// Whether the record of `id` belongs in `issues.jsonl` (persistent, or read from
    /// it): deleting it must leave a tombstone there.
    pub fn in_git(&self, id: &str) -> Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT ephemeral = 0 OR in_git = 1 FROM issues WHERE id = ?1")?;
        Ok(stmt
            .query_row([id], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(false))
    }

    /// Issues whose edge of `kind` points at `id` (all kinds when `kind` is None).
    pub fn dependents(&self, id: &str, kind: Option<&str>) -> Result<Vec<String>> {
        let mut out = Vec::new();
        match kind {
            Some(k) => {
                let mut stmt = self.tx.prepare_cached(
                    "SELECT issue_id FROM deps WHERE depends_on_id = ?1 AND type = ?2 ORDER BY issue_id",
                )?;
                for r in stmt.query_map([id, k], |r| r.get(0))? {
                    out.push(r?);
                }
            }
            None => {
                let mut stmt = self.tx.prepare_cached(
                    "SELECT DISTINCT issue_id FROM deps WHERE depends_on_id = ?1 ORDER BY issue_id",
                )?;
                for r in stmt.query_map([id], |r| r.get(0))? {
                    out.push(r?);
                }
            }
        }
        Ok(out)
    }

    /// The children of `id` (its `parent-child` dependents).
    pub fn children(&self, id: &str) -> Result<Vec<String>> {
        self.dependents(id, Some("parent-child"))
    }

    /// Up to `limit` children of `id` that are not done (closed, pinned, tombstone),
    /// from the `deps_open_children` index: as quick with a thousand closed children as
    /// with none.
    pub fn open_children(&self, id: &str, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT issue_id FROM deps INDEXED BY deps_open_children
             WHERE depends_on_id = ?1 AND type = 'parent-child' AND issue_open = 1 AND issue_id != ?1
             ORDER BY issue_id LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ids = stmt
            .query_map(params![id, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// `id` and every descendant through `parent-child`, in breadth-first order (one
    /// recursive query; a cycle of edges ends where it closes).
    pub fn subtree(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "WITH RECURSIVE sub(id) AS (
               SELECT ?1
               UNION
               SELECT d.issue_id FROM deps d JOIN sub ON d.depends_on_id = sub.id AND d.type = 'parent-child'
             )
             SELECT id FROM sub",
        )?;
        let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The status of `id`, if present.
    pub fn status(&self, id: &str) -> Result<Option<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT status FROM issues WHERE id = ?1")?;
        Ok(stmt.query_row([id], |r| r.get(0)).optional()?)
    }

    /// The stored blocked flag of `id`.
    pub fn is_blocked(&self, id: &str) -> Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT blocked FROM issues WHERE id = ?1")?;
        Ok(stmt
            .query_row([id], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(false))
    }

    pub(super) fn set_blocked(&self, id: &str, blocked: bool) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE issues SET blocked = ?2 WHERE id = ?1")?
            .execute(params![id, blocked])?;
        Ok(())
    }

    /// Issues matching `filter`, in id order.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Issue>> {
        let mut out = Vec::new();
        self.for_each_record(filter, |id, text| {
            out.push(decode(id, text)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Call `f` with each issue matching `filter`, in id order, as its stored record (id,
    /// `--json` text), streamed; records are decoded only when a label filter needs them.
    /// `f` returns whether to go on.
    pub fn for_each_record(
        &self,
        filter: &Filter,
        mut f: impl FnMut(&str, &str) -> Result<bool>,
    ) -> Result<()> {
        let scope: Option<std::collections::HashSet<String>> = match &filter.under {
            Some(root) => Some(self.subtree(root)?.into_iter().collect()),
            None => None,
        };
        let mut sql = String::from("SELECT id, record FROM issues WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut any_of = |column: &str, values: &[String], sql: &mut String| {
            if values.is_empty() {
                return;
            }
            let marks: Vec<String> = values
                .iter()
                .map(|v| {
                    args.push(v.clone());
                    format!("?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
        };
        any_of("status", &filter.statuses, &mut sql);
        any_of("issue_type", &filter.types, &mut sql);
        if let Some(a) = &filter.assignee {
            any_of("assignee", std::slice::from_ref(a), &mut sql);
        }
        if !filter.ephemeral && filter.under.is_none() {
            sql.push_str(" AND ephemeral = 0");
        }
        if !filter.templates {
            sql.push_str(" AND template = 0");
        }
        if !filter
            .statuses
            .iter()
            .any(|s| s == super::record::TOMBSTONE)
        {
            sql.push_str(" AND status != 'tombstone'");
        }
        sql.push_str(" ORDER BY id");
        let mut stmt = self.tx.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            if let Some(s) = &scope
                && !s.contains(&id)
            {
                continue;
            }
            let text: String = row.get(1)?;
            if !filter.labels.is_empty() {
                let issue = decode(&id, &text)?;
                if !filter.labels.iter().all(|l| issue.labels.contains(l)) {
                    continue;
                }
            }
            if !f(&id, &text)? {
                break;
            }
        }
        Ok(())
    }

    /// Every issue (tombstones included), in id order. Holds them all in memory: for
    /// tests and small ledgers; export and flush stream instead.
    pub fn all(&self) -> Result<Vec<Issue>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id, record FROM issues ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, text) = row?;
            out.push(decode(&id, &text)?);
        }
        Ok(out)
    }

    /// How many issues depend on `id` (any edge kind).
    pub fn dependent_count(&self, id: &str) -> Result<usize> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT COUNT(*) FROM deps WHERE depends_on_id = ?1")?;
        Ok(stmt.query_row([id], |r| r.get::<_, i64>(0))? as usize)
    }

    /// A value from the ledger's settings table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
    }

    /// Set a value in the settings table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2")?
            .execute([key, value])?;
        Ok(())
    }

    /// A fresh `<prefix>-[kind-]<hash>` id not yet in the ledger.
    pub fn fresh_id(&self, kind: &str, seed: &str) -> Result<String> {
        let mut failure = None;
        let seed = format!("{seed}|{}|{}", self.actor, super::time::now());
        let id = super::ids::fresh(self.prefix, kind, &seed, &mut |id| match self.exists(id) {
            Ok(b) => b,
            Err(e) => {
                failure = Some(e);
                false
            }
        });
        match failure {
            Some(e) => Err(e),
            None => Ok(id),
        }
    }

    /// Add an edge to `issue` (refusing a self edge, an edge to a missing issue, a
    /// second edge to the same target, and a blocking edge that would close a cycle).
    pub fn check_new_edge(&self, issue: &Issue, dep: &Dependency) -> Result<()> {
        if dep.depends_on_id == issue.id {
            return Err(Error::Refused(format!(
                "`{}` cannot depend on itself",
                issue.id
            )));
        }
        // A missing or deleted target: refused with near matches or the deletion.
        self.require(&dep.depends_on_id)?;
        if let Some(old) = issue
            .dependencies
            .iter()
            .find(|d| d.depends_on_id == dep.depends_on_id)
        {
            return Err(Error::Refused(format!(
                "`{}` already depends on `{}` ({}); remove that edge first",
                issue.id, dep.depends_on_id, old.kind
            )));
        }
        if blocked::BLOCKING.contains(&dep.kind.as_str())
            && self.reaches(&dep.depends_on_id, &issue.id, false)?
        {
            return Err(Error::Refused(format!(
                "`{}` -> `{}` would create a dependency cycle",
                issue.id, dep.depends_on_id
            )));
        }
        // Blockage flows down parent-child edges; in a cycle of them it would hold
        // itself up after its cause is gone.
        if dep.kind == "parent-child" && self.reaches(&dep.depends_on_id, &issue.id, true)? {
            return Err(Error::Refused(format!(
                "`{}` -> `{}` would make `{}` its own ancestor",
                issue.id, dep.depends_on_id, issue.id
            )));
        }
        Ok(())
    }

    /// Whether `from` reaches `to` through blocking edges (`parents`: through
    /// parent-child edges).
    fn reaches(&self, from: &str, to: &str, parents: bool) -> Result<bool> {
        let mut stack = vec![from.to_owned()];
        let mut seen = std::collections::HashSet::new();
        let mut stmt = self.tx.prepare_cached(if parents {
            "SELECT depends_on_id FROM deps WHERE issue_id = ?1 AND type = 'parent-child'"
        } else {
            "SELECT depends_on_id FROM deps WHERE issue_id = ?1 AND type IN ('blocks', 'conditional-blocks')"
        })?;
        while let Some(at) = stack.pop() {
            if at == to {
                return Ok(true);
            }
            if !seen.insert(at.clone()) {
                continue;
            }
            for r in stmt.query_map([&at], |r| r.get::<_, String>(0))? {
                stack.push(r?);
            }
        }
        Ok(false)
    }

    /// The targets of `id`'s `parent-child` edges, in id order.
    pub fn parents(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT depends_on_id FROM deps WHERE issue_id = ?1 AND type = 'parent-child' ORDER BY depends_on_id",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The `defer_until` of `id`, if set.
    pub fn defer_until(&self, id: &str) -> Result<Option<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT defer_until FROM issues WHERE id = ?1")?;
        Ok(stmt
            .query_row([id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// Whether any issue is deferred into the future (a cheap guard for `ready`).
    pub fn any_deferred(&self) -> Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT defer_until FROM issues WHERE defer_until IS NOT NULL")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for until in rows {
            if super::ready::deferred(&until?) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A stored record (`--json` form) as an issue (unknown fields kept, see
/// [`Issue::from_json`]).
pub fn decode(id: &str, text: &str) -> Result<Issue> {
    Issue::from_json(text).map_err(|e| {
        Error::Invalid(format!(
            "ledger database: record `{id}` does not decode: {e}"
        ))
    })
}

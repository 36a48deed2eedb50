//! The beads ledger in `.beads/`.
//!
//! `beads.db` (SQLite, WAL, git-ignored) is the working store: every command is one
//! transaction, so a write is applied whole or not at all, even under `kill -9`, and many
//! processes can work at once (writers queue on SQLite's lock; readers never block).
//! `issues.jsonl` is the git-facing ledger in the beads schema, one record per line,
//! sorted by id; it is written by `gt sync` / `gt flush` (atomically: temp file + fsync
//! \+ rename) and read back whenever it changes on disk (a clone, a pull, a merge).
//! Wisps (ephemeral molecules) made here live only in the database, never in git.

pub mod blocked;
pub mod ids;
pub mod jsonl;
pub mod raw;
pub mod ready;
pub mod record;
mod schema;
pub mod store;
pub mod time;

use crate::error::{Error, Result};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use record::{Dependency, Issue};
pub use store::Tx;

/// The ledger directory's name.
pub const DIR: &str = ".beads";
/// The git-facing JSONL file inside it.
pub const JSONL: &str = "issues.jsonl";
const DB: &str = "beads.db";
const CONFIG: &str = "config.toml";
const GITIGNORE: &str = "# gt: the working database and local-only state stay out of git\nbeads.db\nbeads.db-*\n*.tmp\n";

/// How long a command waits for other writers before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The WAL size past which a write checkpoints and truncates it.
const WAL_LIMIT: u64 = 1 << 20;

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    /// The `.beads/` directory.
    pub dir: PathBuf,
    /// The id prefix (`gt init --prefix`).
    pub prefix: String,
    /// Who is acting (`--actor`, `GT_ACTOR`, `BD_ACTOR`, `USER`).
    pub actor: String,
}

impl Ledger {
    /// Create `.beads/` in `root` with `prefix`. Refuses when a ledger already exists
    /// with another prefix; an existing ledger with the same prefix is left as it is.
    pub fn init(root: &Path, prefix: &str, actor: &str) -> Result<Ledger> {
        if !ids::valid_prefix(prefix) {
            return Err(Error::Invalid(format!(
                "invalid prefix `{prefix}`: use a letter, then letters, digits or dashes (at most 20), e.g. `bd` or `gt`"
            )));
        }
        let dir = root.join(DIR);
        if let Some(existing) = read_prefix(&dir)? {
            if existing != prefix {
                return Err(Error::Refused(format!(
                    "{} already holds a ledger with prefix `{existing}`; ids would mix",
                    dir.display()
                )));
            }
            return Ledger::open_dir(dir, actor);
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        write_new(&dir.join(".gitignore"), GITIGNORE)?;
        write_new(&dir.join(JSONL), "")?;
        write_new(
            &dir.join(CONFIG),
            &format!("# gt ledger settings\nprefix = \"{prefix}\"\n"),
        )?;
        Ledger::open_dir(dir, actor)
    }

    /// Open the ledger of `start` or the nearest parent holding `.beads/`.
    pub fn discover(start: &Path, actor: &str) -> Result<Ledger> {
        let mut at = Some(start);
        while let Some(d) = at {
            let dir = d.join(DIR);
            if dir.join(CONFIG).is_file() {
                return Ledger::open_dir(dir, actor);
            }
            at = d.parent();
        }
        Err(Error::NoLedger(start.to_path_buf()))
    }

    /// Open the ledger in `dir` (a `.beads/` directory).
    pub fn open_dir(dir: PathBuf, actor: &str) -> Result<Ledger> {
        let prefix = read_prefix(&dir)?.ok_or_else(|| {
            Error::Invalid(format!(
                "{}: no `prefix` setting; run `gt init --prefix <prefix>`",
                dir.join(CONFIG).display()
            ))
        })?;
        let path = dir.join(DB);
        let conn = Connection::open(&path)?;
        conn.busy_handler(Some(wait_for_lock))?;
        // Keep the WAL when the last connection closes: no checkpoint (two fsyncs) on
        // close and no new WAL (its header and directory fsynced) in the next command,
        // so a write command costs one fsync, not five. The WAL is checkpointed and
        // truncated by the write that takes it past WAL_LIMIT (see `write`).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        if schema::outdated(&conn)? {
            let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Immediate)?;
            schema::ensure(&tx)?;
            tx.commit()?;
        }
        let mut ledger = Ledger {
            conn,
            dir,
            prefix,
            actor: actor.to_owned(),
        };
        jsonl::import_if_changed(&mut ledger)?;
        Ok(ledger)
    }

    /// The repository root (the parent of `.beads/`).
    pub fn root(&self) -> &Path {
        self.dir.parent().unwrap_or(&self.dir)
    }

    /// Run `f` in a write transaction (taken immediately, so writers queue instead of
    /// failing); committed only when `f` succeeds.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let out = self.write_timed(f);
        count_time(start);
        out
    }

    fn write_timed<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = {
            let t = Tx::new(&tx, &self.prefix, &self.actor);
            let value = f(&t)?;
            if t.dirty.get() {
                // `issues.jsonl` is behind: flush has work (see `jsonl::flush`).
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES ('generation', '1')
                     ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                    [],
                )?;
            }
            value
        };
        tx.commit()?;
        self.trim_wal();
        Ok(value)
    }

    /// Checkpoint the WAL into the database and truncate it once it is past
    /// [`WAL_LIMIT`]. Every command opens the database afresh, and the first connection
    /// reads the whole WAL (SQLite's recovery), forgetting how much of it was already
    /// checkpointed; left to SQLite's auto-checkpoint alone, a WAL past 1000 pages would
    /// be re-copied by every write. Best effort: the commit is already durable, and a
    /// checkpoint kept waiting by other processes is retried by the next write.
    fn trim_wal(&self) {
        let wal = self.dir.join(format!("{DB}-wal"));
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_LIMIT) {
            let _ = self.conn.busy_timeout(Duration::from_millis(100));
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            let _ = self.conn.busy_handler(Some(wait_for_lock));
        }
    }

    /// Let SQLite cache up to `mb` megabytes of pages (default: about 2). For bulk work
    /// (imports), so that pages are not spilled to the log and written again.
    pub fn cache_mb(&self, mb: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -(mb * 1024))?;
        Ok(())
    }

    /// A number that changes whenever another connection commits to the database
    /// (SQLite's `data_version`): a cheap way for a waiting role to learn that the
    /// ledger moved, without reading it.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Run `f` on a consistent snapshot.
    pub fn read<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let out = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Deferred)?;
            let t = Tx::new(&tx, &self.prefix, &self.actor);
            f(&t)
        })();
        count_time(start);
        out
    }
}

/// Nanoseconds this process spent in ledger transactions ([`Ledger::read`] and
/// [`Ledger::write`], waiting for the lock included): what the village benchmark
/// reports as the share of time in ledger operations.
static IN_TRANSACTIONS: AtomicU64 = AtomicU64::new(0);

fn count_time(start: Instant) {
    let n = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    IN_TRANSACTIONS.fetch_add(n, Ordering::Relaxed);
}

/// The time this process has spent in ledger transactions so far.
pub fn time_in_transactions() -> Duration {
    Duration::from_nanos(IN_TRANSACTIONS.load(Ordering::Relaxed))
}

/// SQLite's busy handler: called with the number of earlier calls while another
/// connection holds the lock; whether to try again. Short sleeps first (20 µs, growing
/// to 1 ms), so a queue of writers hands the lock on within microseconds instead of
/// SQLite's default sleeps of 1 to 100 ms; gives up after [`BUSY_TIMEOUT`].
fn wait_for_lock(count: i32) -> bool {
    let c = u64::try_from(count).unwrap_or(0);
    // Time slept before this call: 20 µs * (1 + 2 + ... + c) up to 1 ms each, then 1 ms.
    let slept_us = if c <= 50 {
        10 * c * (c + 1)
    } else {
        25_500 + (c - 50) * 1000
    };
    if Duration::from_micros(slept_us) >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(Duration::from_micros((20 * (c + 1)).min(1000)));
    true
}

fn read_prefix(dir: &Path) -> Result<Option<String>> {
    let path = dir.join(CONFIG);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("prefix") {
            let value = rest.trim_start().strip_prefix('=').map(str::trim);
            if let Some(v) = value {
                return Ok(Some(v.trim_matches('"').to_owned()));
            }
        }
    }
    Ok(None)
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Write `text` to `path` atomically (see [`gtc::source::write_atomic`]).
pub fn write_atomic(path: &Path, text: &[u8]) -> Result<()> {
    gtc::source::write_atomic(path, text).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(n: usize) -> Issue {
        Issue {
            id: format!("t-{n:05}"),
            title: format!("issue {n} {}", "x".repeat(400)),
            created_at: time::now(),
            updated_at: time::now(),
            ..Issue::default()
        }
    }

    #[test]
    fn a_large_write_leaves_a_short_wal_and_survives_reopening() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let wal = tmp.path().join(DIR).join(format!("{DB}-wal"));
        let mut ledger = Ledger::init(tmp.path(), "t", "test").unwrap_or_else(|e| panic!("{e}"));
        let issues: Vec<Issue> = (0..5000).map(issue).collect();
        ledger
            .write(|tx| tx.put_many(&issues))
            .unwrap_or_else(|e| panic!("{e}"));
        let len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert!(len <= WAL_LIMIT, "the WAL is {len} bytes after the write");
        // Small writes after it leave the WAL in place (no checkpoint on close) ...
        for n in 5000..5010 {
            ledger
                .write(|tx| tx.put(&issue(n)))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        drop(ledger);
        assert!(std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0));
        // ... and the next opener reads them from it.
        let mut again =
            Ledger::open_dir(tmp.path().join(DIR), "test").unwrap_or_else(|e| panic!("{e}"));
        let n = again
            .read(|tx| Ok(tx.all()?.len()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 5010);
    }
}

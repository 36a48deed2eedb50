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
/// How many prepared statements a connection keeps (every distinct query the runtime
/// makes fits).
const STATEMENT_CACHE: usize = 256;
/// The WAL size past which a write checkpoints and truncates it.
const WAL_LIMIT: u64 = 1 << 20;

/// How far a committed transaction is durable.
///
/// Every commit is atomic, and survives the process being killed (`kill -9`) at any
/// point either way: in WAL mode a commit is in the log, in the operating system's
/// hands, before `COMMIT` returns. What differs is an operating-system crash or a power
/// loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// The log is fsynced at every commit (`synchronous=FULL`), so a commit also
    /// survives a power loss. The default: every `gt` command a person runs.
    PowerLoss,
    /// No fsync at commit (`synchronous=NORMAL`; checkpoints still sync): a power loss
    /// may roll back the last commits, never corrupt the ledger. For the village's role
    /// processes, whose every step is several commits and whose work is redone when its
    /// record is lost (see ARCHITECTURE.md, "The village").
    ProcessCrash,
}

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
        // rusqlite keeps 16 prepared statements by default; a step's transaction in the
        // village uses more, and a statement pushed out is compiled again next time
        // (SQL parsing was an eighth of a polecat's time).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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
        let out = self.write_timed(f, start);
        count_time(start);
        STATS.writes.fetch_add(1, Ordering::Relaxed);
        out
    }

    fn write_timed<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>, start: Instant) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        add_nanos(&STATS.lock_wait, start);
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

    /// Choose how far this connection's commits are durable (see [`Durability`]);
    /// [`Durability::PowerLoss`] unless changed.
    pub fn set_durability(&self, d: Durability) -> Result<()> {
        let level = match d {
            Durability::PowerLoss => "FULL",
            Durability::ProcessCrash => "NORMAL",
        };
        self.conn.pragma_update(None, "synchronous", level)?;
        Ok(())
    }

    /// How far this connection's commits are durable.
    pub fn durability(&self) -> Result<Durability> {
        let level: i64 = self
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))?;
        // SQLite's levels: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        match level {
            1 => Ok(Durability::ProcessCrash),
            2 | 3 => Ok(Durability::PowerLoss),
            other => Err(Error::Invalid(format!(
                "the ledger connection runs with synchronous level {other}, which this version never sets"
            ))),
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
        add_nanos(&STATS.reading, start);
        STATS.reads.fetch_add(1, Ordering::Relaxed);
        out
    }
}

/// What this process did in the ledger so far: what the village benchmark reports as
/// the share of time in ledger operations (`GT_LEDGER_STATS`).
struct Stats {
    /// Nanoseconds in transactions ([`Ledger::read`] and [`Ledger::write`], waiting
    /// for the lock included).
    total: AtomicU64,
    /// Nanoseconds spent waiting for the write lock.
    lock_wait: AtomicU64,
    /// Nanoseconds in read transactions.
    reading: AtomicU64,
    writes: AtomicU64,
    reads: AtomicU64,
}

static STATS: Stats = Stats {
    total: AtomicU64::new(0),
    lock_wait: AtomicU64::new(0),
    reading: AtomicU64::new(0),
    writes: AtomicU64::new(0),
    reads: AtomicU64::new(0),
};

fn add_nanos(to: &AtomicU64, start: Instant) {
    let n = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    to.fetch_add(n, Ordering::Relaxed);
}

fn count_time(start: Instant) {
    add_nanos(&STATS.total, start);
}

/// The time this process has spent in ledger transactions so far.
pub fn time_in_transactions() -> Duration {
    Duration::from_nanos(STATS.total.load(Ordering::Relaxed))
}

/// This process's ledger work so far, in the order `GT_LEDGER_STATS` files list it
/// after the time alive: write transactions, nanoseconds waiting for the write lock,
/// read transactions, nanoseconds in them.
pub fn transaction_counts() -> [u64; 4] {
    [
        STATS.writes.load(Ordering::Relaxed),
        STATS.lock_wait.load(Ordering::Relaxed),
        STATS.reads.load(Ordering::Relaxed),
        STATS.reading.load(Ordering::Relaxed),
    ]
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
    fn a_version_4_database_gets_its_target_open_marks_on_upgrade() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ledger = Ledger::init(tmp.path(), "t", "test").unwrap_or_else(|e| panic!("{e}"));
        let mut a = issue(1);
        let mut b = issue(2);
        let c = issue(3);
        b.status = String::from("closed");
        a.dependencies = vec![
            Dependency::new(&a.id, &b.id, "blocks"),
            Dependency::new(&a.id, &c.id, "blocks"),
            Dependency::new(&a.id, "t-gone", "blocks"),
            Dependency::new(&a.id, &c.id, "related"),
        ];
        ledger
            .write(|tx| tx.put_many(&[b.clone(), c.clone(), a.clone()]))
            .unwrap_or_else(|e| panic!("{e}"));
        // What version 4 left: no marks, no index.
        ledger
            .conn
            .execute_batch(
                "UPDATE deps SET target_open = 0; DROP INDEX deps_open_blockers; PRAGMA user_version = 4;",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        drop(ledger);
        let mut again =
            Ledger::open_dir(tmp.path().join(DIR), "test").unwrap_or_else(|e| panic!("{e}"));
        let (stale, open) = again
            .read(|tx| {
                let open: Vec<String> = tx
                    .conn()
                    .prepare("SELECT depends_on_id FROM deps WHERE target_open = 1")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok((blocked::stale_edge_marks(tx)?, open))
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(stale.is_empty(), "{stale:?}");
        assert_eq!(open, vec![c.id.clone()]);
        // Closing the last open blocker frees `a`.
        let mut c = c;
        c.status = String::from("closed");
        again
            .write(|tx| tx.put(&c))
            .unwrap_or_else(|e| panic!("{e}"));
        let blocked = again
            .read(|tx| tx.is_blocked(&a.id))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!blocked);
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

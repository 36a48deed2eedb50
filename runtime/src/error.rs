//! The one error type of the runtime. Every refusal says why and, where it can, what to do.

use std::fmt;
use std::path::PathBuf;

/// What went wrong.
#[derive(Debug)]
pub enum Error {
    /// No `.beads/` ledger here or above.
    NoLedger(PathBuf),
    /// An id that is not in the ledger; `near` lists close matches.
    NotFound { id: String, near: Vec<String> },
    /// The operation was refused; the message says why.
    Refused(String),
    /// Bad arguments or input.
    Invalid(String),
    /// A file could not be read or written.
    Io { path: PathBuf, err: std::io::Error },
    /// The database failed.
    Db(rusqlite::Error),
    /// The issue was deleted (a tombstone).
    Deleted {
        id: String,
        at: String,
        by: Option<String>,
    },
    /// A record could not be written as JSON.
    Encode(crate::ledger::record::EncodeError),
    /// An agent acted on behalf of an earlier incarnation: a newer generation of it is
    /// registered, so what it does is refused (it should stop).
    Superseded {
        agent: String,
        generation: u64,
        current: u64,
    },
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// `Error::Io` for `path`.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            err,
        }
    }

    /// The process exit status for this error: 2 for usage and environment problems,
    /// 1 for refusals and missing ids.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Refused(_)
            | Error::NotFound { .. }
            | Error::Deleted { .. }
            | Error::Superseded { .. } => 1,
            Error::NoLedger(_)
            | Error::Invalid(_)
            | Error::Io { .. }
            | Error::Db(_)
            | Error::Encode(_) => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoLedger(dir) => write!(
                f,
                "no ledger: neither {} nor a parent holds .beads/\nhelp: create one with `gt init --prefix <prefix>`",
                dir.display()
            ),
            Error::NotFound { id, near } => {
                write!(f, "no issue `{id}` in the ledger")?;
                if !near.is_empty() {
                    write!(f, "\nhelp: did you mean {}?", near.join(", "))?;
                }
                Ok(())
            }
            Error::Refused(why) | Error::Invalid(why) => f.write_str(why),
            Error::Io { path, err } => write!(f, "{}: {err}", path.display()),
            Error::Db(e) => write!(f, "ledger database: {e}"),
            Error::Deleted { id, at, by } => {
                write!(f, "`{id}` was deleted at {at}")?;
                if let Some(by) = by {
                    write!(f, " by {by}")?;
                }
                Ok(())
            }
            Error::Encode(e) => write!(f, "{e}"),
            Error::Superseded {
                agent,
                generation,
                current,
            } => write!(
                f,
                "{agent} generation {generation} is superseded by generation {current}; it no longer acts"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Db(e)
    }
}

//! The git layer of the ledger: three-way merge of JSONL ledgers ([`merge`]),
//! thin wrappers over `gix` ([`repo`]) and the commit / fetch / merge / push
//! cycle ([`sync`]); and the rigs' repositories for the village ([`work`]: worktrees,
//! step branches, rebase, fast-forward, through the `git` program).
//!
//! The ledger exports `.beads/issues.jsonl` before calling [`sync::sync`] and
//! re-imports it afterwards; this module deals only with that file and with git.

pub mod merge;
pub mod repo;
pub mod sync;
pub mod work;

pub use merge::{
    ConflictKind, CorruptLine, FieldConflict, MergeResult, Side, merge_jsonl, normalize_jsonl,
};
pub use repo::{Repo, RepoError};
pub use sync::{SyncError, SyncOptions, SyncReport, sync, sync_with};

#[cfg(test)]
mod work_tests;

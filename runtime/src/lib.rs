//! `gt`: the runtime. It keeps the beads ledger (`.beads/`), pours cooked formulas into
//! molecules, and answers what is ready, who holds what, and why.
//!
//! [`ledger`] is the store (records, readiness, JSONL); [`work`] the operations every
//! caller shares (claim, close, pin, mail, why ...); [`mol`] the molecule operations over
//! it; [`git`] commits, merges and pushes the ledger; [`cli`] the `gt` command line. The compiler (`gtc`) cooks formulas; this crate depends on it, never the reverse.

pub mod agent;
pub mod cli;
pub mod error;
pub mod flow;
pub mod git;
pub mod ledger;
pub mod mol;
pub mod roles;
pub mod run;
pub mod town;
pub mod work;

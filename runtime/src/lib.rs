//! `gt`: the runtime that pours cooked protos into the beads ledger.
//!
//! Planned (see the ledger issue). Until then this crate only pins the
//! layering: it depends on the compiler, never the reverse.

pub mod git;

//! What happens to a step on its way through the village, as ledger transactions:
//!
//! - [`exits`]: how an attempt ends: COMPLETED, BLOCKED, REFACTOR, ESCALATE, or failed;
//! - [`queue`]: the merge queue: merge requests submitted by polecats, taken first-in
//!   first-out by the refinery, landed or rejected;
//! - [`complete`]: a finished step closed, with what its formula says happens then:
//!   [`loops`] (`until` loops), [`on_complete`] (for-each bonds), parents closed with
//!   their last child;
//! - [`gates`]: gates evaluated by the deacon, approved by people;
//! - [`condition`]: the runtime condition language evaluated over the ledger.

pub mod complete;
pub mod condition;
pub mod exits;
pub mod gates;
pub mod loops;
pub mod on_complete;
pub mod queue;

use std::path::PathBuf;

/// What the flow needs to know about the town.
#[derive(Clone, Debug)]
pub struct FlowCtx {
    /// The town's root (relative paths in conditions start here).
    pub root: PathBuf,
    /// Where formulas are found (for `on_complete` bonds).
    pub load: gtc::driver::LoadOptions,
    /// Who escalations are mailed to.
    pub overseer: String,
    /// The village's `max_attempts`.
    pub max_attempts: u32,
}

//! The deacon's patrol cycle as a formula: `mol-deacon-patrol` (the stdlib's, or a
//! town's own that shadows it) is cooked once when the deacon starts; each cycle it is
//! poured as a wisp, the deacon carries out each step itself (in the proto's order,
//! which follows `needs`), closes it, and squashes the finished cycle into a digest.
//!
//! The deacon knows the steps `keep-roles`, `check-gates` and `heartbeat`; a patrol with
//! any other step is refused when the deacon starts (it could not be carried out).

use crate::error::{Error, Result};
use crate::ledger::Tx;
use crate::mol::proto::Proto;
use std::collections::BTreeMap;

/// The deacon's patrol formula.
pub const FORMULA: &str = "mol-deacon-patrol";

/// What a patrol step makes the deacon do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    KeepRoles,
    CheckGates,
    Heartbeat,
}

impl Action {
    fn of(step: &str) -> Option<Action> {
        match step {
            "keep-roles" => Some(Action::KeepRoles),
            "check-gates" => Some(Action::CheckGates),
            "heartbeat" => Some(Action::Heartbeat),
            _ => None,
        }
    }
}

/// The cooked patrol: its proto and the action of each step (relative id).
pub struct Patrol {
    proto: Proto,
    pub steps: Vec<(String, Action)>,
}

/// A poured cycle: its wisp root and the step ids, with their actions.
pub struct Cycle {
    pub root: String,
    pub steps: Vec<(String, Action)>,
}

impl Patrol {
    /// Cook the patrol formula (found on the town's search path).
    pub fn load(load: &gtc::driver::LoadOptions) -> Result<Patrol> {
        let (proto, _) = crate::mol::pour::cook(FORMULA, &BTreeMap::new(), load)?;
        let mut steps = Vec::new();
        for issue in proto.issues.iter().skip(1) {
            let action = Action::of(&issue.rel).ok_or_else(|| {
                Error::Refused(format!(
                    "the deacon's patrol `{FORMULA}` has the step `{}`, which the deacon cannot carry out; its steps are keep-roles, check-gates and heartbeat",
                    issue.rel
                ))
            })?;
            steps.push((issue.rel.clone(), action));
        }
        Ok(Patrol { proto, steps })
    }

    /// Pour a cycle as a wisp.
    pub fn pour(&self, tx: &Tx, deacon: &str) -> Result<Cycle> {
        let poured =
            crate::mol::pour::instantiate(tx, &self.proto, &BTreeMap::new(), true, Some(deacon))?;
        let mut steps = Vec::with_capacity(self.steps.len());
        for (rel, action) in &self.steps {
            let id = poured.id_mapping.get(rel).ok_or_else(|| {
                Error::Invalid(format!("the patrol's step `{rel}` was not poured"))
            })?;
            steps.push((id.clone(), *action));
        }
        Ok(Cycle {
            root: poured.new_epic_id,
            steps,
        })
    }
}

/// Close step `id` of a cycle (the root with its last step).
pub fn done(tx: &Tx, id: &str, by: &str) -> Result<()> {
    crate::work::close::close(tx, id, Some(&format!("done by {by}")), false)?;
    Ok(())
}

/// Squash a finished cycle into its digest; the digest's id.
pub fn squash(tx: &Tx, cycle: &Cycle) -> Result<String> {
    let s = crate::mol::squash::squash(tx, &cycle.root, Some("deacon patrol cycle"), false, false)?;
    Ok(s.digest_id)
}

//! Convoy formulas (Gas Town's `legs` + `synthesis`) as steps, the way Gas Town runs them
//! (`gt formula run`): one step per leg, all in parallel, then a synthesis step that needs
//! the legs its `depends_on` names, or every leg when it names none. The reference `bd
//! cook` knows no legs and cooks a convoy to nothing.

use super::from_model::{self, Origin};
use super::types::RStep;
use crate::model::Formula;

/// The id a synthesis without an `id` gets.
pub(crate) const SYNTHESIS_ID: &str = "synthesis";

/// `f`'s legs and synthesis as steps (none unless it has legs).
pub(crate) fn steps(f: &Formula, origin: &Origin) -> Vec<RStep> {
    if f.legs.is_empty() {
        return Vec::new();
    }
    let mut out = from_model::steps(&f.legs, "legs", origin);
    for leg in &mut out {
        leg.needs.clear();
        leg.source.history.push(String::from(
            "a convoy leg: runs in parallel with the others",
        ));
    }
    if let Some(syn) = &f.synthesis {
        let mut s = from_model::step(syn, String::from(SYNTHESIS_ID), origin);
        if s.id.is_empty() {
            s.id = String::from(SYNTHESIS_ID);
        }
        if s.needs.is_empty() {
            s.needs = out.iter().map(|l| l.id.clone()).collect();
            s.source
                .history
                .push(String::from("the convoy's synthesis: needs every leg"));
        } else {
            s.source.history.push(String::from(
                "the convoy's synthesis: needs the legs its depends_on names",
            ));
        }
        out.push(s);
    }
    out
}

//! The roles' patrol cycles as formulas: the deacon's `mol-deacon-patrol`, the witness's
//! `mol-witness-patrol` and the refinery's `mol-refinery-patrol` (the stdlib's, or a
//! town's own that shadows them) are cooked once when the role starts; each cycle is
//! poured as a wisp assigned to the role's agent, the role carries out each step itself
//! (in the proto's order, which follows `needs`), closes it, and squashes the finished
//! cycle into a digest.
//!
//! A role knows its patrol's step ids ([`Action`]); a patrol with any other step is
//! refused when the role starts (it could not be carried out). A cycle whose action
//! fails is burned, not left half open ([`run_cycle`]); the wisps an earlier generation
//! left unfinished (it was killed mid-cycle) are burned when the next one starts
//! ([`burn_unfinished`]).

use super::{RoleEnv, log};
use crate::error::{Error, Result};
use crate::ledger::{Ledger, Tx};
use crate::mol::proto::Proto;
use crate::town::agents::Me;
use std::collections::BTreeMap;

/// The steps a role can carry out, by their ids in its patrol formula.
pub trait Action: Copy + Sized + 'static {
    /// The patrol formula.
    const FORMULA: &'static str;
    /// The role, for messages.
    const ROLE: &'static str;
    /// The step ids it knows, each with its action, in the stdlib patrol's order.
    const STEPS: &'static [(&'static str, Self)];

    /// The action of step `id`, if the role knows it.
    fn of(id: &str) -> Option<Self> {
        Self::STEPS.iter().find(|(s, _)| *s == id).map(|(_, a)| *a)
    }

    /// The step ids it knows, for messages: `a, b and c`.
    fn known() -> String {
        let ids: Vec<&str> = Self::STEPS.iter().map(|(s, _)| *s).collect();
        match ids.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => ids.join(""),
        }
    }
}

/// The cooked patrol: its proto and the action of each step (relative id).
pub struct Patrol<A> {
    proto: Proto,
    vars: BTreeMap<String, String>,
    pub steps: Vec<(String, A)>,
}

/// A poured cycle: its wisp root and the step ids, with their actions.
pub struct Cycle<A> {
    pub root: String,
    pub steps: Vec<(String, A)>,
}

impl<A: Action> Patrol<A> {
    /// Cook the patrol formula (found on the town's search path) with `vars`.
    pub fn load(
        vars: BTreeMap<String, String>,
        load: &gtc::driver::LoadOptions,
    ) -> Result<Patrol<A>> {
        let (proto, _) = crate::mol::pour::cook(A::FORMULA, &vars, load)?;
        let mut steps = Vec::new();
        for issue in proto.issues.iter().skip(1) {
            let action = A::of(&issue.rel).ok_or_else(|| {
                Error::Refused(format!(
                    "the {}'s patrol `{}` has the step `{}`, which the {} cannot carry out; its steps are {}",
                    A::ROLE,
                    A::FORMULA,
                    issue.rel,
                    A::ROLE,
                    A::known()
                ))
            })?;
            steps.push((issue.rel.clone(), action));
        }
        Ok(Patrol { proto, vars, steps })
    }

    /// Pour a cycle as a wisp assigned to `agent`.
    pub fn pour(&self, tx: &Tx, agent: &str) -> Result<Cycle<A>> {
        let poured = crate::mol::pour::instantiate(tx, &self.proto, &self.vars, true, Some(agent))?;
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

/// A role's patrol as it starts: cooked with `vars`, and the cycles an earlier
/// generation of `me` left unfinished burned.
pub fn start<A: Action>(
    env: &mut RoleEnv,
    me: &Me,
    vars: BTreeMap<String, String>,
) -> Result<Patrol<A>> {
    let patrol = Patrol::<A>::load(vars, &env.flow.load)?;
    let left = env.ledger.write(|tx| burn_unfinished::<A>(tx, &me.name))?;
    if left > 0 {
        log(
            &me.name,
            me.generation,
            &format!("burned {left} patrol cycle(s) an earlier generation left unfinished"),
        );
    }
    Ok(patrol)
}

/// One cycle of `patrol` for `agent`: poured, each step's action carried out by `act`
/// (on `cx`, whose ledger `ledger` gives) and its step closed, the cycle squashed; the
/// digest's id. When an action or a close fails, the cycle is burned and the failure
/// returned (a burn that fails too is reported with it).
pub fn run_cycle<A: Action, C>(
    cx: &mut C,
    ledger: fn(&mut C) -> &mut Ledger,
    patrol: &Patrol<A>,
    agent: &str,
    mut act: impl FnMut(&mut C, A) -> Result<()>,
) -> Result<String> {
    let c = ledger(cx).write(|tx| patrol.pour(tx, agent))?;
    let done = (|| {
        for (id, action) in &c.steps {
            act(cx, *action)?;
            ledger(cx).write(|tx| close(tx, id, agent))?;
        }
        ledger(cx).write(|tx| squash(tx, &c.root, A::ROLE))
    })();
    match done {
        Ok(digest) => Ok(digest),
        Err(e) => match ledger(cx).write(|tx| burn(tx, &c.root)) {
            Ok(()) => Err(e),
            Err(b) => Err(Error::Invalid(format!(
                "{e}; and its patrol cycle {} could not be burned: {b}",
                c.root
            ))),
        },
    }
}

/// Burn the patrol wisps of `A::FORMULA` assigned to `agent` that are not closed (an
/// earlier generation was killed mid-cycle); how many.
pub fn burn_unfinished<A: Action>(tx: &Tx, agent: &str) -> Result<usize> {
    let mut stmt = tx.conn().prepare_cached(
        "SELECT id FROM issues WHERE ephemeral = 1 AND assignee = ?1 AND status != 'closed'
           AND json_extract(record, '$.source_formula') = ?2
           AND NOT EXISTS (SELECT 1 FROM deps WHERE deps.issue_id = issues.id AND deps.type = 'parent-child')",
    )?;
    let roots: Vec<String> = stmt
        .query_map([agent, A::FORMULA], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for root in &roots {
        burn(tx, root)?;
    }
    Ok(roots.len())
}

/// Close step `id` of a cycle.
fn close(tx: &Tx, id: &str, by: &str) -> Result<()> {
    crate::work::close::close(tx, id, Some(&format!("done by {by}")), false)?;
    Ok(())
}

/// Squash a finished cycle into its digest; the digest's id.
fn squash(tx: &Tx, root: &str, role: &str) -> Result<String> {
    let s = crate::mol::squash::squash(
        tx,
        root,
        Some(&format!("{role} patrol cycle")),
        false,
        false,
    )?;
    Ok(s.digest_id)
}

fn burn(tx: &Tx, root: &str) -> Result<()> {
    crate::mol::burn::burn(tx, &[root.to_owned()], true)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every step of the deacon's patrol, for tests of the cycle itself.
    #[derive(Clone, Copy)]
    struct Any;

    impl Action for Any {
        const FORMULA: &'static str = "mol-deacon-patrol";
        const ROLE: &'static str = "tester";
        const STEPS: &'static [(&'static str, Any)] = &[];
        fn of(_: &str) -> Option<Any> {
            Some(Any)
        }
    }

    fn ok<T>(r: Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    fn town() -> (tempfile::TempDir, Ledger, Patrol<Any>) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ledger = ok(Ledger::init(tmp.path(), "t", "tester"));
        let patrol = ok(Patrol::<Any>::load(
            BTreeMap::new(),
            &super::super::load_options(tmp.path()),
        ));
        (tmp, ledger, patrol)
    }

    /// The issues poured from the patrol formula: (id, status, title).
    fn of_patrol(ledger: &mut Ledger) -> Vec<(String, String, String)> {
        ok(ledger.read(|tx| tx.all()))
            .into_iter()
            .filter(|i| i.source_formula.as_deref() == Some(Any::FORMULA))
            .map(|i| (i.id, i.status, i.title))
            .collect()
    }

    #[test]
    fn each_role_carries_out_every_step_of_its_stdlib_patrol() {
        use super::super::{deacon, refinery, witness};
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let load = super::super::load_options(tmp.path());
        let d = ok(Patrol::<deacon::Step>::load(BTreeMap::new(), &load));
        assert_eq!(d.steps.len(), deacon::Step::STEPS.len());
        let w = ok(Patrol::<witness::Step>::load(
            witness::patrol_vars("app"),
            &load,
        ));
        assert_eq!(w.steps.len(), witness::Step::STEPS.len());
        let r = ok(Patrol::<refinery::Step>::load(
            refinery::patrol_vars("app", Some("trunk")),
            &load,
        ));
        assert_eq!(r.steps.len(), refinery::Step::STEPS.len());
        assert_eq!(
            deacon::Step::known(),
            "keep-roles, check-gates and heartbeat"
        );
    }

    #[test]
    fn a_finished_cycle_leaves_its_closed_root_and_its_digest() {
        let (_tmp, mut ledger, patrol) = town();
        let mut done = 0;
        let digest = ok(run_cycle(
            &mut ledger,
            |l| l,
            &patrol,
            "t/agent",
            |_, _| {
                done += 1;
                Ok(())
            },
        ));
        assert_eq!(done, patrol.steps.len());
        let left = of_patrol(&mut ledger);
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].1, "closed");
        let d = ok(ledger.read(|tx| tx.require(&digest)));
        assert_eq!(d.title, format!("Digest: {}", Any::FORMULA));
    }

    #[test]
    fn a_cycle_that_fails_mid_way_is_burned_and_its_failure_returned() {
        let (_tmp, mut ledger, patrol) = town();
        let mut n = 0;
        let e = run_cycle(
            &mut ledger,
            |l| l,
            &patrol,
            "t/agent",
            |_, _| {
                n += 1;
                if n == 2 {
                    Err(Error::Invalid(String::from("the second step failed")))
                } else {
                    Ok(())
                }
            },
        );
        match e {
            Err(Error::Invalid(m)) => assert_eq!(m, "the second step failed"),
            other => panic!("{:?}", other.map(|_| ())),
        }
        assert_eq!(n, 2, "nothing after the failed step is carried out");
        assert_eq!(of_patrol(&mut ledger), Vec::new());
    }

    #[test]
    fn unfinished_cycles_of_the_agent_are_burned_and_no_one_elses() {
        let (_tmp, mut ledger, patrol) = town();
        // A killed generation's cycle (one step closed) and another agent's.
        let mine = ok(ledger.write(|tx| patrol.pour(tx, "t/agent")));
        ok(ledger.write(|tx| close(tx, &mine.steps[0].0, "t/agent")));
        let theirs = ok(ledger.write(|tx| patrol.pour(tx, "t/other")));
        let burned = ok(ledger.write(|tx| burn_unfinished::<Any>(tx, "t/agent")));
        assert_eq!(burned, 1);
        let left = of_patrol(&mut ledger);
        assert!(
            left.iter().all(|(id, _, _)| id.starts_with(&theirs.root)),
            "{left:?}"
        );
        assert_eq!(left.len(), 1 + theirs.steps.len());
        // Nothing left to burn the second time.
        assert_eq!(
            ok(ledger.write(|tx| burn_unfinished::<Any>(tx, "t/agent"))),
            0
        );
    }
}

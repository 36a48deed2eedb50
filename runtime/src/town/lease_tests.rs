//! Identity, generations and leases against a real ledger.

use super::agents::{self, Phase, Role};
use super::lease::{self, Expired};
use super::process::ProcId;
use crate::error::Error;
use crate::ledger::Ledger;
use crate::mol::proto::{Proto, ProtoEdge, ProtoIssue};

fn ledger() -> (tempfile::TempDir, Ledger) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let l = Ledger::init(tmp.path(), "t", "test").unwrap_or_else(|e| panic!("{e}"));
    (tmp, l)
}

fn step(rel: &str) -> ProtoIssue {
    ProtoIssue {
        rel: rel.to_owned(),
        title: rel.to_owned(),
        issue_type: String::from("task"),
        priority: 2,
        ..ProtoIssue::default()
    }
}

fn edge(from: &str, to: &str, kind: &'static str) -> ProtoEdge {
    ProtoEdge {
        from: from.to_owned(),
        to: to.to_owned(),
        kind,
        metadata: None,
    }
}

/// A molecule `a -> b` plus an independent `c`; its root id.
pub(crate) fn molecule(l: &mut Ledger) -> String {
    let mut root = step("");
    root.issue_type = String::from("molecule");
    let proto = Proto {
        formula: String::from("mol-t"),
        issues: vec![root, step("a"), step("b"), step("c")],
        edges: vec![
            edge("a", "", "parent-child"),
            edge("b", "", "parent-child"),
            edge("c", "", "parent-child"),
            edge("b", "a", "blocks"),
        ],
        ..Proto::default()
    };
    l.write(|tx| crate::mol::pour::instantiate(tx, &proto, &Default::default(), false, None))
        .unwrap_or_else(|e| panic!("{e}"))
        .new_epic_id
}

fn me_proc() -> ProcId {
    ProcId::current().unwrap_or_else(|e| panic!("{e}"))
}

/// Register (or restart) the polecat `name` of rig `app`.
fn register(l: &mut Ledger, name: &str) -> agents::Registered {
    l.write(|tx| agents::register(tx, name, Role::Polecat, Some("app"), me_proc()))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn each_start_is_a_new_generation_and_the_old_one_is_refused() {
    let (_t, mut l) = ledger();
    let r1 = register(&mut l, "app/polecat-1");
    assert_eq!(r1.me.generation, 1);
    let r2 = register(&mut l, "app/polecat-1");
    assert_eq!(r2.me.generation, 2);
    assert_eq!(r2.agent.state.respawns, 1);
    let old = l.write(|tx| agents::heartbeat(tx, &r1.me, None));
    assert!(
        matches!(
            old,
            Err(Error::Superseded {
                generation: 1,
                current: 2,
                ..
            })
        ),
        "{old:?}"
    );
    l.write(|tx| agents::heartbeat(tx, &r2.me, Some(Phase::Idle)))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_most_urgent_ready_step_is_taken_once_and_the_lease_is_recorded() {
    let (_t, mut l) = ledger();
    let mol = molecule(&mut l);
    let p1 = register(&mut l, "app/polecat-1").me;
    let p2 = register(&mut l, "app/polecat-2").me;
    let s1 = l
        .write(|tx| lease::acquire_next(tx, &p1, &mol))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing ready"));
    let s2 = l
        .write(|tx| lease::acquire_next(tx, &p2, &mol))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing ready"));
    assert_ne!(s1.id, s2.id, "one step, one taker");
    let mut taken = vec![s1.id.clone(), s2.id.clone()];
    taken.sort();
    assert_eq!(
        taken,
        [format!("{mol}.a"), format!("{mol}.c")],
        "b waits for a"
    );
    let a = l
        .read(|tx| agents::require(tx, "app/polecat-1"))
        .unwrap_or_else(|e| panic!("{e}"));
    let lease = a.state.lease.unwrap_or_else(|| panic!("no lease"));
    assert_eq!((lease.step.as_str(), lease.generation), (s1.id.as_str(), 1));
    assert_eq!(a.state.phase, Phase::Working);
    // A second lease while holding one is refused; nothing else is ready anyway.
    assert!(l.write(|tx| lease::acquire_next(tx, &p1, &mol)).is_err());
}

#[test]
fn a_step_given_back_is_ready_again_with_its_attempt_noted() {
    let (_t, mut l) = ledger();
    let mol = molecule(&mut l);
    let p = register(&mut l, "app/polecat-1").me;
    let s = l
        .write(|tx| lease::acquire_next(tx, &p, &mol))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing ready"));
    let back = l
        .write(|tx| lease::give_back(tx, &p, &s.id, "failed", true, "the agent failed"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.status, "open");
    assert_eq!(back.assignee, None);
    assert_eq!(lease::next_attempt(&back), 2);
    assert_eq!(lease::failures(&back), 1);
    assert!(
        back.comments[0]
            .text
            .starts_with("[gt] attempt 1 failed: the agent failed")
    );
    let again = l
        .write(|tx| lease::acquire_next(tx, &p, &mol))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.is_some());
}

#[test]
fn an_expired_lease_returns_the_step_only_for_the_generation_judged() {
    let (_t, mut l) = ledger();
    let mol = molecule(&mut l);
    let p = register(&mut l, "app/polecat-1").me;
    let s = l
        .write(|tx| lease::acquire_next(tx, &p, &mol))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing ready"));
    // A judgement about generation 0 (before this one) changes nothing.
    let stale = l
        .write(|tx| lease::expire(tx, "app/polecat-1", 0, "stuck"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stale, Expired::Stale { current: 1 });
    let held = l
        .read(|tx| tx.require(&s.id))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(held.status, "in_progress");
    let done = l
        .write(|tx| lease::expire(tx, "app/polecat-1", 1, "no heartbeat for 30s"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        done,
        Expired::Released {
            step: Some(s.id.clone())
        }
    );
    let back = l
        .read(|tx| tx.require(&s.id))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.status, "open");
    // The expired generation cannot finish its work any more.
    let late = l.write(|tx| lease::check(tx, &p, &s.id));
    assert!(matches!(late, Err(Error::Superseded { .. })), "{late:?}");
}

#[test]
fn a_new_generation_returns_the_step_its_predecessor_held() {
    let (_t, mut l) = ledger();
    let mol = molecule(&mut l);
    let p1 = register(&mut l, "app/polecat-1").me;
    let s = l
        .write(|tx| lease::acquire_next(tx, &p1, &mol))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing ready"));
    let r2 = register(&mut l, "app/polecat-1");
    assert_eq!(r2.released.as_deref(), Some(s.id.as_str()));
    let step = l
        .read(|tx| tx.require(&s.id))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(step.status, "open");
    assert_eq!(lease::failures(&step), 1);
    // The old generation's late give-back is refused: it is news about an earlier incarnation.
    let late = l.write(|tx| lease::give_back(tx, &p1, &s.id, "failed", true, "late"));
    assert!(matches!(late, Err(Error::Superseded { .. })), "{late:?}");
}

#[test]
fn a_pinned_single_issue_is_its_own_step() {
    let (_t, mut l) = ledger();
    let id = l
        .write(|tx| {
            let issue = crate::ledger::Issue {
                id: tx.fresh_id("", "fix it")?,
                title: String::from("fix it"),
                status: String::from("open"),
                priority: 1,
                issue_type: String::from("bug"),
                created_at: crate::ledger::time::now(),
                updated_at: crate::ledger::time::now(),
                ..crate::ledger::Issue::default()
            };
            tx.put(&issue)?;
            crate::work::pin::pin(tx, &issue.id, "app/polecat-9", false)?;
            Ok(issue.id)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let p = register(&mut l, "app/polecat-9").me;
    let s = l
        .write(|tx| lease::acquire_next(tx, &p, &id))
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the pinned issue is not taken"));
    assert_eq!(s.id, id);
    assert_eq!(s.status, "in_progress");
}

#[test]
fn lifecycle_mail_about_an_earlier_generation_is_ignored() {
    use super::lifecycle::{self, Lifecycle, Received, Verb};
    let (_t, mut l) = ledger();
    for _ in 0..2 {
        register(&mut l, "app/polecat-1");
    }
    let about = |generation| Lifecycle {
        verb: Verb::Respawn,
        agent: String::from("app/polecat-1"),
        generation,
    };
    let (stale, fresh, future, junk) = l
        .write(|tx| {
            Ok((
                lifecycle::send(tx, "app/witness", &about(1), None)?,
                lifecycle::send(tx, "app/witness", &about(2), None)?,
                lifecycle::send(tx, "app/witness", &about(7), None)?,
                crate::work::mail::send(tx, "app/witness", "LIFECYCLE respawn", None)?,
            ))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let got = l
        .write(|tx| {
            Ok([
                lifecycle::handle(tx, &stale)?,
                lifecycle::handle(tx, &fresh)?,
                lifecycle::handle(tx, &future)?,
                lifecycle::handle(tx, &junk)?,
            ])
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got[0], Received::Stale(about(1), 2));
    assert_eq!(got[1], Received::Fresh(about(2)));
    assert!(matches!(got[2], Received::Rejected(_)));
    assert!(matches!(got[3], Received::Rejected(_)));
    let reason = l
        .read(|tx| tx.require(&stale.id))
        .unwrap_or_else(|e| panic!("{e}"))
        .close_reason
        .unwrap_or_default();
    assert!(
        reason.starts_with("ignored: about generation 1"),
        "{reason}"
    );
    let inbox = l
        .read(|tx| crate::work::mail::inbox(tx, "app/witness", false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        inbox.is_empty(),
        "every lifecycle message was handled: {inbox:?}"
    );
}

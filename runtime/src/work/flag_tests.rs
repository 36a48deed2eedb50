//! The stored `blocked` flag against [`blockers`] computed from scratch, after random
//! sequences of the write paths (put, put_many, delete, import, close, pin-like status
//! changes, edge changes, molecule removal).

use super::close::close as close_one;
use crate::ledger::blocked::{blockers, recompute_all, stale_edge_marks};
use crate::ledger::jsonl::{Source, import};
use crate::ledger::record::json_record;
use crate::ledger::{Dependency, Issue, Ledger, Tx};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        if xs.is_empty() {
            None
        } else {
            Some(&xs[self.below(xs.len())])
        }
    }
}

const KINDS: &[&str] = &[
    "blocks",
    "conditional-blocks",
    "waits-for",
    "parent-child",
    "related",
];
const STATUSES: &[&str] = &[
    "open",
    "in_progress",
    "closed",
    "pinned",
    "hooked",
    "blocked",
];

fn ok<T>(r: crate::error::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Every issue's stored flag equals what its blockers say, and every edge's
/// `target_open` mark what its target is.
pub(crate) fn check_flags(tx: &Tx, context: &str) {
    let stale = ok(stale_edge_marks(tx));
    assert!(stale.is_empty(), "{context}: stale edge marks: {stale:?}");
    for issue in ok(tx.all()) {
        let stored = ok(tx.is_blocked(&issue.id));
        let computed = !ok(blockers(tx, &issue)).is_empty();
        assert_eq!(
            stored, computed,
            "{context}: `{}` stored blocked={stored}, computed {computed}; {:?}",
            issue.id, issue.dependencies
        );
    }
}

fn issue(id: &str, status: &str) -> Issue {
    Issue {
        id: id.to_owned(),
        title: id.to_owned(),
        status: status.to_owned(),
        created_at: String::from("2026-01-01T00:00:00Z"),
        updated_at: String::from("2026-01-01T00:00:00Z"),
        ..Issue::default()
    }
}

fn edge(from: &str, to: &str, kind: &str, any: bool) -> Dependency {
    let mut d = Dependency::new(from, to, kind);
    if kind == "waits-for" {
        d.metadata = Some(String::from(if any {
            "{\"gate\":\"any-children\"}"
        } else {
            "{\"gate\":\"all-children\"}"
        }));
    }
    d
}

fn step(tx: &Tx, rng: &mut Rng, n: &mut usize) -> String {
    let ids: Vec<String> = ok(tx.all())
        .into_iter()
        .filter(|i| !i.is_tombstone())
        .map(|i| i.id)
        .collect();
    match rng.below(10) {
        0 | 1 => {
            *n += 1;
            let id = format!("t-{n}");
            let mut i = issue(&id, rng.pick(STATUSES).copied().unwrap_or("open"));
            for _ in 0..rng.below(3) {
                if let Some(t) = rng.pick(&ids) {
                    if i.dependencies.iter().any(|d| d.depends_on_id == *t) {
                        continue;
                    }
                    let k = rng.pick(KINDS).copied().unwrap_or("blocks");
                    i.dependencies.push(edge(&id, t, k, rng.below(2) == 0));
                }
            }
            ok(tx.put(&i));
            format!("create {id} {:?}", i.dependencies)
        }
        2 | 3 => {
            // A status change (update --status, pin/unpin, claim, reopen).
            let Some(id) = rng.pick(&ids) else {
                return String::from("noop");
            };
            let mut i = ok(tx.require(id));
            i.status = rng.pick(STATUSES).copied().unwrap_or("open").to_owned();
            ok(tx.put(&i));
            format!("status {id} {}", i.status)
        }
        4 => {
            // Add an edge (dep add, checked) or remove one (dep remove).
            let (Some(a), Some(b)) = (rng.pick(&ids), rng.pick(&ids)) else {
                return String::from("noop");
            };
            let mut i = ok(tx.require(a));
            if rng.below(2) == 0 {
                let k = rng.pick(KINDS).copied().unwrap_or("blocks");
                let d = edge(a, b, k, rng.below(2) == 0);
                if tx.check_new_edge(&i, &d).is_err() {
                    return String::from("noop");
                }
                i.dependencies.push(d);
                ok(tx.put(&i));
                format!("dep add {a} -> {b} {k}")
            } else {
                let Some(t) = rng.pick(&i.dependencies).map(|d| d.depends_on_id.clone()) else {
                    return String::from("noop");
                };
                i.dependencies.retain(|d| d.depends_on_id != t);
                ok(tx.put(&i));
                format!("dep remove {a} -> {t}")
            }
        }
        5 => {
            let Some(id) = rng.pick(&ids) else {
                return String::from("noop");
            };
            let force = rng.below(2) == 0;
            let r = close_one(tx, id, None, force);
            format!("close {id} force={force} ok={}", r.is_ok())
        }
        6 => {
            let Some(id) = rng.pick(&ids) else {
                return String::from("noop");
            };
            ok(tx.delete(std::slice::from_ref(id)));
            format!("delete {id}")
        }
        7 => {
            let Some(id) = rng.pick(&ids) else {
                return String::from("noop");
            };
            ok(super::delete::remove(tx, std::slice::from_ref(id), None));
            format!("remove {id}")
        }
        8 => {
            // put_many of a few changed issues.
            let mut batch = Vec::new();
            for _ in 0..3 {
                if let Some(id) = rng.pick(&ids) {
                    if batch.iter().any(|b: &Issue| b.id == *id) {
                        continue;
                    }
                    let mut i = ok(tx.require(id));
                    i.status = rng.pick(STATUSES).copied().unwrap_or("open").to_owned();
                    if rng.below(2) == 0 {
                        i.dependencies.retain(|d| d.kind != "parent-child");
                    }
                    batch.push(i);
                }
            }
            ok(tx.put_many(&batch));
            format!(
                "put_many {:?}",
                batch.iter().map(|b| (&b.id, &b.status)).collect::<Vec<_>>()
            )
        }
        _ => {
            // Import records, including odd ones: self edges, missing targets, cycles of
            // parent-child edges, tombstones.
            let mut parsed: Vec<(usize, Issue)> = Vec::new();
            for k in 0..rng.below(3) + 1 {
                let id = if rng.below(2) == 0 {
                    rng.pick(&ids)
                        .cloned()
                        .unwrap_or_else(|| String::from("t-x"))
                } else {
                    *n += 1;
                    format!("t-{n}")
                };
                let status = if rng.below(8) == 0 {
                    "tombstone"
                } else {
                    rng.pick(STATUSES).copied().unwrap_or("open")
                };
                let mut i = issue(&id, status);
                i.updated_at = String::from("2027-01-01T00:00:00Z");
                let target = match rng.below(4) {
                    0 => id.clone(),
                    1 => String::from("t-missing"),
                    _ => rng.pick(&ids).cloned().unwrap_or_else(|| id.clone()),
                };
                let kind = rng.pick(KINDS).copied().unwrap_or("blocks");
                i.dependencies.push(edge(&id, &target, kind, false));
                parsed.push((k + 1, i));
            }
            let text: String = parsed
                .iter()
                .map(|(_, i)| {
                    format!(
                        "{}\n",
                        ok(json_record(i).map_err(crate::error::Error::Encode))
                    )
                })
                .collect();
            ok(import(tx, text.as_bytes(), Source::File, None));
            format!(
                "import {:?}",
                parsed
                    .iter()
                    .map(|(_, i)| (&i.id, &i.status, &i.dependencies[0].depends_on_id))
                    .collect::<Vec<_>>()
            )
        }
    }
}

#[test]
fn stored_blocked_flags_match_blockers_after_random_writes() {
    for seed in 1..=120u64 {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ledger = ok(Ledger::init(tmp.path(), "t", "test"));
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut n = 0;
        let mut log = Vec::new();
        for _ in 0..60 {
            ledger
                .write(|tx| {
                    let what = step(tx, &mut rng, &mut n);
                    log.push(what);
                    check_flags(tx, &format!("seed {seed}, after {log:#?}"));
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // The bulk recomputation agrees with the flags kept up write by write.
        ledger
            .write(|tx| {
                let before = flags(tx);
                recompute_all(tx)?;
                assert_eq!(flags(tx), before, "seed {seed}: recompute_all differs");
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

fn flags(tx: &Tx) -> Vec<(String, bool)> {
    ok(tx.all())
        .into_iter()
        .map(|i| {
            let b = ok(tx.is_blocked(&i.id));
            (i.id, b)
        })
        .collect()
}

/// A spawner `s` with one open child `c`, and `w` waiting for all of `s`'s children.
fn spawner_with_waiter(tx: &Tx) {
    ok(tx.put(&issue("t-s", "open")));
    let mut c = issue("t-c", "open");
    c.dependencies
        .push(edge("t-c", "t-s", "parent-child", false));
    ok(tx.put(&c));
    let mut w = issue("t-w", "open");
    w.dependencies.push(edge("t-w", "t-s", "waits-for", false));
    ok(tx.put(&w));
    assert!(ok(tx.is_blocked("t-w")), "w waits for the open child");
}

fn in_ledger(f: impl FnOnce(&Tx)) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut ledger = ok(Ledger::init(tmp.path(), "t", "test"));
    ok(ledger.write(|tx| {
        f(tx);
        check_flags(tx, "end");
        Ok(())
    }));
}

#[test]
fn removing_a_childs_parent_edge_unblocks_the_spawners_waiters() {
    // `gt dep remove t-c t-s`: the spawner has no children left, so it no longer blocks.
    in_ledger(|tx| {
        spawner_with_waiter(tx);
        let mut c = ok(tx.require("t-c"));
        c.dependencies.clear();
        ok(tx.put(&c));
        assert!(!ok(tx.is_blocked("t-w")));
    });
}

#[test]
fn moving_a_child_to_another_parent_unblocks_the_old_spawners_waiters() {
    in_ledger(|tx| {
        spawner_with_waiter(tx);
        ok(tx.put(&issue("t-other", "open")));
        let mut c = ok(tx.require("t-c"));
        c.dependencies = vec![edge("t-c", "t-other", "parent-child", false)];
        ok(tx.put_many(&[c]));
        assert!(!ok(tx.is_blocked("t-w")));
    });
}

#[test]
fn deleting_an_open_child_unblocks_the_spawners_waiters() {
    in_ledger(|tx| {
        spawner_with_waiter(tx);
        ok(tx.delete(&[String::from("t-c")]));
        assert!(!ok(tx.is_blocked("t-w")));
    });
}

#[test]
fn burning_an_open_child_unblocks_the_spawners_waiters() {
    in_ledger(|tx| {
        spawner_with_waiter(tx);
        ok(super::delete::remove(tx, &[String::from("t-c")], None));
        assert!(!ok(tx.is_blocked("t-w")));
    });
}

#[test]
fn blockage_flows_to_grandchildren_and_back() {
    in_ledger(|tx| {
        ok(tx.put(&issue("t-b", "open")));
        ok(tx.put(&issue("t-p", "open")));
        let mut k = issue("t-k", "open");
        k.dependencies
            .push(edge("t-k", "t-p", "parent-child", false));
        ok(tx.put(&k));
        let mut g = issue("t-g", "open");
        g.dependencies
            .push(edge("t-g", "t-k", "parent-child", false));
        ok(tx.put(&g));
        let mut p = ok(tx.require("t-p"));
        p.dependencies.push(edge("t-p", "t-b", "blocks", false));
        ok(tx.put(&p));
        assert!(ok(tx.is_blocked("t-g")));
        ok(close_one(tx, "t-b", None, false));
        assert!(!ok(tx.is_blocked("t-g")));
        // Reopening the blocker (`gt update --status open`) blocks the tree again.
        let mut b = ok(tx.require("t-b"));
        b.status = String::from("open");
        ok(tx.put(&b));
        assert!(ok(tx.is_blocked("t-g")));
    });
}

#[test]
fn a_parent_child_cycle_is_refused() {
    // With `a` child of `b` and `b` child of `a`, a blocker on `a` blocked both, and once
    // it closed each still saw its blocked parent: both stayed blocked forever.
    in_ledger(|tx| {
        ok(tx.put(&issue("t-a", "open")));
        ok(tx.put(&issue("t-b", "open")));
        let mut a = ok(tx.require("t-a"));
        ok(super::dep::add_edge(tx, &mut a, "t-b", "parent-child"));
        ok(tx.put(&a));
        let mut b = ok(tx.require("t-b"));
        let refused = super::dep::add_edge(tx, &mut b, "t-a", "parent-child");
        assert!(
            matches!(refused, Err(crate::error::Error::Refused(_))),
            "{refused:?}"
        );
    });
}

#[test]
fn a_pinned_or_closed_parent_does_not_block_its_children() {
    // Spec §5.9: only an issue that is neither closed nor pinned is blocked, and only a
    // blocked parent blocks its children.
    in_ledger(|tx| {
        ok(tx.put(&issue("t-x", "open")));
        let mut e = issue("t-e", "open");
        e.dependencies.push(edge("t-e", "t-x", "blocks", false));
        ok(tx.put(&e));
        let mut c = issue("t-c", "open");
        c.dependencies
            .push(edge("t-c", "t-e", "parent-child", false));
        ok(tx.put(&c));
        assert!(ok(tx.is_blocked("t-c")));
        let mut e = ok(tx.require("t-e"));
        e.status = String::from("pinned");
        ok(tx.put(&e));
        assert!(!ok(tx.is_blocked("t-e")) && !ok(tx.is_blocked("t-c")));
        e.status = String::from("open");
        ok(tx.put(&e));
        assert!(ok(tx.is_blocked("t-c")));
        ok(close_one(tx, "t-e", None, true));
        assert!(!ok(tx.is_blocked("t-e")) && !ok(tx.is_blocked("t-c")));
    });
}

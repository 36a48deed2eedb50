//! One definition of ready: `gt claim` takes exactly what `gt ready` lists, `gt close`
//! refuses every kind of open blocker, and `gt update` cannot take over a claim.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{Project, ids};

fn import(p: &Project, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    let file = p.path().join("in.jsonl");
    std::fs::write(&file, text).unwrap();
    p.gt(&["import", file.to_str().unwrap()]).ok();
}

fn record(id: &str, extra: Value) -> Value {
    let mut r = serde_json::json!({
        "id": id, "title": id, "status": "open", "priority": 2, "issue_type": "task",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

fn child_of(id: &str, parent: &str) -> Value {
    serde_json::json!([{"issue_id": id, "depends_on_id": parent, "type": "parent-child"}])
}

#[test]
fn claim_refuses_what_ready_hides() {
    let p = Project::new();
    import(
        &p,
        &[
            record("r-tpl", serde_json::json!({"is_template": true})),
            record(
                "r-later",
                serde_json::json!({"issue_type": "epic", "defer_until": "2999-01-01T00:00:00Z"}),
            ),
            record(
                "r-kid",
                serde_json::json!({"dependencies": child_of("r-kid", "r-later")}),
            ),
            record("r-free", serde_json::json!({})),
        ],
    );
    assert_eq!(p.ready(None), vec!["r-free"]);
    let out = p.gt(&["claim", "r-tpl", "--as", "w"]);
    assert_eq!(out.code, 1, "a template is not work: {}", out.stdout);
    assert!(out.stderr.contains("template"), "{}", out.stderr);
    let out = p.gt(&["claim", "r-kid", "--as", "w"]);
    assert_eq!(out.code, 1, "a deferred ancestor hides it: {}", out.stdout);
    assert!(
        out.stderr.contains("its ancestor r-later is deferred"),
        "{}",
        out.stderr
    );
    // --force overrides, and says so in the record.
    let forced = p.json(&["claim", "r-kid", "--as", "w", "--force"]);
    assert_eq!(forced[0]["status"], "in_progress");
}

#[test]
fn close_refuses_every_kind_of_open_blocker() {
    let p = Project::new();
    import(
        &p,
        &[
            record("c-spawner", serde_json::json!({"issue_type": "epic"})),
            record(
                "c-kid",
                serde_json::json!({"dependencies": child_of("c-kid", "c-spawner")}),
            ),
            record(
                "c-waiter",
                serde_json::json!({"dependencies": [{"issue_id": "c-waiter", "depends_on_id": "c-spawner", "type": "waits-for", "metadata": "{\"gate\":\"all-children\"}"}]}),
            ),
            record("c-gate", serde_json::json!({})),
            record(
                "c-parent",
                serde_json::json!({"issue_type": "epic", "dependencies": [{"issue_id": "c-parent", "depends_on_id": "c-gate", "type": "blocks"}]}),
            ),
            record(
                "c-step",
                serde_json::json!({"dependencies": child_of("c-step", "c-parent")}),
            ),
        ],
    );
    let out = p.gt(&["close", "c-waiter"]);
    assert_eq!(out.code, 1, "waits-for with an open child");
    assert!(out.stderr.contains("c-spawner"), "{}", out.stderr);
    let out = p.gt(&["close", "c-step"]);
    assert_eq!(out.code, 1, "its parent is blocked");
    assert!(out.stderr.contains("c-parent"), "{}", out.stderr);
    p.json(&["close", "c-step", "--force"]);
    p.json(&["close", "c-kid"]);
    p.json(&["close", "c-waiter"]);
}

#[test]
fn update_cannot_take_over_a_claim() {
    let p = Project::new();
    let a = p.create("Held", &[]);
    p.json(&["claim", &a, "--as", "alice"]);
    let out = p.gt(&["--actor", "bob", "update", &a, "--assignee", "bob"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.contains("held by alice"), "{}", out.stderr);
    let out = p.gt(&["--actor", "bob", "update", &a, "--status", "in_progress"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let out = p.gt(&["--actor", "bob", "update", &a, "--assignee", ""]);
    assert_eq!(out.code, 1, "clearing someone else's claim: {}", out.stdout);
    // The holder may hand it on; anyone may with --force.
    p.json(&["--actor", "alice", "update", &a, "--assignee", "carol"]);
    let forced = p.json(&[
        "--actor",
        "bob",
        "update",
        &a,
        "--assignee",
        "bob",
        "--force",
    ]);
    assert_eq!(forced[0]["assignee"], "bob");
    // Other fields of a held issue can still be edited.
    p.json(&["--actor", "dave", "update", &a, "--priority", "0"]);
}

/// A tiny deterministic generator (xorshift), so a failure names its seed.
pub struct Rng(u64);

impl Rng {
    pub fn step(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.step() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Through the `gt` processes: after each random write, one issue (usually the one the
/// write touched) for one agent.
#[test]
fn after_any_writes_claim_succeeds_iff_ready_lists_it() {
    for seed in [7u64, 1234567, 99, 4242] {
        run_random(seed, 90);
    }
}

/// In process, exhaustively: after each random write, every issue for every agent, each
/// claim tried and rolled back.
#[test]
fn after_any_writes_every_claim_agrees_with_ready() {
    for seed in 1..=40u64 {
        library::run(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, 60);
    }
}

mod library {
    use super::Rng;
    use gt::error::Error;
    use gt::ledger::jsonl::{Source, import};
    use gt::ledger::ready::{ReadyQuery, ready_records};
    use gt::ledger::record::json_record;
    use gt::ledger::{Issue, Ledger};
    use gt::work;

    const AGENTS: [&str; 2] = ["alice", "bob"];

    fn ok<T>(r: gt::error::Result<T>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    fn live_ids(l: &mut Ledger) -> Vec<String> {
        ok(l.read(|tx| {
            Ok(tx
                .all()?
                .into_iter()
                .filter(|i| !i.is_tombstone())
                .map(|i| i.id)
                .collect())
        }))
    }

    pub fn run(seed: u64, steps: usize) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut ledgers: Vec<Ledger> = AGENTS
            .iter()
            .map(|a| ok(Ledger::init(tmp.path(), "t", a)))
            .collect();
        let mut rng = Rng(seed);
        let mut log: Vec<String> = Vec::new();
        for step in 0..steps {
            let who = rng.below(2);
            let ids = live_ids(&mut ledgers[0]);
            let l = &mut ledgers[who];
            let op = if ids.len() < 3 { 0 } else { rng.below(11) };
            let pick = |rng: &mut Rng| ids[rng.below(ids.len())].clone();
            let what = match op {
                0 | 1 => {
                    let parent = (!ids.is_empty() && rng.below(3) == 0).then(|| pick(&mut rng));
                    let blocker = (!ids.is_empty() && rng.below(3) == 0).then(|| pick(&mut rng));
                    let kind = *rng.pick(&["task", "epic", "gate", "molecule", "message"]);
                    let r = l.write(|tx| {
                        let id = tx.fresh_id("", &format!("i{step}"))?;
                        let mut issue = Issue {
                            id,
                            title: format!("i{step}"),
                            status: String::from("open"),
                            issue_type: kind.to_owned(),
                            created_at: gt::ledger::time::now(),
                            updated_at: gt::ledger::time::now(),
                            ..Issue::default()
                        };
                        if let Some(p) = &parent {
                            work::dep::add_edge(tx, &mut issue, p, "parent-child")?;
                        }
                        if let Some(b) = &blocker {
                            work::dep::add_edge(tx, &mut issue, b, "blocks")?;
                        }
                        tx.put(&issue)?;
                        Ok(issue.id)
                    });
                    format!("create {kind} parent={parent:?} blocker={blocker:?}: {r:?}")
                }
                2 => {
                    let (a, b) = (pick(&mut rng), pick(&mut rng));
                    let kind = *rng.pick(&["blocks", "waits-for", "parent-child", "related"]);
                    let r = l.write(|tx| work::dep::add(tx, &a, &b, kind).map(|_| ()));
                    format!("dep {a} -> {b} {kind}: {r:?}")
                }
                3 => {
                    let (x, force) = (pick(&mut rng), rng.below(2) == 0);
                    let r = l.write(|tx| work::close::close(tx, &x, None, force).map(|_| ()));
                    format!("close {x} force={force}: {r:?}")
                }
                4 | 5 => {
                    let x = pick(&mut rng);
                    let change = work::update::Change {
                        status: (rng.below(2) == 0).then(|| {
                            (*rng.pick(&["open", "blocked", "deferred", "in_progress", "hooked"]))
                                .to_owned()
                        }),
                        assignee: (rng.below(2) == 0)
                            .then(|| (*rng.pick(&["alice", "bob", ""])).to_owned()),
                        ..Default::default()
                    };
                    let r = l.write(|tx| work::update::update(tx, &x, &change, false).map(|_| ()));
                    format!("update {x} as {} {change:?}: {r:?}", AGENTS[who])
                }
                6 => {
                    let x = pick(&mut rng);
                    let r =
                        l.write(|tx| work::claim::claim(tx, &x, AGENTS[who], false).map(|_| ()));
                    format!("claim {x} as {}: {r:?}", AGENTS[who])
                }
                7 => {
                    let x = pick(&mut rng);
                    let r =
                        l.write(|tx| work::claim::release(tx, &x, AGENTS[who], false).map(|_| ()));
                    format!("release {x} as {}: {r:?}", AGENTS[who])
                }
                8 => {
                    let x = pick(&mut rng);
                    let r = l.write(|tx| work::pin::pin(tx, &x, AGENTS[who], true).map(|_| ()));
                    format!("pin {x} to {}: {r:?}", AGENTS[who])
                }
                9 => {
                    let x = pick(&mut rng);
                    let r = l.write(|tx| {
                        work::delete::delete(tx, std::slice::from_ref(&x), None, rng.below(2) == 0)
                            .map(|_| ())
                    });
                    format!("delete {x}: {r:?}")
                }
                _ => {
                    // What only arrives by import: deferral, templates, pins, odd types.
                    let x = pick(&mut rng);
                    let mut rec = ok(l.read(|tx| tx.require(&x)));
                    rec.updated_at = format!("2998-01-01T00:00:00.{step:09}Z");
                    let change = rng.below(5);
                    match change {
                        0 => rec.defer_until = Some(String::from("2999-01-01T00:00:00Z")),
                        1 => rec.defer_until = Some(String::from("2001-01-01T00:00:00Z")),
                        2 => rec.is_template = Some(true),
                        3 => rec.pinned = Some(true),
                        _ => rec.pinned = None,
                    }
                    let text = format!("{}\n", ok(json_record(&rec).map_err(Error::Encode)));
                    let r =
                        l.write(|tx| import(tx, text.as_bytes(), Source::File, None).map(|_| ()));
                    format!("import {x} change {change}: {r:?}")
                }
            };
            log.push(what);
            // Every issue, every agent: claim (rolled back) iff ready lists it.
            let ids = live_ids(&mut ledgers[0]);
            for (n, agent) in AGENTS.iter().enumerate() {
                let l = &mut ledgers[n];
                let listed: Vec<String> = ok(l.read(|tx| {
                    ready_records(
                        tx,
                        &ReadyQuery {
                            claimable_by: Some((*agent).to_owned()),
                            include_ephemeral: true,
                            ..ReadyQuery::default()
                        },
                    )
                }))
                .into_iter()
                .map(|(id, _)| id)
                .collect();
                for x in &ids {
                    let r = l.write(|tx| {
                        work::claim::claim(tx, x, agent, false)?;
                        Err::<(), _>(Error::Invalid(String::from("rollback")))
                    });
                    let claimed = matches!(&r, Err(Error::Invalid(m)) if m == "rollback");
                    assert_eq!(
                        claimed,
                        listed.contains(x),
                        "seed {seed} step {step}: claim {x} as {agent}: {r:?}; ready lists {listed:?}\n{log:#?}"
                    );
                }
            }
        }
    }
}

fn run_random(seed: u64, steps: usize) {
    let p = Project::new();
    let mut rng = Rng(seed);
    let agents = ["alice", "bob"];
    let mut issues: Vec<String> = Vec::new();
    let mut stamp = 0u32;
    for step in 0..steps {
        let op = if issues.len() < 3 { 0 } else { rng.below(9) };
        // The issue the write touched: checked most of the time, since it is the one
        // most likely to have just changed state.
        let mut touched: Option<String> = None;
        match op {
            0 => {
                let mut args = vec![String::from("create"), format!("i{step}")];
                if !issues.is_empty() && rng.below(3) == 0 {
                    args.extend(["--parent".into(), rng.pick(&issues).clone()]);
                }
                if !issues.is_empty() && rng.below(3) == 0 {
                    args.extend(["--blocked-by".into(), rng.pick(&issues).clone()]);
                }
                if rng.below(5) == 0 {
                    args.extend(["-t".into(), "epic".into()]);
                }
                args.push("--json".into());
                let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = p.gt(&argv);
                if out.code == 0 {
                    let id = support::id_of(&out.json()[0]);
                    touched = Some(id.clone());
                    issues.push(id);
                }
            }
            1 => {
                let kind = *rng.pick(&["blocks", "waits-for", "parent-child", "related"]);
                let (a, b) = (rng.pick(&issues).clone(), rng.pick(&issues).clone());
                p.gt(&["dep", "add", &a, &b, "--type", kind]);
                touched = Some(a);
            }
            2 => {
                let x = rng.pick(&issues).clone();
                if rng.below(2) == 0 {
                    p.gt(&["close", &x]);
                } else {
                    p.gt(&["close", &x, "--force"]);
                }
                touched = Some(x);
            }
            3 => {
                let x = rng.pick(&issues).clone();
                let s = *rng.pick(&["open", "blocked", "deferred", "in_progress", "hooked"]);
                let who = *rng.pick(&agents);
                p.gt(&["--actor", who, "update", &x, "--status", s]);
                touched = Some(x);
            }
            4 => {
                let x = rng.pick(&issues).clone();
                let who = *rng.pick(&agents);
                let to = *rng.pick(&["alice", "bob", ""]);
                p.gt(&["--actor", who, "update", &x, "--assignee", to]);
                touched = Some(x);
            }
            5 | 6 => {
                // Deferral, a template flag or a pin arrive by import (as from a pull).
                let x = rng.pick(&issues).clone();
                let mut rec = p.json(&["show", &x])[0].clone();
                stamp += 1;
                rec["updated_at"] = format!("2998-01-01T00:00:00.{stamp:09}Z").into();
                match rng.below(4) {
                    0 => rec["defer_until"] = "2999-01-01T00:00:00Z".into(),
                    1 => rec["defer_until"] = "2001-01-01T00:00:00Z".into(),
                    2 => rec["is_template"] = true.into(),
                    _ => rec["pinned"] = true.into(),
                }
                import(&p, &[rec]);
                touched = Some(x);
            }
            _ => {
                let x = rng.pick(&issues).clone();
                let who = *rng.pick(&agents);
                p.gt(&["claim", &x, "--as", who]);
            }
        }
        // The property, for one issue and one agent after every write.
        let x = match touched {
            Some(t) if rng.below(3) > 0 => t,
            _ => rng.pick(&issues).clone(),
        };
        let who = *rng.pick(&agents);
        let ready = ids(&p.json(&["ready", "--include-wisps", "--for", who]));
        let listed = ready.contains(&x);
        let claim = p.gt(&["claim", &x, "--as", who]);
        assert_eq!(
            claim.code == 0,
            listed,
            "seed {seed} step {step}: claim {x} as {who} {} but ready {} it\n{}\nready: {ready:?}\nwhy: {}",
            if claim.code == 0 {
                "succeeded"
            } else {
                "was refused"
            },
            if listed { "lists" } else { "does not list" },
            claim.stderr,
            p.gt(&["why", &x]).stdout,
        );
        // The check is not one of the writes: give the claim back (claims are op 7-8).
        if claim.code == 0 {
            p.gt(&["release", &x, "--as", who]).ok();
        }
    }
}

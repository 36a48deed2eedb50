//! The mayor's commands: `gt sling`, `gt peek`, `gt status`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod town;

use std::time::Duration;
use town::{Town, fan, finish};

const PLAIN: &str = "[rigs.plain]\ngit = false\n[village]\nheartbeat = \"200ms\"\n";
const LIMIT: Duration = Duration::from_secs(90);

fn json(out: &town::Out) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

#[test]
fn status_shows_runs_agents_and_the_queue_as_text_json_and_redrawn() {
    let town = Town::new(PLAIN);
    let empty = town.gt(&["status"]).ok();
    assert!(empty.stdout.contains("no runs"), "{}", empty.stdout);
    assert_eq!(
        json(&town.gt(&["status", "--json"]).ok())["runs"],
        serde_json::json!([])
    );
    town.formula("mol-fan", &fan("mol-fan", 3));
    town.run(&["mol-fan", "--polecats", "2"], LIMIT).ok();
    let mol = town.runs()[0].id.clone();
    let text = town.gt(&["status"]).ok().stdout;
    assert!(
        text.contains(&format!("{mol}  mol-fan  (complete)")),
        "{text}"
    );
    assert!(text.contains("4/4 done"), "{text}");
    assert!(text.contains("plain/polecat-1"), "{text}");
    assert!(text.contains("plain/witness"), "{text}");
    let s = json(&town.gt(&["status", "--json"]).ok());
    assert_eq!(s["runs"][0]["id"], mol.as_str());
    assert_eq!(s["runs"][0]["counts"]["complete"], true);
    assert_eq!(s["runs"][0]["counts"]["done"], 4);
    assert_eq!(s["merge_queue"], 0);
    assert!(s["agents"].as_array().unwrap().len() >= 5, "{s}");
    let watch = town
        .gt(&["status", "--watch", "--interval", "10ms", "--frames", "3"])
        .ok();
    assert_eq!(
        watch.stdout.matches("\x1b[H\x1b[J").count(),
        3,
        "{:?}",
        watch.stdout
    );
    assert_eq!(watch.stdout.matches("(complete)").count(), 3);
    let bad = town.gt(&["status", "--watch", "--interval", "soon"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("--interval"), "{}", bad.stderr);
}

#[test]
fn peek_shows_a_working_agent_its_step_and_heartbeat_and_names_the_near_ones() {
    let town = Town::new(PLAIN);
    town.formula(
        "mol-slow",
        "formula = \"mol-slow\"\n\n[[steps]]\nid = \"slow\"\ntitle = \"A slow step\"\nmetadata = { script = { delay = \"3s\" } }\n",
    );
    let child = town.start_run(&["mol-slow", "--polecats", "1"]);
    town.wait_until("the step is taken", LIMIT, |i| {
        i.iter()
            .any(|s| s.id.ends_with(".slow") && s.status == "in_progress")
    });
    let p = json(&town.gt(&["peek", "plain/polecat-1", "--json"]).ok());
    assert_eq!(p["verdict"], "working", "{p}");
    assert!(p["holds"].as_str().unwrap().ends_with(".slow"), "{p}");
    assert_eq!(p["step_title"], "A slow step");
    assert!(p["heartbeat_at"].is_string(), "{p}");
    let text = town.gt(&["peek", "plain/polecat-1"]).ok().stdout;
    assert!(text.contains(": working"), "{text}");
    assert!(text.contains("(A slow step)"), "{text}");
    assert!(text.contains("last heartbeat: "), "{text}");
    finish(child, LIMIT, &town.path()).ok();
    let done = json(&town.gt(&["peek", "plain/polecat-1", "--json"]).ok());
    assert!(
        ["done", "stopped"].contains(&done["verdict"].as_str().unwrap()),
        "{done}"
    );
    assert_eq!(done["holds"], serde_json::Value::Null);
    let idle = json(&town.gt(&["peek", "plain/witness", "--json"]).ok());
    assert_eq!(idle["role"], "witness");
    let missing = town.gt(&["peek", "plain/polecat-9"]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(
        missing.stderr.contains("did you mean plain/polecat-1"),
        "{}",
        missing.stderr
    );
}

#[test]
fn sling_gives_work_to_a_fresh_polecat_that_the_running_village_starts() {
    let town = Town::new(PLAIN);
    let first = town.create("First errand");
    let out = town.gt(&["sling", &first, "--rig", "plain"]).ok();
    assert!(out.stdout.contains("to plain/polecat-1"), "{}", out.stdout);
    let issue = town.find(&first);
    assert_eq!(issue.status, "hooked");
    assert_eq!(issue.assignee.as_deref(), Some("plain/polecat-1"));
    let p = json(&town.gt(&["peek", "plain/polecat-1", "--json"]).ok());
    assert_eq!(p["hook"], first.as_str());
    assert_eq!(p["verdict"], "not_started");
    // Refused: work that is already on a hook, a closed issue, an unknown rig.
    let again = town.gt(&["sling", &first, "--rig", "plain"]);
    assert_eq!(again.code, 1, "{again:?}");
    let closed = town.create("Done already");
    town.gt(&["close", &closed]).ok();
    assert_eq!(town.gt(&["sling", &closed]).code, 1);
    assert_eq!(town.gt(&["sling", &closed, "--rig", "nowhere"]).code, 2);
    // While a village runs, the rig's witness starts a slung polecat and it does the work.
    town.formula(
        "mol-slow",
        "formula = \"mol-slow\"\n\n[[steps]]\nid = \"slow\"\ntitle = \"Slow\"\nmetadata = { script = { delay = \"2s\" } }\n",
    );
    let child = town.start_run(&["mol-slow", "--polecats", "1"]);
    town.wait_until("the run starts", LIMIT, |i| {
        i.iter()
            .any(|s| s.id.ends_with(".slow") && s.status == "in_progress")
    });
    let second = town.create("Second errand");
    let out = town.gt(&["sling", &second, "--json"]).ok();
    let polecat = json(&out)["agent"].as_str().unwrap().to_owned();
    assert_eq!(
        polecat, "plain/polecat-2",
        "polecat-1 belongs to the run now"
    );
    town.wait_until("the slung errand is done", LIMIT, |i| {
        i.iter().any(|s| s.id == second && s.status == "closed")
    });
    finish(child, LIMIT, &town.path()).ok();
    assert_eq!(
        town.find(&second).assignee.as_deref(),
        Some(polecat.as_str())
    );
}

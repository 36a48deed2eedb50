//! The village's own overhead: `gt run` of a 1,000-step molecule (independent steps and
//! a final join) with 8 polecats and the zero-delay script agent (no worktree writes,
//! a rig without git), so nothing but the runtime is measured.
//!
//! ```sh
//! cargo bench -p gt --bench village
//! GT_BENCH_STEPS=5000 cargo bench -p gt --bench village
//! GT_BENCH_SHAPE=chains cargo bench -p gt --bench village  # 8 chains instead of a fan-in
//! ```
//!
//! Reported: steps per second from pour to the root's close (target >= 500/s on a
//! 2-core machine) and for the whole command, and the share of time in ledger
//! operations (read and write transactions, waiting for the lock included), per role and
//! overall, from what each process leaves in `GT_LEDGER_STATS`: split into waiting for
//! the write lock, holding it, and reading. Without `--bench` (e.g.
//! `cargo test --benches`) 50 steps are run as a smoke test.
//!
//! Measured on the 2-core test machine (shared with other work, load average about 4:
//! medians of 5 runs, before and after alternated in the same minutes), pour -> complete:
//!
//! | shape  | before (1e91a5f) | after | ratio |
//! | ------ | ---------------- | ----- | ----- |
//! | fan    | 131 steps/s      | 553   | 4.2x  |
//! | chains | 229 steps/s      | 498   | 2.2x  |
//!
//! With the witness's patrol poured as a wisp every `patrol` and the refinery's per merge
//! request (an idle one pours none), another 5 alternated runs: fan 539 steps/s, chains
//! 506 (the commit before them 482 / 519, before all of this 124 / 172): no cost beyond
//! the noise.
//!
//! Share of each role's time in ledger transactions, one run after (fan / chains):
//! polecats 86% / 84% (64% / 69% waiting for the lock, 20% / 15% holding it, 1% reading:
//! their steps' transactions queue on the one writer lock), mayor 17% / 16% (its progress
//! counts), deacon, witness, refinery 1-3%. Before: polecats 96% / 89%, refinery 88% /
//! 86% (it heartbeat after every commit of the others), deacon 30% / 24%, mayor 15% / 12%,
//! witness 4% / 3%.
//!
//! What made the difference: the fan-in join's "is any blocker still open" and the
//! molecule's "is any step still open" each read up to every edge per close (O(n²) over a
//! run; now one step of a partial index over edge marks kept by the writes); rusqlite's
//! statement cache of 16 recompiled SQL on every step (an eighth of a polecat's time);
//! the role processes commit without fsync (`synchronous=NORMAL`, see ARCHITECTURE.md, "The
//! village"); idle roles no longer write on every change of the ledger.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const GT: &str = env!("CARGO_BIN_EXE_gt");

fn gt(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(GT)
        .current_dir(dir)
        .env("GT_ACTOR", "bench")
        .env("HOME", dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `chains`: 8 independent chains (each step needs the one before); otherwise (`fan`)
/// independent steps and a final join needing them all.
fn formula(steps: usize, shape: &str) -> String {
    let mut t = String::from("formula = \"mol-bench\"\n");
    if shape == "chains" {
        for i in 0..steps {
            t.push_str(&format!(
                "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n"
            ));
            if i >= 8 {
                t.push_str(&format!("needs = [\"s{}\"]\n", i - 8));
            }
        }
        return t;
    }
    for i in 1..steps {
        t.push_str(&format!(
            "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n"
        ));
    }
    let needs: Vec<String> = (1..steps).map(|i| format!("\"s{i}\"")).collect();
    t.push_str(&format!(
        "\n[[steps]]\nid = \"join\"\ntitle = \"Join\"\nneeds = [{}]\n",
        needs.join(", ")
    ));
    t
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let steps: usize = match std::env::var("GT_BENCH_STEPS") {
        Ok(v) => v.parse().expect("GT_BENCH_STEPS is a number"),
        Err(_) if bench => 1000,
        Err(_) => 50,
    };
    let shape = std::env::var("GT_BENCH_SHAPE").unwrap_or_else(|_| String::from("fan"));
    let town = tempfile::tempdir().unwrap();
    let dir = town.path();
    gt(dir, &["init", "--prefix", "b"]);
    let cfg = dir.join(".beads/config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(
        "[rigs.plain]\ngit = false\n[village]\nheartbeat = \"1s\"\n[agents.script]\ndelay = \"0s\"\nwrite = false\n",
    );
    std::fs::write(&cfg, text).unwrap();
    std::fs::create_dir_all(dir.join(".beads/formulas")).unwrap();
    std::fs::write(
        dir.join(".beads/formulas/mol-bench.formula.toml"),
        formula(steps, &shape),
    )
    .unwrap();
    let stats = dir.join("stats");
    std::fs::create_dir_all(&stats).unwrap();
    let start = Instant::now();
    let out = Command::new(GT)
        .current_dir(dir)
        .env("GT_ACTOR", "bench")
        .env("HOME", dir)
        .env("GT_LEDGER_STATS", &stats)
        .args(["run", "mol-bench", "--polecats", "8", "--plain", "--json"])
        .output()
        .unwrap();
    let wall = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "gt run: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Progress lines, then the JSON outcome.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json_at = stdout.find("\n{").map(|i| i + 1).unwrap_or(0);
    let done: serde_json::Value =
        serde_json::from_str(&stdout[json_at..]).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mol = done["molecule"].as_str().unwrap();
    let shown: serde_json::Value =
        serde_json::from_str(&gt(dir, &["show", mol, "--json"])).unwrap();
    let root = &shown[0];
    let t = |k: &str| gt::ledger::time::nanos(root[k].as_str().unwrap()).unwrap();
    let run_s = (t("closed_at") - t("created_at")) as f64 / 1e9;
    // Per role: seconds in the ledger, alive, waiting for the write lock, in reads;
    // write and read transactions; processes.
    let mut by_role: BTreeMap<String, [f64; 7]> = BTreeMap::new();
    for e in std::fs::read_dir(&stats).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let role = name.rsplit_once('-').map(|(r, _)| r.to_owned()).unwrap();
        let text = std::fs::read_to_string(e.path()).unwrap();
        let n: Vec<f64> = text
            .split_whitespace()
            .map(|n| n.parse::<f64>().unwrap())
            .collect();
        assert_eq!(n.len(), 6, "{}: {text}", e.path().display());
        let r = by_role.entry(role).or_default();
        r[0] += n[0] / 1e9;
        r[1] += n[1] / 1e9;
        r[2] += n[3] / 1e9;
        r[3] += n[5] / 1e9;
        r[4] += n[2];
        r[5] += n[4];
        r[6] += 1.0;
    }
    println!(
        "village: {steps} steps ({shape}), 8 polecats, zero-delay script agent, rig without git"
    );
    println!(
        "  pour -> complete: {run_s:.2}s = {:.0} steps/s (target >= 500/s); whole command {wall:.2}s = {:.0} steps/s",
        steps as f64 / run_s,
        steps as f64 / wall
    );
    let (mut l, mut a) = (0.0, 0.0);
    for (role, [ledger, alive, wait, reading, writes, reads, n]) in &by_role {
        println!(
            "  {role:<9} x{n}: {ledger:.2}s of {alive:.2}s alive in ledger transactions ({:.0}%: {:.0}% waiting for the write lock, {:.0}% in writes, {:.0}% in reads); {writes} writes, {reads} reads",
            100.0 * ledger / alive,
            100.0 * wait / alive,
            100.0 * (ledger - wait - reading) / alive,
            100.0 * reading / alive,
        );
        l += ledger;
        a += alive;
    }
    println!(
        "  all processes: {l:.2}s of {a:.2}s in ledger transactions ({:.0}%)",
        100.0 * l / a
    );
    assert!(by_role.contains_key("polecat"), "no polecat left its stats");
}

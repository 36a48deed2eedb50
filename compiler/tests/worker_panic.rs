//! A panic while checking one file is never a silent pass: `gtc check` exits 2 and names
//! the file. The panic is forced through `GTC_DEBUG_PANIC_ON`, a hook compiled into debug
//! builds only (release builds ignore the variable).

use std::path::Path;
use std::process::{Command, Output};

fn gtc(dir: &Path, args: &[&str], panic_on: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gtc"));
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env_remove("GTC_DEBUG_PANIC_ON");
    if let Some(name) = panic_on {
        cmd.env("GTC_DEBUG_PANIC_ON", name);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run gtc: {e}"))
}

const FORMULA: &str = "formula = \"NAME\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n";

#[test]
fn a_worker_panic_exits_two_and_names_the_file() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Enough files that several worker threads run, on any machine.
    for i in 0..24 {
        let name = format!("f{i:02}");
        std::fs::write(
            d.path().join(format!("{name}.formula.toml")),
            FORMULA.replace("NAME", &name),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let clean = gtc(d.path(), &["check", "."], None);
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");

    let o = gtc(d.path(), &["check", "."], Some("f13.formula.toml"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stderr.contains("error: internal error while checking ./f13.formula.toml"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("checked"),
        "no summary of a partial run: {stdout}"
    );

    // One file, one thread: the same.
    let o = gtc(
        d.path(),
        &["check", "f13.formula.toml"],
        Some("f13.formula.toml"),
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("f13.formula.toml"));
}

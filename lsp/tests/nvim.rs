//! A real editor drives the server: headless Neovim (0.7+) with `editors/nvim` opens a
//! formula with a typo and reports the diagnostic it received, a completion list and a
//! go-to-definition jump into another file. Skipped when `nvim` is missing, except in
//! CI (`CI` set), where `.ci/run` installs it and a missing `nvim` fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BASE: &str = "formula = \"base\"\n\n[[steps]]\nid = \"setup\"\ntitle = \"Set up\"\n";
const CHILD: &str = "formula = \"child\"\nextends = [\"base\"]\n\n[[steps]]\nid = \"build\"\ntitle = \"Build\"\nneeds = [\"setup\"]\n\n[[steps]]\nid = \"test\"\ntitle = \"Test\"\nneeds = [\"biuld\"]\n";

#[test]
fn neovim_receives_diagnostics_completion_and_definition() {
    if Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "nvim is missing in CI: .ci/run installs the Debian package `neovim`"
        );
        eprintln!("skipped: nvim is not installed (apt-get install neovim)");
        return;
    }
    let dir = common::workspace(&[
        ("base.formula.toml", BASE),
        ("child.formula.toml", CHILD),
        (".git/HEAD", ""),
    ]);
    let editors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../editors/nvim");
    let out = dir.path().join("nvim-out.json");
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "--noplugin"])
        .arg("--cmd")
        .arg(format!("set rtp^={}", editors.display()))
        .arg("child.formula.toml")
        .arg("-S")
        .arg(editors.join("test/e2e.lua"))
        .current_dir(dir.path())
        .env("GTC_LSP", env!("CARGO_BIN_EXE_gtc-lsp"))
        .env("GTC_NVIM_OUT", &out)
        .env("HOME", dir.path().join(".home"))
        .env("XDG_STATE_HOME", dir.path().join(".state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("nvim wrote its report"))
            .unwrap();
    assert!(got.get("error").is_none(), "{got}");
    let diags = got["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{got}");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown step `biuld`"),
        "{got}"
    );
    assert_eq!(
        (diags[0]["lnum"].as_u64(), diags[0]["col"].as_u64()),
        (Some(11), Some(9)),
        "{got}"
    );
    let labels: Vec<&str> = got["completion"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        labels.contains(&"build") && labels.contains(&"setup"),
        "{got}"
    );
    let def = &got["definition"];
    assert!(
        def["file"].as_str().unwrap().ends_with("base.formula.toml"),
        "{got}"
    );
    assert_eq!(
        (def["line"].as_u64(), def["col"].as_u64()),
        (Some(3), Some(6)),
        "{got}"
    );
}

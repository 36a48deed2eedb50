//! Commits get the fallback identity `gt <gt@localhost>` when git config has none.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

/// Runs [`inner_commit_without_identity`] in a child process whose
/// environment hides every git config file (tests cannot change their own
/// environment without `unsafe`).
#[test]
fn fallback_identity_when_git_config_has_none() {
    let scratch = std::env::temp_dir().join(format!("gt-git-identity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let home = scratch.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "inner_commit_without_identity",
            "--ignored",
            "--nocapture",
        ])
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GT_IDENTITY_SCRATCH", &scratch)
        .env_remove("EMAIL")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
#[ignore = "run by fallback_identity_when_git_config_has_none in a clean environment"]
fn inner_commit_without_identity() {
    let scratch = std::env::var_os("GT_IDENTITY_SCRATCH").unwrap();
    let dir = Path::new(&scratch).join("repo");
    std::fs::create_dir_all(dir.join(".beads")).unwrap();
    std::fs::write(dir.join(".beads/issues.jsonl"), "{\"id\":\"gt-1\"}\n").unwrap();
    let r = gt::git::sync(&dir, Path::new(".beads/issues.jsonl"), "init").unwrap();
    assert!(r.committed);
    let out = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["log", "-1", "--format=%an <%ae>|%cn <%ce>"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "gt <gt@localhost>|gt <gt@localhost>\n"
    );
}

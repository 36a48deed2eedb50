//! Name resolution, layer by layer, through the `gtc` process: the checked files; the
//! directory of the formula being checked or cooked (its siblings); `--search-path`; the
//! project's `.beads/formulas/` (`$BEADS_DIR`, `.beads/redirect`); the git root's, also from
//! a worktree; `$GT_ROOT/.beads/formulas/`; `~/.beads/formulas/`; the embedded stdlib.
//! Each test puts a formula `base` on two layers with different steps and checks which one
//! a formula extending it gets, so a wrong order shows as a wrong step.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run `gtc` in `cwd` with `HOME` = `<root>/home`, `env` added and `BEADS_DIR` / `GT_ROOT`
/// otherwise unset.
fn gtc(root: &Path, cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gtc"));
    cmd.args(args)
        .current_dir(cwd)
        .env("HOME", root.join("home"))
        .env_remove("BEADS_DIR")
        .env_remove("GT_ROOT")
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run gtc: {e}"))
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// A formula `base` whose one step is `step`.
fn base(step: &str) -> String {
    format!("formula = \"base\"\n\n[[steps]]\nid = \"{step}\"\ntitle = \"From {step}\"\n")
}

const CHILD: &str =
    "formula = \"child\"\nextends = [\"base\"]\n\n[[steps]]\nid = \"own\"\ntitle = \"Own\"\n";

/// The top-level step ids `gtc cook CHILD_PATH` gives, run in `cwd`.
fn cooked_ids(
    root: &Path,
    cwd: &Path,
    child: &Path,
    env: &[(&str, &Path)],
    extra: &[&str],
) -> Vec<String> {
    let path = child.display().to_string();
    let mut args = vec!["cook", path.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = gtc(root, cwd, &args, env);
    assert_eq!(
        o.status.code(),
        Some(0),
        "gtc {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    v["steps"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn check_code(root: &Path, cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> (i32, String) {
    let o = gtc(root, cwd, args, env);
    (
        o.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn siblings_resolve_when_one_file_is_checked_from_anywhere() {
    let d = tmp();
    let root = d.path();
    let dir = root.join("formulas");
    write(&dir.join("base.formula.toml"), &base("sibling"));
    write(&dir.join("child.formula.toml"), CHILD);
    let elsewhere = root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap_or_else(|e| panic!("{e}"));
    // Pre-commit passes only the changed file, relative to the repository.
    let (code, out) = check_code(root, root, &["check", "formulas/child.formula.toml"], &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "checked 1 file: 0 errors, 0 warnings\n");
    let (code, out) = check_code(root, &dir, &["check", "child.formula.toml"], &[]);
    assert_eq!(code, 0, "{out}");
    let abs = dir.join("child.formula.toml");
    let (code, out) = check_code(
        root,
        &elsewhere,
        &["check", &abs.display().to_string()],
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        cooked_ids(root, &elsewhere, &abs, &[], &[]),
        ["sibling", "own"]
    );
    // A step `expand` of a sibling expansion resolves the same way.
    write(
        &dir.join("exp-two.formula.toml"),
        "formula = \"exp-two\"\ntype = \"expansion\"\n\n[[template]]\nid = \"{target}.a\"\ntitle = \"A\"\n",
    );
    write(
        &dir.join("user.formula.toml"),
        "formula = \"user\"\n\n[[steps]]\nid = \"x\"\nexpand = \"exp-two\"\n",
    );
    let (code, out) = check_code(
        root,
        &elsewhere,
        &[
            "check",
            &dir.join("user.formula.toml").display().to_string(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn checked_files_come_before_siblings_and_siblings_before_search_path() {
    let d = tmp();
    let root = d.path();
    let dir = root.join("f");
    write(&dir.join("base.formula.toml"), &base("sibling"));
    write(&dir.join("child.formula.toml"), CHILD);
    write(&root.join("lib/base.formula.toml"), &base("search-path"));
    write(&root.join("other/base.formula.toml"), &base("checked"));
    let child = dir.join("child.formula.toml");
    assert_eq!(
        cooked_ids(root, root, &child, &[], &["--search-path", "lib"]),
        ["sibling", "own"]
    );
    // Checked together, `other/base` is a checked file: it wins over the sibling.
    let (code, out) = check_code(
        root,
        root,
        &[
            "check",
            "other/base.formula.toml",
            "f/child.formula.toml",
            "--explain-resolution",
            "base",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("`base` resolves to other/base.formula.toml (a checked file)\n"),
        "{out}"
    );
    std::fs::remove_file(dir.join("base.formula.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        cooked_ids(root, root, &child, &[], &["--search-path", "lib"]),
        ["search-path", "own"]
    );
}

#[test]
fn search_path_then_project_then_git_root_then_gt_root_then_home_then_stdlib() {
    let d = tmp();
    let root = d.path();
    // A project inside a git checkout, with a nested `.beads` (a rig) where we run.
    let repo = root.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    let rig = repo.join("rig");
    let child = root.join("work/child.formula.toml");
    write(&child, CHILD);
    let town = root.join("town");
    let layers: [(&str, PathBuf); 5] = [
        ("search-path", root.join("lib")),
        ("project", rig.join(".beads/formulas")),
        ("git-root", repo.join(".beads/formulas")),
        ("gt-root", town.join(".beads/formulas")),
        ("home", root.join("home/.beads/formulas")),
    ];
    for (step, dir) in &layers {
        write(&dir.join("base.formula.toml"), &base(step));
    }
    let env: [(&str, &Path); 1] = [("GT_ROOT", &town)];
    for (step, dir) in &layers {
        let extra: &[&str] = if *step == "search-path" {
            &["--search-path", "../../lib"]
        } else {
            &[]
        };
        assert_eq!(
            cooked_ids(root, &rig, &child, &env, extra),
            [*step, "own"],
            "the {step} layer wins over the ones after it"
        );
        std::fs::remove_file(dir.join("base.formula.toml")).unwrap_or_else(|e| panic!("{e}"));
    }
    // Last, the stdlib: a name only it has resolves, and a project file shadows it.
    write(
        &child,
        "formula = \"child\"\n\n[[steps]]\nid = \"r\"\nexpand = \"exp-tdd\"\n",
    );
    let (code, out) = check_code(root, &rig, &["check", &child.display().to_string()], &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = check_code(
        root,
        &rig,
        &["check", "--explain-resolution", "exp-tdd"],
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with(
            "`exp-tdd` resolves to <stdlib>/exp-tdd.formula.toml (the stdlib embedded in gtc)\n"
        ),
        "{out}"
    );
}

#[test]
fn beads_dir_and_redirect_move_the_project_layer() {
    let d = tmp();
    let root = d.path();
    let child = root.join("work/child.formula.toml");
    write(&child, CHILD);
    // A project whose `.beads` redirects to a shared one.
    let project = root.join("project");
    write(
        &project.join(".beads/redirect"),
        "# shared beads\n\n../shared/.beads\n",
    );
    write(
        &root.join("shared/.beads/formulas/base.formula.toml"),
        &base("redirected"),
    );
    assert_eq!(
        cooked_ids(root, &project, &child, &[], &[]),
        ["redirected", "own"]
    );
    // $BEADS_DIR wins over the walk up from the working directory.
    write(
        &root.join("elsewhere/.beads/formulas/base.formula.toml"),
        &base("beads-dir"),
    );
    let beads_dir = root.join("elsewhere/.beads");
    assert_eq!(
        cooked_ids(root, &project, &child, &[("BEADS_DIR", &beads_dir)], &[]),
        ["beads-dir", "own"]
    );
    // A redirect to nowhere is reported, not silently ignored.
    write(&project.join(".beads/redirect"), "../missing/.beads\n");
    let (code, out) = check_code(
        root,
        &project,
        &["check", &child.display().to_string()],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("warning: ") && out.contains("redirect"),
        "{out}"
    );
    assert!(out.contains("extends unknown formula `base`"), "{out}");
}

#[test]
fn a_worktree_finds_the_main_checkouts_formulas() {
    let d = tmp();
    let root = d.path();
    // The layout `git worktree add ../wt` makes: a `.git` file pointing into the main
    // repository's `.git/worktrees/wt`, whose `commondir` leads back to the main `.git`.
    let main = root.join("main");
    write(&main.join(".git/HEAD"), "ref: refs/heads/main\n");
    write(&main.join(".git/worktrees/wt/commondir"), "../..\n");
    write(&main.join(".git/worktrees/wt/HEAD"), "ref: refs/heads/wt\n");
    let wt = root.join("wt");
    write(
        &wt.join(".git"),
        &format!("gitdir: {}\n", main.join(".git/worktrees/wt").display()),
    );
    write(
        &main.join(".beads/formulas/base.formula.toml"),
        &base("main-checkout"),
    );
    let child = wt.join("formulas/child.formula.toml");
    write(&child, CHILD);
    let sub = wt.join("formulas");
    assert_eq!(
        cooked_ids(root, &sub, &child, &[], &[]),
        ["main-checkout", "own"]
    );
    // The worktree's own `.beads/formulas` comes first.
    write(
        &wt.join(".beads/formulas/base.formula.toml"),
        &base("worktree"),
    );
    assert_eq!(
        cooked_ids(root, &sub, &child, &[], &[]),
        ["worktree", "own"]
    );
}

#[test]
fn a_directory_prefers_toml_and_is_not_searched_recursively() {
    let d = tmp();
    let root = d.path();
    let lib = root.join("lib");
    write(
        &lib.join("base.formula.json"),
        "{\"formula\": \"base\", \"steps\": [{\"id\": \"json\", \"title\": \"J\"}]}\n",
    );
    write(&lib.join("base.formula.toml"), &base("toml"));
    let child = root.join("work/child.formula.toml");
    write(&child, CHILD);
    assert_eq!(
        cooked_ids(root, root, &child, &[], &["--search-path", "lib"]),
        ["toml", "own"]
    );
    let deep = root.join("deep");
    write(&deep.join("sub/base.formula.toml"), &base("nested"));
    let (code, out) = check_code(
        root,
        root,
        &[
            "check",
            &child.display().to_string(),
            "--search-path",
            "deep",
        ],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("extends unknown formula `base`"), "{out}");
}

#[test]
fn explain_resolution_names_the_winner_and_what_it_shadows() {
    let d = tmp();
    let root = d.path();
    let dir = root.join("f");
    write(&dir.join("base.formula.toml"), &base("sibling"));
    write(&dir.join("child.formula.toml"), CHILD);
    write(&root.join("lib/base.formula.toml"), &base("lib"));
    write(
        &root.join("home/.beads/formulas/base.formula.yaml"),
        "formula: base\nsteps:\n  - id: home\n    title: H\n",
    );
    let (code, out) = check_code(
        root,
        root,
        &[
            "check",
            "f/child.formula.toml",
            "--search-path",
            "lib",
            "--explain-resolution",
            "base",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}");
    let home = root.join("home/.beads/formulas");
    let expected = format!(
        "`base` resolves to f/base.formula.toml (a sibling of the checked formula in f)\n\
         it shadows:\n  lib/base.formula.toml (--search-path lib)\n  {}/base.formula.yaml (user: {})\n",
        home.display(),
        home.display()
    );
    assert_eq!(out, expected);
    let (code, out) = check_code(
        root,
        root,
        &[
            "check",
            "f/child.formula.toml",
            "--explain-resolution",
            "nope",
        ],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("`nope` does not resolve: searched\n"),
        "{out}"
    );
    assert!(out.contains("  the checked files\n"), "{out}");
    assert!(out.ends_with("  the stdlib embedded in gtc\n"), "{out}");
}

#[test]
fn a_layer_that_is_also_a_checked_files_directory_still_serves_the_others() {
    let d = tmp();
    let root = d.path();
    write(
        &root.join(".beads/formulas/a.formula.toml"),
        &base("a").replace("\"base\"", "\"a\""),
    );
    write(
        &root.join(".beads/formulas/base.formula.toml"),
        &base("project"),
    );
    write(&root.join("other/child.formula.toml"), CHILD);
    // `base` is a sibling of `a` only; from `other/` it is the project layer's.
    let (code, out) = check_code(
        root,
        root,
        &[
            "check",
            ".beads/formulas/a.formula.toml",
            "other/child.formula.toml",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        cooked_ids(root, root, &root.join("other/child.formula.toml"), &[], &[]),
        ["project", "own"]
    );
}

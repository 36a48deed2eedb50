//! `gtc` as a whole process: exit statuses, output formats, directory walking,
//! name resolution through the search path, and usage errors.

use std::path::Path;
use std::process::{Command, Output};

fn gtc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gtc"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("cannot run gtc: {e}"))
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const GOOD: &str = "formula = \"good\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n\n[[steps]]\nid = \"b\"\ntitle = \"B\"\nneeds = [\"a\"]\n";
const BAD: &str = "formula = \"bad\"\n\n[[steps]]\nid = \"build\"\ntitle = \"Build\"\n\n[[steps]]\nid = \"test\"\ntitle = \"Test\"\nneeds = [\"biuld\"]\n";
const WARN: &str = "formula = \"warn\"\n\n[vars.unused]\ndefault = \"x\"\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn clean_file_exits_zero_with_a_summary() {
    let d = tmp();
    write(d.path(), "good.formula.toml", GOOD);
    let o = gtc(d.path(), &["check", "good.formula.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "checked 1 file: 0 errors, 0 warnings\n");
}

#[test]
fn an_error_exits_one_and_points_at_the_place() {
    let d = tmp();
    write(d.path(), "bad.formula.toml", BAD);
    let o = gtc(d.path(), &["check", "bad.formula.toml", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("GTC006"), "{out}");
    assert!(out.contains("bad.formula.toml:10:10"), "{out}");
    assert!(out.contains("did you mean `build`?"), "{out}");
    assert!(
        !out.contains("\u{1b}["),
        "no colour when not a terminal: {out}"
    );
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let d = tmp();
    write(d.path(), "warn.formula.toml", WARN);
    assert_eq!(
        gtc(d.path(), &["check", "warn.formula.toml"]).status.code(),
        Some(0)
    );
    assert_eq!(
        gtc(d.path(), &["check", "--deny-warnings", "warn.formula.toml"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn color_always_paints() {
    let d = tmp();
    write(d.path(), "bad.formula.toml", BAD);
    let o = gtc(
        d.path(),
        &["check", "bad.formula.toml", "--color", "always"],
    );
    assert!(stdout(&o).contains("\u{1b}["));
}

#[test]
fn json_is_exactly_one_object_with_one_based_positions() {
    let d = tmp();
    write(d.path(), "bad.formula.toml", BAD);
    write(d.path(), "good.formula.toml", GOOD);
    let o = gtc(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["warnings"], 0);
    let d0 = &v["diagnostics"][0];
    assert_eq!(d0["path"], "./bad.formula.toml");
    assert_eq!(d0["severity"], "error");
    assert_eq!(d0["code"], "GTC006");
    assert_eq!(d0["range"]["start"]["line"], 10);
    assert_eq!(d0["range"]["start"]["column"], 10);
    assert_eq!(d0["range"]["end"]["column"], 17);
    assert!(d0["help"].as_str().is_some_and(|h| h.contains("build")));
}

#[test]
fn sarif_and_github_formats() {
    let d = tmp();
    write(d.path(), "bad.formula.toml", BAD);
    let o = gtc(
        d.path(),
        &["check", "--format", "sarif", "bad.formula.toml"],
    );
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "GTC006");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        10
    );
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(gtc::diagnostic::ALL_CODES.len())
    );

    let o = gtc(
        d.path(),
        &["check", "--format", "github", "bad.formula.toml"],
    );
    let out = stdout(&o);
    assert!(
        out.starts_with("::error file=bad.formula.toml,line=10,col=10,endLine=10,endColumn=17,title=GTC006 unknown-step::needs references unknown step `biuld`%0Ahelp: did you mean `build`?"),
        "{out}"
    );
}

#[test]
fn directories_are_walked_in_a_stable_order() {
    let d = tmp();
    write(d.path(), "z/b.formula.toml", BAD);
    write(
        d.path(),
        "a/b.formula.json",
        "{\"formula\": \"j\", \"steps\": [{\"id\": \"x\", \"title\": \"X\", \"needs\": [\"y\"]}]}",
    );
    write(
        d.path(),
        "a/c.formula.yaml",
        "formula: y\nsteps:\n  - id: x\n    title: X\n    needs: [nope]\n",
    );
    write(d.path(), "a/ignored.toml", BAD);
    write(d.path(), ".hidden/b.formula.toml", BAD);
    let first = gtc(d.path(), &["check", "--format", "json", "."]);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&first)).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "./a/b.formula.json",
            "./a/c.formula.yaml",
            "./z/b.formula.toml"
        ]
    );
    for _ in 0..3 {
        assert_eq!(
            gtc(d.path(), &["check", "--format", "json", "."]).stdout,
            first.stdout
        );
    }
}

#[test]
fn names_resolve_through_beads_formulas_and_search_path() {
    let d = tmp();
    write(
        d.path(),
        "child.formula.toml",
        "formula = \"child\"\nextends = [\"base\"]\n\n[[steps]]\nid = \"more\"\ntitle = \"More for {{who}}\"\nneeds = [\"start\"]\n",
    );
    // Unknown at first.
    let o = gtc(
        d.path(),
        &["check", "child.formula.toml", "--color", "never"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("GTC008"), "{}", stdout(&o));
    // Found in the project's .beads/formulas: inherited var and step count as declared.
    let base = "formula = \"base\"\n\n[vars.who]\ndefault = \"me\"\n\n[[steps]]\nid = \"start\"\ntitle = \"Start {{who}}\"\n";
    write(d.path(), ".beads/formulas/base.formula.toml", base);
    let o = gtc(d.path(), &["check", "child.formula.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // And through --search-path.
    let e = tmp();
    write(
        e.path(),
        "child.formula.toml",
        &std::fs::read_to_string(d.path().join("child.formula.toml")).unwrap_or_default(),
    );
    write(e.path(), "lib/base.formula.toml", base);
    let o = gtc(
        e.path(),
        &["check", "child.formula.toml", "--search-path", "lib"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn stdlib_formulas_are_on_the_search_path() {
    let d = tmp();
    write(
        d.path(),
        "x.formula.toml",
        "formula = \"x\"\n\n[[steps]]\nid = \"feature\"\ntitle = \"Feature\"\nexpand = \"exp-tdd\"\n\n[compose]\naspects = [\"aspect-approval\"]\n",
    );
    let o = gtc(d.path(), &["check", "x.formula.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn io_and_usage_problems_exit_two() {
    let d = tmp();
    let o = gtc(d.path(), &["check", "missing.formula.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing.formula.toml: no such file or directory"),
        "{}",
        stderr(&o)
    );
    std::fs::write(
        d.path().join("latin1.formula.toml"),
        b"formula = \"caf\xe9\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = gtc(d.path(), &["check", "latin1.formula.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not valid UTF-8"), "{}", stderr(&o));
    assert_eq!(
        gtc(d.path(), &["check", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(gtc(d.path(), &["frobnicate"]).status.code(), Some(2));
    let o = gtc(d.path(), &["check", "--search-path", "nope", "."]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_prints_docs_and_rejects_unknown_codes() {
    let d = tmp();
    let o = gtc(d.path(), &["explain", "GTC005"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# GTC005 duplicate-step-id"));
    let o = gtc(d.path(), &["explain", "unknown-step"]);
    assert!(stdout(&o).starts_with("# GTC006 unknown-step"));
    let o = gtc(d.path(), &["explain"]);
    assert!(stdout(&o).contains("GTC030"));
    let o = gtc(d.path(), &["explain", "GTC999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown diagnostic code"));
}

#[test]
fn schema_prints_the_committed_json_schema() {
    let d = tmp();
    let o = gtc(d.path(), &["schema"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/schema/formula.schema.json"),
    )
    .unwrap_or_default();
    assert_eq!(stdout(&o), committed);
}

#[test]
fn help_teaches() {
    let d = tmp();
    let o = gtc(d.path(), &["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("--deny-warnings") && out.contains("Exit status"),
        "{out}"
    );
}

#[test]
fn cook_prints_resolved_json_tree_and_refuses_broken_formulas() {
    let d = tmp();
    write(d.path(), "good.formula.toml", GOOD);
    write(d.path(), "bad.formula.toml", BAD);
    let o = gtc(d.path(), &["cook", "good.formula.toml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["formula"], "good");
    assert_eq!(v["steps"][1]["needs"][0], "a");
    assert_eq!(v["steps"][1]["source"]["line"], 7);
    assert_eq!(v["steps"][1]["source"]["path"], "steps[1]");
    assert_eq!(
        gtc(d.path(), &["cook", "good.formula.toml", "--format", "json"]).stdout,
        o.stdout,
        "deterministic"
    );
    // Not a terminal: JSON is the default.
    assert_eq!(
        gtc(d.path(), &["cook", "good.formula.toml"]).stdout,
        o.stdout
    );

    let o = gtc(d.path(), &["cook", "good.formula.toml", "--format", "tree"]);
    assert_eq!(
        stdout(&o),
        "good (workflow, 2 steps)\n├── a: A\n└── b: B  [needs: a]\n"
    );

    // By name, from the stdlib.
    let o = gtc(d.path(), &["cook", "exp-tdd", "--format", "tree"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = gtc(d.path(), &["cook", "bad.formula.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("GTC006"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());

    let o = gtc(d.path(), &["cook", "no-such-formula"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("neither a file nor a formula name"),
        "{}",
        stderr(&o)
    );
}

const COMPOSED: &str = "formula = \"composed\"\n\n[[steps]]\nid = \"design\"\ntitle = \"Design \\\"it\\\"\"\n\n[[steps]]\nid = \"build\"\ntitle = \"Build\"\nneeds = [\"design\"]\nexpand = \"exp-tdd\"\n\n[[steps]]\nid = \"deploy\"\ntitle = \"Deploy\"\nneeds = [\"design\"]\n\n[[steps.children]]\nid = \"smoke\"\ntitle = \"Smoke\"\n\n[compose]\naspects = [\"aspect-approval\"]\n";

#[test]
fn cook_graph_formats_and_why() {
    let d = tmp();
    write(d.path(), "composed.formula.toml", COMPOSED);
    let run = |args: &[&str]| {
        let o = gtc(d.path(), args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    insta::assert_snapshot!(
        "cook_tree",
        run(&["cook", "composed.formula.toml", "--format", "tree"])
    );
    insta::assert_snapshot!(
        "cook_dot",
        run(&["cook", "composed.formula.toml", "--format", "dot"])
    );
    insta::assert_snapshot!(
        "cook_mermaid",
        run(&["cook", "composed.formula.toml", "--format", "mermaid"])
    );
    insta::assert_snapshot!(
        "cook_why",
        run(&["cook", "composed.formula.toml", "--why", "build.green"])
    );
    insta::assert_snapshot!(
        "cook_why_advice",
        run(&["cook", "composed.formula.toml", "--why", "approve-deploy"])
    );
    let o = gtc(
        d.path(),
        &["cook", "composed.formula.toml", "--why", "build.gren"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean `build.green`?"),
        "{}",
        stderr(&o)
    );
}

const MOL_DEMO: &str = r#"formula = "mol-demo"
description = "Demo workflow for {{component}}"

[vars.component]
description = "Component name"
required = true

[vars.env]
description = "Target env"
default = "staging"
enum = ["staging", "production"]

[vars.replicas]
description = "How many"
default = "2"
type = "int"

[[steps]]
id = "build"
title = "Build {{component}} x{{replicas}}"

[[steps]]
id = "deploy"
title = "Deploy {{component}} to {{env}}"
needs = ["build"]
condition = "{{env}} == production"

[[steps]]
id = "announce"
title = "Announce"
needs = ["deploy"]
"#;

#[test]
fn cook_runtime_mode_validates_substitutes_and_filters() {
    let d = tmp();
    write(d.path(), "mol-demo.formula.toml", MOL_DEMO);
    let tree = |args: &[&str]| {
        let mut all = vec!["cook", "mol-demo.formula.toml", "--format", "tree"];
        all.extend_from_slice(args);
        gtc(d.path(), &all)
    };
    // The condition is false by default: `deploy` goes, and the dependency on it too.
    let o = tree(&["--var", "component=auth"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "mol-demo (workflow, 2 steps)\n├── build: Build auth x2\n└── announce: Announce\n"
    );
    let o = tree(&["--var", "component=auth", "--var", "env=production"]);
    assert!(
        stdout(&o).contains("deploy: Deploy auth to production  [needs: build]"),
        "{}",
        stdout(&o)
    );
    // A vars file, overridden by --var.
    write(
        d.path(),
        "vars.yaml",
        "component: api\nenv: production\nreplicas: 3\n",
    );
    let o = tree(&["--vars-file", "vars.yaml", "--var", "replicas=5"]);
    assert!(stdout(&o).contains("build: Build api x5"), "{}", stdout(&o));

    let fails = |args: &[&str], code: &str, needle: &str| {
        let o = tree(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        let e = stderr(&o);
        assert!(e.contains(code) && e.contains(needle), "{args:?}: {e}");
    };
    fails(
        &["--mode", "runtime"],
        "GTC032",
        "var `component` is required but has no value",
    );
    fails(
        &["--var", "component=a", "--var", "env=prodution"],
        "GTC033",
        "did you mean `production`?",
    );
    fails(
        &["--var", "component=a", "--var", "replicas=many"],
        "GTC033",
        "not a valid int",
    );
    fails(
        &[
            "--var",
            "component=a",
            "--var",
            "env=production",
            "--var",
            "replicas=1.5",
        ],
        "GTC033",
        "mol-demo.formula.toml:13:7",
    );

    let usage = |args: &[&str], needle: &str| {
        let o = tree(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    };
    usage(&["--var", "component"], "expected NAME=VALUE");
    usage(
        &["--mode", "compile", "--var", "component=a"],
        "need runtime mode",
    );
    write(d.path(), "bad-vars.toml", "component = [1, 2]\n");
    usage(
        &["--vars-file", "bad-vars.toml"],
        "bad-vars.toml:1:13: the value of `component` must be a string",
    );
    usage(&["--vars-file", "missing.toml"], "missing.toml");
}

#[test]
fn convert_writes_other_formats_and_refuses_what_cannot_round_trip() {
    let d = tmp();
    write(d.path(), "good.formula.toml", GOOD);
    let o = gtc(d.path(), &["convert", "good.formula.toml", "--to", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["steps"][1]["needs"][0], "a");
    let o = gtc(
        d.path(),
        &[
            "convert",
            "good.formula.toml",
            "--to",
            "yaml",
            "-o",
            "good.formula.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    // The converted file checks the same.
    assert_eq!(
        gtc(d.path(), &["check", "good.formula.yaml"]).status.code(),
        Some(0)
    );

    write(d.path(), "null.formula.yaml", "formula: n\nextra: ~\n");
    let o = gtc(d.path(), &["convert", "null.formula.yaml", "--to", "toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("null.formula.yaml:2:8: TOML has no null"),
        "{}",
        stderr(&o)
    );

    write(d.path(), "broken.formula.toml", "formula = \"x\n");
    let o = gtc(
        d.path(),
        &["convert", "broken.formula.toml", "--to", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("GTC001"), "{}", stderr(&o));
    assert_eq!(
        gtc(
            d.path(),
            &["convert", "missing.formula.toml", "--to", "json"]
        )
        .status
        .code(),
        Some(2)
    );
}

const MESSY: &str = "formula=\"messy\"   # kept\n\n\n[[steps]]\n\nid = \"a\"\ntitle =  \"A\"\n";
const TIDY: &str = "formula = \"messy\"  # kept\n\n[[steps]]\nid = \"a\"\ntitle = \"A\"\n";

#[test]
fn fmt_check_reports_and_exits_one_then_fmt_rewrites_in_place() {
    let d = tmp();
    write(d.path(), "messy.formula.toml", MESSY);
    write(d.path(), "sub/tidy.formula.toml", TIDY);
    write(
        d.path(),
        "messy.formula.json",
        "{\"formula\":\"j\",\"steps\":[]}",
    );

    let o = gtc(d.path(), &["fmt", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("./messy.formula.toml:1: not formatted"),
        "{out}"
    );
    assert!(
        out.contains("-formula=\"messy\"   # kept\n+formula = \"messy\"  # kept\n"),
        "{out}"
    );
    assert!(
        out.contains("./messy.formula.json:1: not formatted"),
        "{out}"
    );
    assert!(!out.contains("tidy"), "{out}");
    assert_eq!(
        stderr(&o),
        "2 files would be reformatted, 1 already formatted\n"
    );
    // --check writes nothing.
    assert_eq!(
        std::fs::read_to_string(d.path().join("messy.formula.toml")).unwrap_or_default(),
        MESSY
    );

    let o = gtc(d.path(), &["fmt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "formatted 2 files, 1 unchanged\n");
    assert_eq!(
        std::fs::read_to_string(d.path().join("messy.formula.toml")).unwrap_or_default(),
        TIDY
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("messy.formula.json")).unwrap_or_default(),
        "{\n  \"formula\": \"j\",\n  \"steps\": []\n}\n"
    );
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(d.path())
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(names.iter().all(|n| !n.contains("gtc-fmt")), "{names:?}");

    let o = gtc(d.path(), &["fmt", "--check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_alone_and_points_at_the_error() {
    let d = tmp();
    let broken = "formula  =  \"x\"\n\n\n[[steps]]\nid = \"a\n";
    write(d.path(), "broken.formula.toml", broken);
    write(d.path(), "messy.formula.toml", MESSY);
    for args in [&["fmt"][..], &["fmt", "--check"][..]] {
        let o = gtc(d.path(), args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("GTC001"), "{err}");
        assert!(err.contains("broken.formula.toml:5:8"), "{err}");
        assert!(
            err.contains("error: ./broken.formula.toml has syntax errors; it was not formatted"),
            "{err}"
        );
        assert!(err.contains("1 not formatted (errors)"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(d.path().join("broken.formula.toml")).unwrap_or_default(),
        broken
    );
    // The other file was still formatted.
    assert_eq!(
        std::fs::read_to_string(d.path().join("messy.formula.toml")).unwrap_or_default(),
        TIDY
    );
}

#[test]
fn fmt_stdout_stdin_and_usage_problems() {
    let d = tmp();
    write(d.path(), "messy.formula.toml", MESSY);
    let o = gtc(d.path(), &["fmt", "--stdout", "messy.formula.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), TIDY);
    assert_eq!(
        std::fs::read_to_string(d.path().join("messy.formula.toml")).unwrap_or_default(),
        MESSY
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_gtc"))
        .args(["fmt", "-", "--stdin-filename", "x.formula.yaml"])
        .current_dir(d.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        input
            .write_all(b"formula: y   \n\n\nsteps: []\n\n")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "formula: y\n\nsteps: []\n");

    let code = |args: &[&str]| gtc(d.path(), args).status.code();
    assert_eq!(code(&["fmt", "missing.formula.toml"]), Some(2));
    assert_eq!(code(&["fmt", "--check", "missing"]), Some(2));
    write(d.path(), "other.formula.toml", TIDY);
    assert_eq!(code(&["fmt", "--stdout", "."]), Some(2));
    assert_eq!(code(&["fmt", "-", "messy.formula.toml"]), Some(2));
    assert_eq!(code(&["fmt", "--check", "--stdout", "."]), Some(2));
}

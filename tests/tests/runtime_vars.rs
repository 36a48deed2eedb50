//! Runtime mode (`gtc cook --var`, `gt pour`) applies var values everywhere: loop `range`
//! bounds, loop vars inside `expand_vars` and conditions, step conditions. A value that
//! makes a range invalid is a located GTC033, never a panic or a silent default.

use gtc_e2e::{cook_last, titled};

/// Cook the last of `sources` with `vars` (runtime mode when `Some`): `id <- needs: title`
/// lines, or the located error lines.
fn cook_with(
    sources: &[(&str, &str)],
    vars: Option<&[(&str, &str)]>,
) -> Result<Vec<String>, Vec<String>> {
    cook_last(sources, vars).map(|r| titled(&r.steps))
}

const ROUNDS: &str = include_str!("../fixtures/formulas/rounds.formula.toml");

#[test]
fn var_values_reach_loop_ranges() {
    let src = [("rounds.formula.toml", ROUNDS)];
    let two = [
        "rounds.iter1.round: Round 1",
        "rounds.iter2.round <- rounds.iter1.round: Round 2",
    ];
    assert_eq!(cook_with(&src, None), Ok(two.map(String::from).to_vec()));
    assert_eq!(
        cook_with(&src, Some(&[])),
        Ok(two.map(String::from).to_vec())
    );
    let four = cook_with(&src, Some(&[("n", "4")])).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(four.len(), 4, "{four:?}");
    assert_eq!(four[3], "rounds.iter4.round <- rounds.iter3.round: Round 4");
    // An expression over a value.
    let doubled = ROUNDS.replace("1..{n}", "1..{n}*2");
    let six = cook_with(&[("rounds.formula.toml", &doubled)], Some(&[("n", "3")]));
    assert_eq!(six.map(|s| s.len()), Ok(6));
}

#[test]
fn a_value_that_breaks_a_range_is_a_located_error() {
    let src = [("rounds.formula.toml", ROUNDS)];
    // `1..{n}` sits at line 10, column 10; `{n}` at column 13.
    assert_eq!(
        cook_with(&src, Some(&[("n", "many")])),
        Err(vec![String::from(
            "rounds.formula.toml:10:13 error GTC033 value `many` of var `n` is not a number, but the range `1..{n}` of loop `rounds` needs one"
        )])
    );
    assert_eq!(
        cook_with(&src, Some(&[("n", "0")])),
        Err(vec![String::from(
            "rounds.formula.toml:10:10 error GTC033 with n = 0, the range `1..{n}` of loop `rounds` ends (0) before it starts (1)"
        )])
    );
    let err = cook_with(&src, Some(&[("n", "1000000000")])).expect_err("over the step limit");
    assert_eq!(err.len(), 1, "{err:?}");
    assert!(
        err[0].starts_with("rounds.formula.toml:10:10 error GTC033 with n = 1000000000, loop `rounds` would produce 1000000000 steps"),
        "{err:?}"
    );
    let err = cook_with(&src, Some(&[("n", "1e400")])).expect_err("not finite");
    assert!(err[0].contains("GTC033"), "{err:?}");
}

#[test]
fn a_range_var_without_a_value_is_a_located_error() {
    let no_default = ROUNDS.replace(
        "[vars.n]\ndefault = \"2\"\n",
        "[vars.n]\ndescription = \"rounds\"\n",
    );
    let src = [("rounds.formula.toml", no_default.as_str())];
    let err = cook_with(&src, Some(&[])).expect_err("no value for n");
    assert!(
        err.iter()
            .any(|e| e.starts_with("rounds.formula.toml:10:13 error GTC032")
                && e.contains("var `n`")),
        "{err:?}"
    );
    assert_eq!(cook_with(&src, Some(&[("n", "3")])).map(|s| s.len()), Ok(3));
}

#[test]
fn loop_vars_reach_expand_vars_and_conditions() {
    let exp = r#"formula = "exp-round"
type = "expansion"

[vars.i]
default = "?"

[vars.label]
default = "plain"

[[template]]
id = "{target}.play"
title = "Play round {i} ({label})"
"#;
    let formula = r#"formula = "game"

[vars.skip]
default = "none"

[[steps]]
id = "rounds"
title = "Rounds"
[steps.loop]
range = "1..3"
var = "i"
[[steps.loop.body]]
id = "round"
expand = "exp-round"
expand_vars = { label = "r{i}" }
[[steps.loop.body]]
id = "score"
title = "Score {i}"
condition = "{{skip}} != {i}"
"#;
    let src = [
        ("exp-round.formula.toml", exp),
        ("game.formula.toml", formula),
    ];
    assert_eq!(
        cook_with(&src, Some(&[("skip", "2")])),
        Ok(vec![
            String::from("rounds.iter1.round.play: Play round 1 (r1)"),
            String::from("rounds.iter1.score: Score 1"),
            // Iteration 2 follows iteration 1; iteration 2's `score` is dropped (skip = 2),
            // so iteration 3 follows nothing.
            String::from("rounds.iter2.round.play <- rounds.iter1.score: Play round 2 (r2)"),
            String::from("rounds.iter3.round.play: Play round 3 (r3)"),
            String::from("rounds.iter3.score: Score 3"),
        ])
    );
}

#[test]
fn gtc_cook_var_reaches_the_range() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().to_path_buf();
    let path = dir.join("rounds.formula.toml");
    std::fs::write(&path, ROUNDS).unwrap_or_else(|e| panic!("{e}"));
    let env = gtc::cli::Env {
        cwd: dir.clone(),
        ..gtc::cli::Env::default()
    };
    let run = |args: &[&str]| {
        let mut argv = vec![String::from("gtc"), String::from("cook")];
        argv.push(path.display().to_string());
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = gtc::cli::run(
            argv.into_iter().map(Into::into).collect(),
            &env,
            &mut out,
            &mut err,
        );
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    };
    let (code, out, err) = run(&["--format", "json", "--var", "n=4"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["steps"].as_array().map(Vec::len), Some(4), "{out}");
    let (code, _, err) = run(&["--var", "n=x"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("GTC033") && err.contains("rounds.formula.toml:10:13"),
        "{err}"
    );
}

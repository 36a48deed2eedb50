//! Diagnostics whose explanation lies in another file carry labels there, and every writer
//! shows them: a step two parents both define (at each definition), a formula of the wrong
//! kind (at its `type`), an unknown or circular link further up the `extends` chain (at
//! that link).

use gtc::diagnostic::{render_github, render_json, render_sarif};
use gtc_e2e::{check, render_plain};

const A: &str = "formula = \"a\"\n\n[[steps]]\nid = \"setup\"\ntitle = \"A\"\n";
const B: &str =
    "formula = \"b\"\nextends = [\"gone\"]\n\n[[steps]]\nid = \"setup\"\ntitle = \"B\"\n";
const C: &str = "formula = \"c\"\nextends = [\"d\"]\n";
const D: &str = "formula = \"d\"\nextends = [\"c\"]\n";
const WORK: &str = "formula = \"w\"\ntype = \"workflow\"\n\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n";
const CHILD: &str = "formula = \"child\"\nextends = [\"a\", \"b\", \"c\"]\n\n[[steps]]\nid = \"y\"\ntitle = \"Y\"\nexpand = \"w\"\n";

fn sources() -> Vec<(&'static str, &'static str)> {
    vec![
        ("lib/a.formula.toml", A),
        ("lib/b.formula.toml", B),
        ("lib/c.formula.toml", C),
        ("lib/d.formula.toml", D),
        ("lib/w.formula.toml", WORK),
        ("child.formula.toml", CHILD),
    ]
}

#[test]
fn labels_in_other_files_in_every_writer() {
    let report = check(&sources());
    let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap_or_default();
    let related: Vec<String> = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["path"] == "child.formula.toml")
        .flat_map(|d| {
            let code = d["code"].as_str().unwrap_or("").to_owned();
            d["related"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |r| {
                    format!(
                        "{code} -> {}:{}:{} {}",
                        r["path"].as_str().unwrap_or(""),
                        r["range"]["start"]["line"],
                        r["range"]["start"]["column"],
                        r["message"].as_str().unwrap_or("")
                    )
                })
        })
        .collect();
    assert_eq!(
        related,
        [
            "GTC005 -> lib/a.formula.toml:4:6 `setup` is defined in `a`",
            "GTC005 -> lib/b.formula.toml:5:6 `setup` is defined in `b`",
            "GTC008 -> lib/b.formula.toml:2:12 `gone` is named here",
            "GTC009 -> lib/d.formula.toml:2:12 this link closes the cycle",
            "GTC025 -> lib/w.formula.toml:2:8 `w` is a workflow formula",
        ]
    );
    insta::assert_snapshot!("related_human", render_plain(&report));
    let sarif: serde_json::Value = serde_json::from_str(&render_sarif(&report)).unwrap_or_default();
    let locations: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| {
            r["relatedLocations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|l| {
            format!(
                "{}:{}",
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or(""),
                l["physicalLocation"]["region"]["startLine"]
            )
        })
        .collect();
    assert!(
        locations.contains(&String::from("lib/w.formula.toml:2")),
        "{locations:?}"
    );
    assert!(
        locations.contains(&String::from("lib/a.formula.toml:4")),
        "{locations:?}"
    );
    let github = render_github(&report);
    assert!(
        github.contains("%0Alib/d.formula.toml:2:12: this link closes the cycle"),
        "{github}"
    );
}

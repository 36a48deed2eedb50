//! The keys each table of a formula may hold: the union of what the beads and
//! Gas Town engines read. Anything else is reported as an unknown key (GTC002).

/// Top-level keys.
pub const ROOT: Schema = Schema {
    what: "a formula",
    exact_in_toml: false,
    keys: &[
        "formula",
        "description",
        "version",
        "type",
        "extends",
        "vars",
        "steps",
        "template",
        "compose",
        "advice",
        "pointcuts",
        "phase",
        "pour",
        "source",
        "agent",
        "review_only",
        "execution",
        "inputs",
        "prompts",
        "output",
        "legs",
        "synthesis",
        "aspects",
    ],
};
/// Keys of a step, template step, loop body step or convoy leg.
pub const STEP: Schema = Schema {
    what: "a step",
    exact_in_toml: false,
    keys: &[
        "id",
        "title",
        "description",
        "notes",
        "type",
        "priority",
        "labels",
        "metadata",
        "depends_on",
        "needs",
        "waits_for",
        "assignee",
        "expand",
        "expand_vars",
        "condition",
        "children",
        "gate",
        "loop",
        "on_complete",
        "parallel",
        "interactive",
        "acceptance",
        "output",
        "focus",
        "agent",
        "review_only",
    ],
};
/// Keys of a `[vars.NAME]` table.
pub const VAR: Schema = Schema {
    what: "a var",
    exact_in_toml: true,
    keys: &[
        "description",
        "default",
        "required",
        "enum",
        "pattern",
        "type",
    ],
};
/// Keys of a convoy `[inputs.NAME]` table.
pub const INPUT: Schema = Schema {
    what: "an input",
    exact_in_toml: false,
    keys: &[
        "description",
        "type",
        "required",
        "required_unless",
        "default",
    ],
};
/// Keys of a convoy `[output]` table.
pub const OUTPUT: Schema = Schema {
    what: "`output`",
    exact_in_toml: false,
    keys: &["directory", "leg_pattern", "synthesis"],
};
/// Keys of a convoy `[synthesis]` table.
pub const SYNTHESIS: Schema = Schema {
    what: "`synthesis`",
    exact_in_toml: false,
    keys: &[
        "id",
        "title",
        "description",
        "depends_on",
        "needs",
        "acceptance",
        "agent",
    ],
};
/// Keys of a step `gate`.
pub const GATE: Schema = Schema {
    what: "a gate",
    exact_in_toml: false,
    keys: &["type", "id", "await_id", "timeout"],
};
/// Keys of a step `loop`.
pub const LOOP: Schema = Schema {
    what: "a loop",
    exact_in_toml: false,
    keys: &["count", "until", "max", "range", "var", "body"],
};
/// Keys of a step `on_complete`.
pub const ON_COMPLETE: Schema = Schema {
    what: "`on_complete`",
    exact_in_toml: false,
    keys: &["for_each", "bond", "vars", "parallel", "sequential"],
};
/// Keys of `compose`.
pub const COMPOSE: Schema = Schema {
    what: "`compose`",
    exact_in_toml: false,
    keys: &[
        "bond_points",
        "hooks",
        "expand",
        "map",
        "branch",
        "gate",
        "aspects",
    ],
};
/// Keys of a bond point.
pub const BOND_POINT: Schema = Schema {
    what: "a bond point",
    exact_in_toml: false,
    keys: &["id", "description", "after_step", "before_step", "parallel"],
};
/// Keys of a hook.
pub const HOOK: Schema = Schema {
    what: "a hook",
    exact_in_toml: false,
    keys: &["trigger", "attach", "at", "vars"],
};
/// Keys of a `compose.expand` rule.
pub const EXPAND: Schema = Schema {
    what: "an expand rule",
    exact_in_toml: false,
    keys: &["target", "with", "vars"],
};
/// Keys of a `compose.map` rule.
pub const MAP: Schema = Schema {
    what: "a map rule",
    exact_in_toml: false,
    keys: &["select", "with", "vars"],
};
/// Keys of a `compose.branch` rule.
pub const BRANCH: Schema = Schema {
    what: "a branch rule",
    exact_in_toml: false,
    keys: &["from", "steps", "join"],
};
/// Keys of a `compose.gate` rule.
pub const GATE_RULE: Schema = Schema {
    what: "a gate rule",
    exact_in_toml: false,
    keys: &["before", "condition"],
};
/// Keys of an advice rule.
pub const ADVICE: Schema = Schema {
    what: "an advice rule",
    exact_in_toml: false,
    keys: &["target", "before", "after", "around"],
};
/// Keys of an advice `around`.
pub const AROUND: Schema = Schema {
    what: "`around`",
    exact_in_toml: false,
    keys: &["before", "after"],
};
/// Keys of an advice step.
pub const ADVICE_STEP: Schema = Schema {
    what: "an advice step",
    exact_in_toml: false,
    keys: &["id", "title", "description", "type", "args", "output"],
};
/// Keys of a pointcut.
pub const POINTCUT: Schema = Schema {
    what: "a pointcut",
    exact_in_toml: false,
    keys: &["glob", "type", "label"],
};
/// Keys of a Gas Town aspect-formula `[[aspects]]` entry.
pub const ASPECT_ITEM: Schema = Schema {
    what: "an aspect",
    exact_in_toml: false,
    keys: &["id", "title", "focus", "description"],
};

/// The keys one kind of table may hold.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    /// How messages name the table ("a step").
    pub what: &'static str,
    /// Its keys.
    pub keys: &'static [&'static str],
    /// Whether the reference matches its keys exactly in TOML (its TOML var decoder
    /// does); elsewhere keys match without regard to ASCII case.
    pub exact_in_toml: bool,
}

/// The formula types both engines know.
pub const FORMULA_TYPES: &[&str] = &["workflow", "expansion", "aspect", "convoy"];
/// Gate types the runtimes know.
pub const GATE_TYPES: &[&str] = &["human", "timer", "gh:run", "gh:pr", "mail", "bead"];

/// The known key closest to `key`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    closest(key, known.iter().copied())
}

/// The candidate closest to `word` by edit distance, if close enough to suggest.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(word) {
            return Some(c);
        }
        let score = strsim::jaro_winkler(&lower, &c.to_ascii_lowercase());
        let lev = strsim::levenshtein(&lower, &c.to_ascii_lowercase());
        let close = score >= 0.85 || lev <= (c.len().max(3) / 3);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("depends_no", STEP.keys), Some("depends_on"));
        assert_eq!(did_you_mean("Depends_On", STEP.keys), Some("depends_on"));
        assert_eq!(did_you_mean("titel", STEP.keys), Some("title"));
        assert_eq!(did_you_mean("squash", ROOT.keys), None);
        assert_eq!(did_you_mean("presets", ROOT.keys), None);
    }
}

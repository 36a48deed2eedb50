//! The tables of a formula and their keys: the union of what the beads and Gas Town
//! engines read. Anything else is an unknown key (GTC002).

use super::{Choice, Choices, Key, Role, Table, Type};

const fn key(name: &'static str, ty: Type, doc: &'static str) -> Key {
    Key {
        name,
        ty,
        role: Role::Text,
        doc,
    }
}

const fn reference(name: &'static str, ty: Type, role: Role, doc: &'static str) -> Key {
    Key {
        name,
        ty,
        role,
        doc,
    }
}

/// The formula types both engines know.
pub static FORMULA_TYPES: Choices = Choices {
    closed: true,
    values: &[
        Choice {
            value: "workflow",
            doc: "steps that pour into a molecule (the default)",
        },
        Choice {
            value: "expansion",
            doc: "`template` steps inlined into other formulas by `expand`",
        },
        Choice {
            value: "aspect",
            doc: "`advice` that other formulas apply through `compose.aspects`",
        },
        Choice {
            value: "convoy",
            doc: "Gas Town: parallel `legs` and a `synthesis` step",
        },
    ],
};

/// Gate types the runtimes know (Gas Town formulas also use their own).
pub static GATE_TYPES: Choices = Choices {
    closed: false,
    values: &[
        Choice {
            value: "human",
            doc: "waits for a person to approve",
        },
        Choice {
            value: "timer",
            doc: "waits until `timeout` has passed",
        },
        Choice {
            value: "gh:run",
            doc: "waits for a GitHub Actions run (`await_id`)",
        },
        Choice {
            value: "gh:pr",
            doc: "waits for a GitHub pull request (`await_id`)",
        },
        Choice {
            value: "mail",
            doc: "waits for a message",
        },
        Choice {
            value: "bead",
            doc: "waits for another issue to close (`await_id`)",
        },
    ],
};

/// Var types the runtime parses values as (`integer`, `number` and `boolean` are read too).
pub static VAR_TYPES: Choices = Choices {
    closed: false,
    values: &[
        Choice {
            value: "string",
            doc: "any text (the default)",
        },
        Choice {
            value: "int",
            doc: "digits, such as `42`",
        },
        Choice {
            value: "bool",
            doc: "`true` or `false`",
        },
    ],
};

/// Issue types a step's `type` maps to (any other value pours as `task`).
pub static STEP_TYPES: Choices = Choices {
    closed: false,
    values: &[
        Choice {
            value: "task",
            doc: "a unit of work (the default)",
        },
        Choice {
            value: "bug",
            doc: "a defect to fix",
        },
        Choice {
            value: "feature",
            doc: "new functionality",
        },
        Choice {
            value: "epic",
            doc: "a container of steps (a step with children is always one)",
        },
        Choice {
            value: "chore",
            doc: "maintenance work",
        },
    ],
};

/// Top-level keys.
pub static ROOT: Table = Table {
    name: "formula",
    what: "a formula",
    doc: "A workflow formula: vars, steps and how it composes with other formulas",
    exact_in_toml: false,
    keys: &[
        reference(
            "formula",
            Type::String,
            Role::FormulaName,
            "The formula's name, which other formulas use to refer to it",
        ),
        key(
            "description",
            Type::String,
            "What the formula does; may use `{{vars}}`",
        ),
        key(
            "version",
            Type::Int,
            "The formula's version, 1 or more (default 1)",
        ),
        key(
            "type",
            Type::Choice(&FORMULA_TYPES),
            "The kind of formula; inferred from its keys when absent",
        ),
        reference(
            "extends",
            Type::Strings,
            Role::FormulaRef,
            "Parent formulas whose vars and steps this one inherits, in order",
        ),
        key(
            "vars",
            Type::Vars(&VAR),
            "Variables, `{{name}}` in texts: a string (the default) or a table",
        ),
        key(
            "steps",
            Type::Tables(&STEP),
            "The steps; each becomes an issue when the formula is poured",
        ),
        key(
            "template",
            Type::Tables(&STEP),
            "An expansion formula's steps, inlined where another formula expands it",
        ),
        key(
            "compose",
            Type::Table(&COMPOSE),
            "Composition rules: bond points, hooks, expansions, maps, branches, gates, aspects",
        ),
        key(
            "advice",
            Type::Tables(&ADVICE),
            "Steps to insert before, after or around the steps a glob matches",
        ),
        key(
            "pointcuts",
            Type::Tables(&POINTCUT),
            "Named step patterns of an aspect (read, never used for matching)",
        ),
        key(
            "phase",
            Type::String,
            "`liquid` or `vapor`: `bd mol pour` warns when a vapor formula is poured",
        ),
        key(
            "pour",
            Type::Bool,
            "Gas Town: whether a wisp materialises the steps (false: the root only)",
        ),
        key(
            "source",
            Type::String,
            "Set by the engines to the file's path; has no effect when written",
        ),
        key(
            "agent",
            Type::String,
            "Gas Town: the default agent runtime for legs",
        ),
        key(
            "review_only",
            Type::Bool,
            "Gas Town: legs only analyse and report",
        ),
        key(
            "execution",
            Type::String,
            "Gas Town: how `gt formula run` executes the formula",
        ),
        key(
            "inputs",
            Type::MapOf(&INPUT),
            "Gas Town convoy: named inputs the formula asks for",
        ),
        key(
            "prompts",
            Type::StringMap,
            "Gas Town convoy: named prompt templates (Go templates)",
        ),
        key(
            "output",
            Type::Table(&OUTPUT),
            "Gas Town convoy: where the legs and the synthesis write their results",
        ),
        key(
            "legs",
            Type::Tables(&STEP),
            "Gas Town convoy: steps that run in parallel",
        ),
        key(
            "synthesis",
            Type::Table(&SYNTHESIS),
            "Gas Town convoy: the step that combines the legs' results",
        ),
        key(
            "aspects",
            Type::Tables(&ASPECT_ITEM),
            "Gas Town aspect formula: the aspects it describes",
        ),
    ],
};

/// Keys of a step, template step, loop body step or convoy leg.
pub static STEP: Table = Table {
    name: "step",
    what: "a step",
    doc: "A step: one issue of the poured molecule",
    exact_in_toml: false,
    keys: &[
        reference(
            "id",
            Type::String,
            Role::StepId,
            "The step's id, unique in its formula; other steps refer to it",
        ),
        key(
            "title",
            Type::String,
            "The issue's title; may use `{{vars}}`",
        ),
        key(
            "description",
            Type::String,
            "The issue's description; may use `{{vars}}`",
        ),
        key(
            "notes",
            Type::String,
            "The issue's notes; may use `{{vars}}`",
        ),
        key(
            "type",
            Type::Choice(&STEP_TYPES),
            "The issue type (task, bug, feature, epic, chore; anything else pours as task)",
        ),
        key(
            "priority",
            Type::Int,
            "0 (most urgent) to 4 (least); default 2",
        ),
        key("labels", Type::Strings, "Labels of the issue"),
        key(
            "metadata",
            Type::Json,
            "Free-form data copied into the issue's metadata",
        ),
        reference(
            "depends_on",
            Type::Strings,
            Role::StepRef,
            "Steps that must be done before this one (the same as `needs`)",
        ),
        reference(
            "needs",
            Type::Strings,
            Role::StepRef,
            "Steps that must be done before this one (the same as `depends_on`)",
        ),
        reference(
            "waits_for",
            Type::String,
            Role::WaitsFor,
            "`all-children`, `any-children` or `children-of(step)`: wait for a spawner's children",
        ),
        key("assignee", Type::String, "Who the issue is assigned to"),
        reference(
            "expand",
            Type::String,
            Role::FormulaRef,
            "An expansion formula inlined in place of this step",
        ),
        key(
            "expand_vars",
            Type::StringMap,
            "Var values passed to the `expand` formula",
        ),
        reference(
            "condition",
            Type::String,
            Role::Condition,
            "Keep the step only when this holds: `{{var}}`, `!{{var}}`, `{{var}} == value`",
        ),
        key(
            "children",
            Type::Tables(&STEP),
            "Nested steps; the step becomes an epic",
        ),
        key(
            "gate",
            Type::Table(&GATE),
            "A gate issue that blocks this step until it opens",
        ),
        key(
            "loop",
            Type::Table(&LOOP),
            "Repeat a body of steps (count, range, or until a condition)",
        ),
        key(
            "on_complete",
            Type::Table(&ON_COMPLETE),
            "Bond a formula for each item of the step's output when it completes",
        ),
        key(
            "parallel",
            Type::Bool,
            "Gas Town: the step's children may run in parallel",
        ),
        key(
            "interactive",
            Type::Bool,
            "Gas Town: `gt formula run` hands the step to a person",
        ),
        key(
            "acceptance",
            Type::String,
            "Gas Town: what must be true for the step to be done",
        ),
        key("output", Type::String, "Gas Town: what the step produces"),
        key(
            "focus",
            Type::String,
            "Gas Town convoy leg: what the leg concentrates on",
        ),
        key(
            "agent",
            Type::String,
            "Gas Town convoy leg: the agent runtime that runs it",
        ),
        key(
            "review_only",
            Type::Bool,
            "Gas Town convoy leg: only analyse and report",
        ),
    ],
};

/// Keys of a `[vars.NAME]` table.
pub static VAR: Table = Table {
    name: "var",
    what: "a var",
    doc: "A variable: `{{name}}` in texts is replaced by its value when poured",
    exact_in_toml: true,
    keys: &[
        key(
            "description",
            Type::String,
            "What the var is for (shown when a value is asked for)",
        ),
        key(
            "default",
            Type::String,
            "The value when none is given; the var is then optional",
        ),
        key(
            "required",
            Type::Bool,
            "A value must be given when pouring (no default)",
        ),
        key("enum", Type::Strings, "The only values allowed"),
        key(
            "pattern",
            Type::String,
            "A regular expression (RE2) every value must match",
        ),
        key(
            "type",
            Type::Choice(&VAR_TYPES),
            "How a value is parsed: `string`, `int` or `bool`",
        ),
    ],
};

/// Keys of a convoy `[inputs.NAME]` table.
pub static INPUT: Table = Table {
    name: "input",
    what: "an input",
    doc: "Gas Town convoy: an input the formula asks for",
    exact_in_toml: false,
    keys: &[
        key("description", Type::String, "What the input is for"),
        key("type", Type::String, "The input's type"),
        key("required", Type::Bool, "The input must be given"),
        key(
            "required_unless",
            Type::Strings,
            "Other inputs whose presence makes this one optional",
        ),
        key("default", Type::String, "The value when none is given"),
    ],
};

/// Keys of a convoy `[output]` table.
pub static OUTPUT: Table = Table {
    name: "output",
    what: "`output`",
    doc: "Gas Town convoy: where results are written (Go templates)",
    exact_in_toml: false,
    keys: &[
        key(
            "directory",
            Type::String,
            "The directory results are written to",
        ),
        key(
            "leg_pattern",
            Type::String,
            "The file name of each leg's result",
        ),
        key(
            "synthesis",
            Type::String,
            "The file name of the synthesis result",
        ),
    ],
};

/// Keys of a convoy `[synthesis]` table.
pub static SYNTHESIS: Table = Table {
    name: "synthesis",
    what: "`synthesis`",
    doc: "Gas Town convoy: the step that combines the legs' results",
    exact_in_toml: false,
    keys: &[
        key("id", Type::String, "The step's id (default `synthesis`)"),
        key("title", Type::String, "The issue's title"),
        key("description", Type::String, "The issue's description"),
        reference(
            "depends_on",
            Type::Strings,
            Role::StepRef,
            "The legs it waits for (default: every leg)",
        ),
        reference(
            "needs",
            Type::Strings,
            Role::StepRef,
            "The legs it waits for (the same as `depends_on`)",
        ),
        key(
            "acceptance",
            Type::String,
            "What must be true for it to be done",
        ),
        key("agent", Type::String, "The agent runtime that runs it"),
    ],
};

/// Keys of a step `gate`.
pub static GATE: Table = Table {
    name: "gate",
    what: "a gate",
    doc: "A gate: an issue that blocks its step until it opens",
    exact_in_toml: false,
    keys: &[
        key("type", Type::Choice(&GATE_TYPES), "What the gate waits for"),
        key(
            "id",
            Type::String,
            "What to wait for (legacy; `await_id` wins)",
        ),
        key(
            "await_id",
            Type::String,
            "What to wait for: a run, pull request or issue id",
        ),
        key(
            "timeout",
            Type::String,
            "How long to wait: a duration such as `30m` or `24h`",
        ),
    ],
};

/// Keys of a step `loop`.
pub static LOOP: Table = Table {
    name: "loop",
    what: "a loop",
    doc: "A loop: the step is replaced by iterations of its body",
    exact_in_toml: false,
    keys: &[
        key("count", Type::Int, "Run the body this many times"),
        reference(
            "until",
            Type::String,
            Role::Condition,
            "Repeat until this runtime condition holds (with `max`)",
        ),
        key("max", Type::Int, "The most iterations of an `until` loop"),
        key(
            "range",
            Type::String,
            "Iterate over a range such as `1..5` or `1..{n}`",
        ),
        key(
            "var",
            Type::String,
            "The name the current value of `range` takes",
        ),
        key("body", Type::Tables(&STEP), "The steps of one iteration"),
    ],
};

/// Keys of a step `on_complete`.
pub static ON_COMPLETE: Table = Table {
    name: "on_complete",
    what: "`on_complete`",
    doc: "What happens when the step completes: bond a formula per output item",
    exact_in_toml: false,
    keys: &[
        key(
            "for_each",
            Type::String,
            "The output list to iterate, `output.NAME`",
        ),
        reference(
            "bond",
            Type::String,
            Role::FormulaRef,
            "The formula bonded for each item",
        ),
        key(
            "vars",
            Type::StringMap,
            "Var values for each bond (`{item}`, `{item.field}`, `{index}`)",
        ),
        key("parallel", Type::Bool, "Bonds run in parallel"),
        key("sequential", Type::Bool, "Bonds run one after another"),
    ],
};

/// Keys of `compose`.
pub static COMPOSE: Table = Table {
    name: "compose",
    what: "`compose`",
    doc: "Composition rules applied when the formula is cooked",
    exact_in_toml: false,
    keys: &[
        key(
            "bond_points",
            Type::Tables(&BOND_POINT),
            "Named places where other formulas may attach",
        ),
        key(
            "hooks",
            Type::Tables(&HOOK),
            "Formulas attached when an issue matches a trigger",
        ),
        key(
            "expand",
            Type::Tables(&EXPAND),
            "Replace a step by an expansion formula's template",
        ),
        key(
            "map",
            Type::Tables(&MAP),
            "Replace every step a glob matches by an expansion formula's template",
        ),
        key(
            "branch",
            Type::Tables(&BRANCH),
            "Run steps in parallel between a fork and a join",
        ),
        key(
            "gate",
            Type::Tables(&GATE_RULE),
            "Block a step until a runtime condition holds",
        ),
        reference(
            "aspects",
            Type::Strings,
            Role::FormulaRef,
            "Aspect formulas whose advice is applied to this one",
        ),
    ],
};

/// Keys of a bond point.
pub static BOND_POINT: Table = Table {
    name: "bond_point",
    what: "a bond point",
    doc: "A named place where other formulas may attach",
    exact_in_toml: false,
    keys: &[
        key("id", Type::String, "The bond point's name"),
        key("description", Type::String, "What attaches here"),
        reference(
            "after_step",
            Type::String,
            Role::StepRef,
            "Attach after this step",
        ),
        reference(
            "before_step",
            Type::String,
            Role::StepRef,
            "Attach before this step",
        ),
        key("parallel", Type::Bool, "Attached work runs in parallel"),
    ],
};

/// Keys of a hook.
pub static HOOK: Table = Table {
    name: "hook",
    what: "a hook",
    doc: "A formula attached when an issue matches a trigger",
    exact_in_toml: false,
    keys: &[
        key(
            "trigger",
            Type::String,
            "When it fires: `label:NAME`, `type:TYPE`, `priority:0-1`",
        ),
        key("attach", Type::String, "The formula attached"),
        key("at", Type::String, "Where it attaches"),
        key(
            "vars",
            Type::StringMap,
            "Var values for the attached formula",
        ),
    ],
};

/// Keys of a `compose.expand` rule.
pub static EXPAND: Table = Table {
    name: "expand_rule",
    what: "an expand rule",
    doc: "Replace one step by an expansion formula's template",
    exact_in_toml: false,
    keys: &[
        reference("target", Type::String, Role::StepRef, "The step replaced"),
        reference(
            "with",
            Type::String,
            Role::FormulaRef,
            "The expansion formula",
        ),
        key("vars", Type::StringMap, "Var values for the expansion"),
    ],
};

/// Keys of a `compose.map` rule.
pub static MAP: Table = Table {
    name: "map_rule",
    what: "a map rule",
    doc: "Replace every step a glob matches by an expansion formula's template",
    exact_in_toml: false,
    keys: &[
        key(
            "select",
            Type::String,
            "A glob over step ids (`*` within an id, `*.x` for ids ending in `.x`)",
        ),
        reference(
            "with",
            Type::String,
            Role::FormulaRef,
            "The expansion formula",
        ),
        key("vars", Type::StringMap, "Var values for the expansion"),
    ],
};

/// Keys of a `compose.branch` rule.
pub static BRANCH: Table = Table {
    name: "branch_rule",
    what: "a branch rule",
    doc: "Steps that run in parallel between a fork and a join",
    exact_in_toml: false,
    keys: &[
        reference(
            "from",
            Type::String,
            Role::StepRef,
            "The step the branches start after",
        ),
        reference(
            "steps",
            Type::Strings,
            Role::StepRef,
            "The steps that run in parallel",
        ),
        reference(
            "join",
            Type::String,
            Role::StepRef,
            "The step that waits for every branch",
        ),
    ],
};

/// Keys of a `compose.gate` rule.
pub static GATE_RULE: Table = Table {
    name: "gate_rule",
    what: "a gate rule",
    doc: "Block a step until a runtime condition holds",
    exact_in_toml: false,
    keys: &[
        reference("before", Type::String, Role::StepRef, "The step blocked"),
        reference(
            "condition",
            Type::String,
            Role::Condition,
            "The runtime condition, such as `build.status == 'complete'`",
        ),
    ],
};

/// Keys of an advice rule.
pub static ADVICE: Table = Table {
    name: "advice",
    what: "an advice rule",
    doc: "Steps inserted before, after or around the steps a glob matches",
    exact_in_toml: false,
    keys: &[
        key(
            "target",
            Type::String,
            "A glob over step ids: the steps advised",
        ),
        key(
            "before",
            Type::Table(&ADVICE_STEP),
            "A step inserted before each target",
        ),
        key(
            "after",
            Type::Table(&ADVICE_STEP),
            "A step inserted after each target",
        ),
        key(
            "around",
            Type::Table(&AROUND),
            "Steps inserted before and after each target",
        ),
    ],
};

/// Keys of an advice `around`.
pub static AROUND: Table = Table {
    name: "around",
    what: "`around`",
    doc: "Steps inserted before and after each advised step",
    exact_in_toml: false,
    keys: &[
        key(
            "before",
            Type::Tables(&ADVICE_STEP),
            "Steps inserted before each target, in order",
        ),
        key(
            "after",
            Type::Tables(&ADVICE_STEP),
            "Steps inserted after each target, in order",
        ),
    ],
};

/// Keys of an advice step.
pub static ADVICE_STEP: Table = Table {
    name: "advice_step",
    what: "an advice step",
    doc: "A step inserted by advice (`{step.id}` is the advised step's id)",
    exact_in_toml: false,
    keys: &[
        reference("id", Type::String, Role::StepId, "The inserted step's id"),
        key("title", Type::String, "The inserted step's title"),
        key(
            "description",
            Type::String,
            "The inserted step's description",
        ),
        key("type", Type::String, "The inserted step's issue type"),
        key(
            "args",
            Type::AnyTable,
            "Not read: advice drops it (write what the step needs into its description)",
        ),
        key("output", Type::AnyTable, "Not read: advice drops it"),
    ],
};

/// Keys of a pointcut.
pub static POINTCUT: Table = Table {
    name: "pointcut",
    what: "a pointcut",
    doc: "A named step pattern of an aspect (read, never used for matching)",
    exact_in_toml: false,
    keys: &[
        key("glob", Type::String, "A glob over step ids"),
        key("type", Type::String, "A step type to match"),
        key("label", Type::String, "A label to match"),
    ],
};

/// Keys of a Gas Town aspect-formula `[[aspects]]` entry.
pub static ASPECT_ITEM: Table = Table {
    name: "aspect",
    what: "an aspect",
    doc: "Gas Town aspect formula: one aspect it describes",
    exact_in_toml: false,
    keys: &[
        reference("id", Type::String, Role::StepId, "The aspect's id"),
        key("title", Type::String, "The aspect's title"),
        key("focus", Type::String, "What the aspect concentrates on"),
        key("description", Type::String, "What the aspect does"),
    ],
};

//! The typed formula: every field that the beads and Gas Town engines read, each
//! with its span. Built from a [`crate::syntax::SyntaxTree`] by [`super::lower`].

use crate::source::Span;
use crate::syntax::Str;

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// A string value with its span and its verbatim position (for columns inside it).
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// The decoded value.
    pub value: String,
    /// The span of the whole scalar.
    pub span: Span,
    /// See [`Str::verbatim_at`].
    pub verbatim_at: Option<u32>,
}

impl Text {
    /// From a tree string.
    pub fn from_str(s: &Str, span: Span) -> Text {
        Text {
            value: s.value.clone(),
            span,
            verbatim_at: s.verbatim_at,
        }
    }

    /// The source span of `value[range]`, or the whole scalar when not verbatim.
    pub fn sub_span(&self, range: std::ops::Range<usize>) -> Span {
        match self.verbatim_at {
            Some(at) => Span::new(at as usize + range.start, at as usize + range.end),
            None => self.span,
        }
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A whole formula file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Formula {
    /// `formula`: the name.
    pub name: Option<Text>,
    /// `description`.
    pub description: Option<Text>,
    /// `version`.
    pub version: Option<Spanned<i64>>,
    /// `type`.
    pub kind: Option<Text>,
    /// `extends`: parent formula names.
    pub extends: Vec<Text>,
    /// `vars`, in source order.
    pub vars: Vec<VarDef>,
    /// `steps`.
    pub steps: Vec<Step>,
    /// `template`: an expansion formula's steps.
    pub template: Vec<Step>,
    /// `compose`.
    pub compose: Option<Compose>,
    /// `advice`.
    pub advice: Vec<Advice>,
    /// `pointcuts`.
    pub pointcuts: Vec<Pointcut>,
    /// `phase`.
    pub phase: Option<Text>,
    /// `pour`: whether a wisp materialises the steps (Gas Town's switch).
    pub pour: Option<Spanned<bool>>,
    /// Convoy `legs`.
    pub legs: Vec<Step>,
    /// Convoy `synthesis` (a step without an id).
    pub synthesis: Option<Step>,
    /// Convoy `inputs` (names only; their fields are type-checked).
    pub inputs: Vec<Text>,
    /// Gas Town aspect-formula `aspects` entries.
    pub aspect_items: Vec<Step>,
    /// Convoy `prompts` and `output` strings: text that may hold `{{vars}}`.
    pub extra_text: Vec<Text>,
    /// The span of the whole document (for file-level diagnostics: the first line).
    pub span: Span,
}

/// Where a step list sits, for messages and provenance (`steps[2].children[0]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepList {
    /// `steps`.
    Steps,
    /// `template`.
    Template,
    /// `legs`.
    Legs,
    /// Gas Town `aspects`.
    Aspects,
}

/// A variable declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct VarDef {
    /// The name, with the key span.
    pub name: Spanned<String>,
    /// `description`.
    pub description: Option<Text>,
    /// `default`; `None` means no default (distinct from `""`).
    pub default: Option<Text>,
    /// `required`.
    pub required: Option<Spanned<bool>>,
    /// `enum`.
    pub allowed: Vec<Text>,
    /// `pattern`.
    pub pattern: Option<Text>,
    /// `type`.
    pub ty: Option<Text>,
    /// The span of the declaration (the table, or the shorthand string).
    pub span: Span,
}

impl VarDef {
    /// A declaration of `name` with nothing set, spanning `span`.
    pub fn bare(name: Spanned<String>, span: Span) -> VarDef {
        VarDef {
            name,
            description: None,
            default: None,
            required: None,
            allowed: Vec::new(),
            pattern: None,
            ty: None,
            span,
        }
    }
}

/// A step (also a template step, loop body step, convoy leg).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Step {
    /// `id`.
    pub id: Option<Text>,
    /// `title`.
    pub title: Option<Text>,
    /// `description`.
    pub description: Option<Text>,
    /// `notes`.
    pub notes: Option<Text>,
    /// `type`.
    pub ty: Option<Text>,
    /// `priority`.
    pub priority: Option<Spanned<i64>>,
    /// `labels`.
    pub labels: Vec<Text>,
    /// `metadata`: a table, as JSON (keys sorted, as the reference marshals it).
    pub metadata: Option<Spanned<serde_json::Map<String, serde_json::Value>>>,
    /// `depends_on`.
    pub depends_on: Vec<Text>,
    /// `needs`.
    pub needs: Vec<Text>,
    /// `waits_for`.
    pub waits_for: Option<Text>,
    /// `assignee`.
    pub assignee: Option<Text>,
    /// `expand`: an expansion formula inlined in place of this step.
    pub expand: Option<Text>,
    /// `expand_vars`.
    pub expand_vars: Vec<(Spanned<String>, Text)>,
    /// `condition`.
    pub condition: Option<Text>,
    /// `children`.
    pub children: Vec<Step>,
    /// `gate`.
    pub gate: Option<Gate>,
    /// `loop`.
    pub loop_spec: Option<Loop>,
    /// `on_complete`.
    pub on_complete: Option<OnComplete>,
    /// Other text fields that may hold `{{vars}}` (acceptance, focus, output ...).
    pub extra_text: Vec<Text>,
    /// The span of the step's table (its `[[steps]]` header or braces).
    pub span: Span,
}

impl Step {
    /// Every dependency edge target: `depends_on` then `needs`.
    pub fn deps(&self) -> impl Iterator<Item = &Text> {
        self.depends_on.iter().chain(self.needs.iter())
    }

    /// The id's value, or `""`.
    pub fn id_str(&self) -> &str {
        self.id.as_ref().map_or("", |t| t.as_str())
    }
}

/// A step gate.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Gate {
    /// `type`.
    pub ty: Option<Text>,
    /// `id`.
    pub id: Option<Text>,
    /// `await_id`.
    pub await_id: Option<Text>,
    /// `timeout`.
    pub timeout: Option<Text>,
    /// Span of the gate table.
    pub span: Span,
}

/// A loop.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Loop {
    /// `count`.
    pub count: Option<Spanned<i64>>,
    /// `until`.
    pub until: Option<Text>,
    /// `max`.
    pub max: Option<Spanned<i64>>,
    /// `range`.
    pub range: Option<Text>,
    /// `var`.
    pub var: Option<Text>,
    /// `body`.
    pub body: Vec<Step>,
    /// Whether `body` was written at all.
    pub has_body: bool,
    /// Span of the loop table.
    pub span: Span,
}

/// `on_complete`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OnComplete {
    /// `for_each`.
    pub for_each: Option<Text>,
    /// `bond`.
    pub bond: Option<Text>,
    /// `vars`.
    pub vars: Vec<(Spanned<String>, Text)>,
    /// `parallel`.
    pub parallel: Option<Spanned<bool>>,
    /// `sequential`.
    pub sequential: Option<Spanned<bool>>,
    /// Span of the table.
    pub span: Span,
}

/// `compose`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Compose {
    /// `bond_points`.
    pub bond_points: Vec<BondPoint>,
    /// `hooks`.
    pub hooks: Vec<Hook>,
    /// `expand`.
    pub expand: Vec<ExpandRule>,
    /// `map`.
    pub map: Vec<ExpandRule>,
    /// `branch`.
    pub branch: Vec<BranchRule>,
    /// `gate`.
    pub gate: Vec<GateRule>,
    /// `aspects`.
    pub aspects: Vec<Text>,
    /// Span of the table.
    pub span: Span,
}

/// A bond point.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BondPoint {
    /// `id`.
    pub id: Option<Text>,
    /// `after_step`.
    pub after_step: Option<Text>,
    /// `before_step`.
    pub before_step: Option<Text>,
    /// Span.
    pub span: Span,
}

/// A hook.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Hook {
    /// `trigger`.
    pub trigger: Option<Text>,
    /// `attach`.
    pub attach: Option<Text>,
    /// Span.
    pub span: Span,
}

/// `compose.expand` (target) or `compose.map` (select) rule.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExpandRule {
    /// `target` (expand) or `select` (map).
    pub selector: Option<Text>,
    /// `with`.
    pub with: Option<Text>,
    /// `vars`.
    pub vars: Vec<(Spanned<String>, Text)>,
    /// Span.
    pub span: Span,
}

/// `compose.branch`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BranchRule {
    /// `from`.
    pub from: Option<Text>,
    /// `steps`.
    pub steps: Vec<Text>,
    /// `join`.
    pub join: Option<Text>,
    /// Span.
    pub span: Span,
}

/// `compose.gate`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct GateRule {
    /// `before`.
    pub before: Option<Text>,
    /// `condition`.
    pub condition: Option<Text>,
    /// Span.
    pub span: Span,
}

/// An advice rule.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Advice {
    /// `target` glob.
    pub target: Option<Text>,
    /// Steps inserted before / after / around the target.
    pub steps: Vec<AdviceStep>,
    /// Span.
    pub span: Span,
}

/// A step inserted by advice.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AdviceStep {
    /// `id`.
    pub id: Option<Text>,
    /// `title`.
    pub title: Option<Text>,
    /// `description`.
    pub description: Option<Text>,
    /// `type`.
    pub ty: Option<Text>,
    /// Where it came from: `before`, `after`, `around.before[0]` ...
    pub slot: String,
    /// Span.
    pub span: Span,
}

/// A pointcut.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Pointcut {
    /// `glob`.
    pub glob: Option<Text>,
    /// `type`.
    pub ty: Option<Text>,
    /// `label`.
    pub label: Option<Text>,
    /// Span.
    pub span: Span,
}

impl Formula {
    /// The declared name, or `""`.
    pub fn name_str(&self) -> &str {
        self.name.as_ref().map_or("", |t| t.as_str())
    }

    /// The formula type, explicit or inferred the way Gas Town infers it.
    pub fn effective_kind(&self) -> &str {
        if let Some(k) = &self.kind {
            return k.as_str();
        }
        if !self.legs.is_empty() {
            "convoy"
        } else if !self.template.is_empty() {
            "expansion"
        } else if self.steps.is_empty() && (!self.advice.is_empty() || !self.pointcuts.is_empty()) {
            "aspect"
        } else {
            "workflow"
        }
    }

    /// Every step list with its kind.
    pub fn step_lists(&self) -> [(StepList, &[Step]); 4] {
        [
            (StepList::Steps, &self.steps),
            (StepList::Template, &self.template),
            (StepList::Legs, &self.legs),
            (StepList::Aspects, &self.aspect_items),
        ]
    }
}

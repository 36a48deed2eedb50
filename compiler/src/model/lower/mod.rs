//! Syntax tree -> typed [`Formula`], reporting unknown keys (GTC002), wrong value
//! types (GTC003) and invalid var names (GTC028) on the way. Lowering never fails:
//! a bad value is reported and left out, so later checks still run on the rest.

mod compose;
mod keys;

pub(crate) use keys::key_chars;
#[cfg(test)]
mod tests;
mod value;

use super::schema;
use super::types::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::{Format, Node, NodeKind};
use value::Value;

/// Lower a document root (written in `format`) into a formula and the diagnostics found
/// on the way.
pub fn lower(root: &Node, format: Format) -> (Formula, Vec<Diagnostic>) {
    let (f, cx) = lower_with(root, format);
    (f, cx.diags)
}

fn lower_with(root: &Node, format: Format) -> (Formula, Cx) {
    let mut cx = Cx {
        diags: Vec::new(),
        format,
        unread: Vec::new(),
    };
    let mut f = Formula {
        span: Span::new(0, 0),
        ..Formula::default()
    };
    if root.as_table().is_none() {
        if !matches!(root.kind, NodeKind::Invalid) {
            cx.diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    root.span,
                    format!("a formula must be a table, found {}", root.kind_name()),
                )
                .with_help("write `formula = \"name\"` and `[[steps]]` at the top level"),
            );
        }
        return (f, cx);
    }
    cx.read_fields(root, &schema::ROOT, |cx, key, e, v| match (key.name, v) {
        ("formula", Value::Text(t)) => f.name = Some(t),
        ("description", Value::Text(t)) => f.description = Some(t),
        ("version", Value::Int(i)) => f.version = Some(i),
        ("type", Value::Text(t)) => f.kind = Some(t),
        ("extends", Value::Texts(l)) => f.extends = l,
        ("vars", Value::Table(n)) => f.vars = cx.vars(n),
        ("steps", Value::Tables(l)) => f.steps = cx.steps(l, &schema::STEP),
        ("template", Value::Tables(l)) => f.template = cx.steps(l, &schema::STEP),
        ("legs", Value::Tables(l)) => f.legs = cx.steps(l, &schema::STEP),
        ("aspects", Value::Tables(l)) => f.aspect_items = cx.steps(l, &schema::ASPECT_ITEM),
        ("synthesis", Value::Table(n)) => f.synthesis = Some(cx.step(n, &schema::SYNTHESIS)),
        ("compose", Value::Table(n)) => f.compose = Some(cx.compose(n)),
        ("advice", Value::Tables(l)) => f.advice = l.into_iter().map(|n| cx.advice(n)).collect(),
        ("pointcuts", Value::Tables(l)) => {
            f.pointcuts = l.into_iter().map(|n| cx.pointcut(n)).collect()
        }
        ("phase", Value::Text(t)) => f.phase = Some(t),
        ("pour", Value::Bool(b)) => f.pour = Some(b),
        ("review_only", Value::Bool(_)) | ("agent" | "execution", Value::Text(_)) => {}
        ("source", Value::Text(_)) => cx.no_effect(
            e,
            "`source` has no effect: the engines set it to the file's path",
            "remove it; `gtc cook` prints where each step comes from",
        ),
        ("inputs", Value::Table(n)) => f.inputs = cx.inputs(n),
        ("prompts", Value::Map(m)) => f.extra_text.extend(m.into_iter().map(|(_, t)| t)),
        ("output", Value::Table(n)) => {
            for (key, o) in cx.fields(n, &schema::OUTPUT) {
                match cx.read(key, &o.value) {
                    Some(Value::Text(t)) => f.extra_text.push(t),
                    Some(_) => cx.unread(key),
                    None => {}
                }
            }
        }
        _ => cx.unread(key),
    });
    (f, cx)
}

struct Cx {
    diags: Vec<Diagnostic>,
    format: Format,
    /// Keys the schema declares but this lowering has no place for (always empty; see
    /// [`Cx::unread`]).
    unread: Vec<&'static str>,
}

impl Cx {
    fn vars(&mut self, node: &Node) -> Vec<VarDef> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in entries {
            let name = Spanned {
                value: e.key.clone(),
                span: e.key_span,
            };
            if !is_var_name(&e.key) {
                self.diags.push(
                    Diagnostic::new(Code::InvalidVarName, e.key_span, format!("`{}` is not a valid variable name", e.key))
                        .with_help("a var name must match [A-Za-z_][A-Za-z0-9_]* for `{{name}}` to reference it"),
                );
            }
            let mut var = VarDef::bare(name, e.value.span);
            match &e.value.kind {
                NodeKind::String(s) => var.default = Some(Text::from_str(s, e.value.span)),
                NodeKind::Table(_) => {
                    self.read_fields(&e.value, &schema::VAR, |cx, key, _, v| {
                        match (key.name, v) {
                            ("description", Value::Text(t)) => var.description = Some(t),
                            ("default", Value::Text(t)) => var.default = Some(t),
                            ("required", Value::Bool(b)) => var.required = Some(b),
                            ("enum", Value::Texts(l)) => var.allowed = l,
                            ("pattern", Value::Text(t)) => var.pattern = Some(t),
                            ("type", Value::Text(t)) => var.ty = Some(t),
                            _ => cx.unread(key),
                        }
                    });
                }
                _ => {
                    self.wrong_type(&e.value, "a string (the default) or a table");
                    continue;
                }
            }
            out.push(var);
        }
        out
    }

    /// Convoy inputs: their names (for placeholders); their fields are only type-checked.
    fn inputs(&mut self, node: &Node) -> Vec<Text> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in entries {
            for (key, f) in self.fields(&e.value, &schema::INPUT) {
                self.read(key, &f.value);
            }
            out.push(Text {
                value: e.key.clone(),
                span: e.key_span,
                verbatim_at: Some(e.key_span.start),
            });
        }
        out
    }

    fn steps(&mut self, nodes: Vec<&Node>, known: &'static schema::Table) -> Vec<Step> {
        nodes.into_iter().map(|n| self.step(n, known)).collect()
    }

    /// A step of any of the step-like tables (`STEP`, `SYNTHESIS`, `ASPECT_ITEM`): they
    /// share their keys' names and types.
    fn step(&mut self, node: &Node, known: &'static schema::Table) -> Step {
        let mut s = Step {
            span: node.span,
            ..Step::default()
        };
        self.read_fields(node, known, |cx, key, _, v| match (key.name, v) {
            ("id", Value::Text(t)) => s.id = Some(t),
            ("title", Value::Text(t)) => s.title = Some(t),
            ("description", Value::Text(t)) => s.description = Some(t),
            ("notes", Value::Text(t)) => s.notes = Some(t),
            ("type", Value::Text(t)) => s.ty = Some(t),
            ("priority", Value::Int(i)) => s.priority = Some(i),
            ("labels", Value::Texts(l)) => s.labels = l,
            ("metadata", Value::Json(m)) => s.metadata = Some(m),
            ("depends_on", Value::Texts(l)) => s.depends_on = l,
            ("needs", Value::Texts(l)) => s.needs = l,
            ("waits_for", Value::Text(t)) => s.waits_for = Some(t),
            ("assignee", Value::Text(t)) => s.assignee = Some(t),
            ("expand", Value::Text(t)) => s.expand = Some(t),
            ("expand_vars", Value::Map(m)) => s.expand_vars = m,
            ("condition", Value::Text(t)) => s.condition = Some(t),
            ("children", Value::Tables(l)) => s.children = cx.steps(l, &schema::STEP),
            ("gate", Value::Table(n)) => s.gate = Some(cx.gate(n)),
            ("loop", Value::Table(n)) => s.loop_spec = Some(cx.loop_spec(n)),
            ("on_complete", Value::Table(n)) => s.on_complete = Some(cx.on_complete(n)),
            ("parallel" | "interactive" | "review_only", Value::Bool(_)) => {}
            // Free text read by Gas Town, which may hold `{{vars}}`.
            ("acceptance" | "output" | "focus" | "agent", Value::Text(t)) => s.extra_text.push(t),
            _ => cx.unread(key),
        });
        s
    }

    fn gate(&mut self, node: &Node) -> Gate {
        let mut g = Gate {
            span: node.span,
            ..Gate::default()
        };
        self.read_fields(node, &schema::GATE, |cx, key, _, v| match (key.name, v) {
            ("type", Value::Text(t)) => g.ty = Some(t),
            ("id", Value::Text(t)) => g.id = Some(t),
            ("await_id", Value::Text(t)) => g.await_id = Some(t),
            ("timeout", Value::Text(t)) => g.timeout = Some(t),
            _ => cx.unread(key),
        });
        g
    }

    fn loop_spec(&mut self, node: &Node) -> Loop {
        let mut l = Loop {
            span: node.span,
            ..Loop::default()
        };
        for (key, e) in self.fields(node, &schema::LOOP) {
            if key.name == "body" {
                // Written, whatever its value: a loop with a malformed body is not "without one".
                l.has_body = true;
            }
            let Some(v) = self.read(key, &e.value) else {
                continue;
            };
            match (key.name, v) {
                ("count", Value::Int(i)) => l.count = Some(i),
                ("max", Value::Int(i)) => l.max = Some(i),
                ("until", Value::Text(t)) => l.until = Some(t),
                ("range", Value::Text(t)) => l.range = Some(t),
                ("var", Value::Text(t)) => l.var = Some(t),
                ("body", Value::Tables(b)) => l.body = self.steps(b, &schema::STEP),
                _ => self.unread(key),
            }
        }
        l
    }

    fn on_complete(&mut self, node: &Node) -> OnComplete {
        let mut o = OnComplete {
            span: node.span,
            ..OnComplete::default()
        };
        self.read_fields(node, &schema::ON_COMPLETE, |cx, key, _, v| {
            match (key.name, v) {
                ("for_each", Value::Text(t)) => o.for_each = Some(t),
                ("bond", Value::Text(t)) => o.bond = Some(t),
                ("vars", Value::Map(m)) => o.vars = m,
                ("parallel", Value::Bool(b)) => o.parallel = Some(b),
                ("sequential", Value::Bool(b)) => o.sequential = Some(b),
                _ => cx.unread(key),
            }
        });
        o
    }
}

/// Whether `{{name}}` can reference a var called `name`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

//! Syntax tree -> typed [`Formula`], reporting unknown keys (GTC002), wrong value
//! types (GTC003) and invalid var names (GTC028) on the way. Lowering never fails:
//! a bad value is reported and left out, so later checks still run on the rest.

mod compose;
mod keys;

use super::schema;
use super::types::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::{Entry, Format, Node, NodeKind};

/// Lower a document root (written in `format`) into a formula and the diagnostics found
/// on the way.
pub fn lower(root: &Node, format: Format) -> (Formula, Vec<Diagnostic>) {
    let mut cx = Cx {
        diags: Vec::new(),
        format,
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
        return (f, cx.diags);
    }
    for (key, e) in cx.fields(root, schema::ROOT) {
        let v = &e.value;
        match key {
            "formula" => f.name = cx.text(v),
            "description" => f.description = cx.text(v),
            "version" => f.version = cx.int(v),
            "type" => f.kind = cx.text(v),
            "extends" => f.extends = cx.text_list(v),
            "vars" => f.vars = cx.vars(v),
            "steps" => f.steps = cx.steps(v, schema::STEP),
            "template" => f.template = cx.steps(v, schema::STEP),
            "legs" => f.legs = cx.steps(v, schema::STEP),
            "aspects" => f.aspect_items = cx.steps(v, schema::ASPECT_ITEM),
            "synthesis" => f.synthesis = cx.table(v).map(|_| cx.step(v, schema::SYNTHESIS)),
            "compose" => f.compose = cx.compose(v),
            "advice" => f.advice = cx.each_table(v).into_iter().map(|n| cx.advice(n)).collect(),
            "pointcuts" => {
                f.pointcuts = cx
                    .each_table(v)
                    .into_iter()
                    .map(|n| cx.pointcut(n))
                    .collect()
            }
            "phase" => f.phase = cx.text(v),
            "pour" => f.pour = cx.bool(v),
            "review_only" => {
                cx.bool(v);
            }
            "source" => {
                cx.text(v);
                cx.no_effect(
                    e,
                    "`source` has no effect: the engines set it to the file's path",
                    "remove it; `gtc cook` prints where each step comes from",
                );
            }
            "agent" | "execution" => {
                cx.text(v);
            }
            "inputs" => f.inputs = cx.inputs(v),
            "prompts" => {
                if let Some(t) = cx.table(v) {
                    for p in t {
                        f.extra_text.extend(cx.text(&p.value));
                    }
                }
            }
            // `output`, the last key of the schema.
            _ => {
                for (_, o) in cx.fields(v, schema::OUTPUT) {
                    f.extra_text.extend(cx.text(&o.value));
                }
            }
        }
    }
    (f, cx.diags)
}

struct Cx {
    diags: Vec<Diagnostic>,
    format: Format,
}

impl Cx {
    fn wrong_type(&mut self, node: &Node, expected: &str) {
        if matches!(node.kind, NodeKind::Invalid) {
            return; // already a syntax error
        }
        self.diags.push(
            Diagnostic::new(
                Code::WrongType,
                node.span,
                format!("expected {expected}, found {}", node.kind_name()),
            )
            .with_help(format!("write {expected} here")),
        );
    }

    fn text(&mut self, node: &Node) -> Option<Text> {
        match &node.kind {
            NodeKind::String(s) => Some(Text::from_str(s, node.span)),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    fn int(&mut self, node: &Node) -> Option<Spanned<i64>> {
        match node.kind {
            NodeKind::Integer(i) => Some(Spanned {
                value: i,
                span: node.span,
            }),
            NodeKind::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Spanned {
                value: f as i64,
                span: node.span,
            }),
            _ => {
                self.wrong_type(node, "an integer");
                None
            }
        }
    }

    fn bool(&mut self, node: &Node) -> Option<Spanned<bool>> {
        match node.kind {
            NodeKind::Bool(b) => Some(Spanned {
                value: b,
                span: node.span,
            }),
            _ => {
                self.wrong_type(node, "a boolean (`true` or `false`)");
                None
            }
        }
    }

    fn text_list(&mut self, node: &Node) -> Vec<Text> {
        match &node.kind {
            NodeKind::Array(items) => items.iter().filter_map(|i| self.text(i)).collect(),
            _ => {
                self.wrong_type(node, "an array of strings");
                Vec::new()
            }
        }
    }

    fn table<'a>(&mut self, node: &'a Node) -> Option<&'a [Entry]> {
        match &node.kind {
            NodeKind::Table(entries) => Some(entries),
            _ => {
                self.wrong_type(node, "a table");
                None
            }
        }
    }

    /// An array of tables (a single table is accepted as a one-element array
    /// nowhere: both engines need the array).
    fn each_table<'a>(&mut self, node: &'a Node) -> Vec<&'a Node> {
        match &node.kind {
            NodeKind::Array(items) => items
                .iter()
                .filter(|i| {
                    let ok = matches!(i.kind, NodeKind::Table(_));
                    if !ok {
                        self.wrong_type(i, "a table");
                    }
                    ok
                })
                .collect(),
            _ => {
                self.wrong_type(node, "an array of tables");
                Vec::new()
            }
        }
    }

    fn string_map(&mut self, node: &Node) -> Vec<(Spanned<String>, Text)> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| {
                let v = self.text(&e.value)?;
                Some((
                    Spanned {
                        value: e.key.clone(),
                        span: e.key_span,
                    },
                    v,
                ))
            })
            .collect()
    }

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
            let mut var = VarDef {
                name,
                description: None,
                default: None,
                required: None,
                allowed: Vec::new(),
                pattern: None,
                ty: None,
                span: e.value.span,
            };
            match &e.value.kind {
                NodeKind::String(s) => var.default = Some(Text::from_str(s, e.value.span)),
                NodeKind::Table(_) => {
                    for (f_key, f) in self.fields(&e.value, schema::VAR) {
                        let v = &f.value;
                        match f_key {
                            "description" => var.description = self.text(v),
                            "default" => var.default = self.text(v),
                            "required" => var.required = self.bool(v),
                            "enum" => var.allowed = self.text_list(v),
                            "pattern" => var.pattern = self.text(v),
                            _ => var.ty = self.text(v),
                        }
                    }
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

    fn inputs(&mut self, node: &Node) -> Vec<Text> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in entries {
            for (f_key, f) in self.fields(&e.value, schema::INPUT) {
                match f_key {
                    "required" => {
                        self.bool(&f.value);
                    }
                    "required_unless" => {
                        self.text_list(&f.value);
                    }
                    _ => {
                        self.text(&f.value);
                    }
                }
            }
            out.push(Text {
                value: e.key.clone(),
                span: e.key_span,
                verbatim_at: Some(e.key_span.start),
            });
        }
        out
    }

    fn steps(&mut self, node: &Node, known: schema::Schema) -> Vec<Step> {
        self.each_table(node)
            .into_iter()
            .map(|n| self.step(n, known))
            .collect()
    }

    fn step(&mut self, node: &Node, known: schema::Schema) -> Step {
        let mut s = Step {
            span: node.span,
            ..Step::default()
        };
        for (e_key, e) in self.fields(node, known) {
            let v = &e.value;
            match e_key {
                "id" => s.id = self.text(v),
                "title" => s.title = self.text(v),
                "description" => s.description = self.text(v),
                "notes" => s.notes = self.text(v),
                "type" => s.ty = self.text(v),
                "priority" => s.priority = self.int(v),
                "labels" => s.labels = self.text_list(v),
                "metadata" => s.metadata = self.metadata(v),
                "depends_on" => s.depends_on = self.text_list(v),
                "needs" => s.needs = self.text_list(v),
                "waits_for" => s.waits_for = self.text(v),
                "assignee" => s.assignee = self.text(v),
                "expand" => s.expand = self.text(v),
                "expand_vars" => s.expand_vars = self.string_map(v),
                "condition" => s.condition = self.text(v),
                "children" => s.children = self.steps(v, schema::STEP),
                "gate" => s.gate = self.gate(v),
                "loop" => s.loop_spec = self.loop_spec(v),
                "on_complete" => s.on_complete = self.on_complete(v),
                "parallel" | "interactive" | "review_only" => {
                    self.bool(v);
                }
                // acceptance, output, focus, agent: free text read by Gas Town.
                _ => s.extra_text.extend(self.text(v)),
            }
        }
        s
    }

    /// A step's `metadata` table as JSON; values JSON cannot hold are reported and left out.
    fn metadata(
        &mut self,
        node: &Node,
    ) -> Option<Spanned<serde_json::Map<String, serde_json::Value>>> {
        self.table(node)?;
        let mut bad = Vec::new();
        let value = super::json_value::to_json(node, &mut bad);
        for n in bad {
            self.wrong_type(n, "a value JSON can hold (a finite number)");
        }
        match value {
            serde_json::Value::Object(map) => Some(Spanned {
                value: map,
                span: node.span,
            }),
            _ => None,
        }
    }

    fn gate(&mut self, node: &Node) -> Option<Gate> {
        self.table(node)?;
        let mut g = Gate {
            span: node.span,
            ..Gate::default()
        };
        for (e_key, e) in self.fields(node, schema::GATE) {
            let t = self.text(&e.value);
            match e_key {
                "type" => g.ty = t,
                "id" => g.id = t,
                "await_id" => g.await_id = t,
                _ => g.timeout = t,
            }
        }
        Some(g)
    }

    fn loop_spec(&mut self, node: &Node) -> Option<Loop> {
        self.table(node)?;
        let mut l = Loop {
            span: node.span,
            ..Loop::default()
        };
        for (e_key, e) in self.fields(node, schema::LOOP) {
            let v = &e.value;
            match e_key {
                "count" => l.count = self.int(v),
                "max" => l.max = self.int(v),
                "until" => l.until = self.text(v),
                "range" => l.range = self.text(v),
                "var" => l.var = self.text(v),
                _ => {
                    l.has_body = true;
                    l.body = self.steps(v, schema::STEP);
                }
            }
        }
        Some(l)
    }

    fn on_complete(&mut self, node: &Node) -> Option<OnComplete> {
        self.table(node)?;
        let mut o = OnComplete {
            span: node.span,
            ..OnComplete::default()
        };
        for (e_key, e) in self.fields(node, schema::ON_COMPLETE) {
            let v = &e.value;
            match e_key {
                "for_each" => o.for_each = self.text(v),
                "bond" => o.bond = self.text(v),
                "vars" => o.vars = self.string_map(v),
                "parallel" => o.parallel = self.bool(v),
                _ => o.sequential = self.bool(v),
            }
        }
        Some(o)
    }
}

/// Whether `{{name}}` can reference a var called `name`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

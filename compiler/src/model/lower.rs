//! Syntax tree -> typed [`Formula`], reporting unknown keys (GTC002), wrong value
//! types (GTC003) and invalid var names (GTC028) on the way. Lowering never fails:
//! a bad value is reported and left out, so later checks still run on the rest.

use super::schema::{self, did_you_mean};
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

    fn unknown_key(&mut self, e: &Entry, known: schema::Schema) {
        let what = known.what;
        let hint = did_you_mean(&e.key, known.keys);
        let help = match hint {
            Some(k) if k.eq_ignore_ascii_case(&e.key) => format!(
                "did you mean `{k}`? in a TOML var table keys are matched exactly (the reference ignores `{}`)",
                e.key
            ),
            Some(k) => format!("did you mean `{k}`?"),
            None => format!(
                "no engine reads `{}` in {what}; remove it, or ignore this warning if a tool of yours reads it",
                e.key
            ),
        };
        self.diags.push(
            Diagnostic::new(
                Code::UnknownKey,
                e.key_span,
                format!("unknown key `{}` in {what}", e.key),
            )
            .with_help(help),
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

    /// The entries of a table whose keys are in `known`, each with its canonical key;
    /// others are reported. Like the reference engines' decoders, a key in another ASCII
    /// case (`Depends_On`) is read as its canonical key, with a warning and a fix, except
    /// where the reference matches exactly (TOML var tables).
    fn fields<'a>(
        &mut self,
        node: &'a Node,
        known: schema::Schema,
    ) -> Vec<(&'static str, &'a Entry)> {
        let Some(entries) = self.table(node) else {
            return Vec::new();
        };
        let mut out: Vec<(&'static str, &'a Entry)> = Vec::with_capacity(entries.len());
        let mut variants = Vec::new();
        for e in entries {
            match known.keys.iter().find(|k| **k == e.key) {
                Some(k) => out.push((k, e)),
                None => variants.push(e),
            }
        }
        let folds = !(known.exact_in_toml && self.format == Format::Toml);
        for e in variants {
            let canonical = known
                .keys
                .iter()
                .find(|k| folds && k.eq_ignore_ascii_case(&e.key));
            match canonical {
                None => self.unknown_key(e, known),
                Some(k) => match out.iter().find(|(taken, _)| taken == k) {
                    Some((_, first)) => self.diags.push(
                        Diagnostic::new(
                            Code::ConflictingFields,
                            e.key_span,
                            format!("`{}` and `{}` both set `{k}`", e.key, first.key),
                        )
                        .with_label(first.key_span, format!("`{k}` is set here"))
                        .with_help(format!(
                            "keys match without regard to case, and the engines disagree on which one wins; keep one `{k}`"
                        )),
                    ),
                    None => {
                        self.case_variant(e, k);
                        out.push((k, e));
                    }
                },
            }
        }
        out
    }

    /// GTC037: the key of `e` is read but its value has no effect.
    fn no_effect(&mut self, e: &Entry, message: &str, help: &str) {
        self.diags
            .push(Diagnostic::new(Code::NoEffect, e.key_span, message).with_help(help));
    }

    /// GTC035: `e`'s key is read as `canonical`; the fix respells it.
    fn case_variant(&mut self, e: &Entry, canonical: &str) {
        let span = e.key_span;
        // The key as written: bare, or in quotes (then only the inside is replaced).
        // With escapes inside quotes the spelling cannot be mapped: no fix then.
        let written = span.end() - span.start();
        let target = if written == e.key.len() {
            Some(span)
        } else if written == e.key.len() + 2 {
            Some(Span::new(span.start() + 1, span.end() - 1))
        } else {
            None
        };
        let mut d = Diagnostic::new(
            Code::KeyCase,
            span,
            format!("key `{}` is read as `{canonical}`", e.key),
        )
        .with_help(format!(
            "keys match without regard to case, as in the reference engines; write `{canonical}`"
        ));
        if let Some(target) = target {
            d = d.with_fix(
                format!("rename `{}` to `{canonical}`", e.key),
                vec![(target, canonical.to_owned())],
            );
        }
        self.diags.push(d);
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

    fn compose(&mut self, node: &Node) -> Option<Compose> {
        self.table(node)?;
        let mut c = Compose {
            span: node.span,
            ..Compose::default()
        };
        for (e_key, e) in self.fields(node, schema::COMPOSE) {
            let v = &e.value;
            match e_key {
                "bond_points" => {
                    for n in self.each_table(v) {
                        let mut b = BondPoint {
                            span: n.span,
                            ..BondPoint::default()
                        };
                        for (f_key, f) in self.fields(n, schema::BOND_POINT) {
                            match f_key {
                                "id" => b.id = self.text(&f.value),
                                "after_step" => b.after_step = self.text(&f.value),
                                "before_step" => b.before_step = self.text(&f.value),
                                "parallel" => {
                                    self.bool(&f.value);
                                }
                                _ => {
                                    self.text(&f.value);
                                }
                            }
                        }
                        c.bond_points.push(b);
                    }
                }
                "hooks" => {
                    for n in self.each_table(v) {
                        let mut h = Hook {
                            span: n.span,
                            ..Hook::default()
                        };
                        for (f_key, f) in self.fields(n, schema::HOOK) {
                            match f_key {
                                "trigger" => h.trigger = self.text(&f.value),
                                "attach" => h.attach = self.text(&f.value),
                                "vars" => {
                                    self.string_map(&f.value);
                                }
                                _ => {
                                    self.text(&f.value);
                                }
                            }
                        }
                        c.hooks.push(h);
                    }
                }
                "expand" => c.expand = self.expand_rules(v, schema::EXPAND),
                "map" => c.map = self.expand_rules(v, schema::MAP),
                "branch" => {
                    for n in self.each_table(v) {
                        let mut b = BranchRule {
                            span: n.span,
                            ..BranchRule::default()
                        };
                        for (f_key, f) in self.fields(n, schema::BRANCH) {
                            match f_key {
                                "from" => b.from = self.text(&f.value),
                                "steps" => b.steps = self.text_list(&f.value),
                                _ => b.join = self.text(&f.value),
                            }
                        }
                        c.branch.push(b);
                    }
                }
                "gate" => {
                    for n in self.each_table(v) {
                        let mut g = GateRule {
                            span: n.span,
                            ..GateRule::default()
                        };
                        for (f_key, f) in self.fields(n, schema::GATE_RULE) {
                            match f_key {
                                "before" => g.before = self.text(&f.value),
                                _ => g.condition = self.text(&f.value),
                            }
                        }
                        c.gate.push(g);
                    }
                }
                _ => c.aspects = self.text_list(v),
            }
        }
        Some(c)
    }

    fn expand_rules(&mut self, node: &Node, known: schema::Schema) -> Vec<ExpandRule> {
        let mut out = Vec::new();
        for n in self.each_table(node) {
            let mut r = ExpandRule {
                span: n.span,
                ..ExpandRule::default()
            };
            for (f_key, f) in self.fields(n, known) {
                match f_key {
                    "with" => r.with = self.text(&f.value),
                    "vars" => r.vars = self.string_map(&f.value),
                    _ => r.selector = self.text(&f.value),
                }
            }
            out.push(r);
        }
        out
    }

    fn advice(&mut self, node: &Node) -> Advice {
        let mut a = Advice {
            span: node.span,
            ..Advice::default()
        };
        for (e_key, e) in self.fields(node, schema::ADVICE) {
            let v = &e.value;
            match e_key {
                "target" => a.target = self.text(v),
                "before" | "after" => {
                    if self.table(v).is_some() {
                        let s = self.advice_step(v, e_key.to_owned());
                        a.steps.push(s);
                    }
                }
                _ => {
                    for (f_key, f) in self.fields(v, schema::AROUND) {
                        for (i, n) in self.each_table(&f.value).into_iter().enumerate() {
                            let s = self.advice_step(n, format!("around.{f_key}[{i}]"));
                            a.steps.push(s);
                        }
                    }
                }
            }
        }
        a
    }

    fn advice_step(&mut self, node: &Node, slot: String) -> AdviceStep {
        let mut s = AdviceStep {
            span: node.span,
            slot,
            ..AdviceStep::default()
        };
        for (f_key, f) in self.fields(node, schema::ADVICE_STEP) {
            match f_key {
                "id" => s.id = self.text(&f.value),
                "title" => s.title = self.text(&f.value),
                "description" => s.description = self.text(&f.value),
                "type" => s.ty = self.text(&f.value),
                key => {
                    self.table(&f.value);
                    self.no_effect(
                        f,
                        &format!("`{key}` of an advice step has no effect: advice drops it"),
                        "an inserted step keeps only its id, title, description and type; write what the step needs into its description",
                    );
                }
            }
        }
        s
    }

    fn pointcut(&mut self, node: &Node) -> Pointcut {
        let mut p = Pointcut {
            span: node.span,
            ..Pointcut::default()
        };
        for (f_key, f) in self.fields(node, schema::POINTCUT) {
            let t = self.text(&f.value);
            match f_key {
                "glob" => p.glob = t,
                "type" => p.ty = t,
                _ => p.label = t,
            }
        }
        p
    }
}

/// Whether `{{name}}` can reference a var called `name`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

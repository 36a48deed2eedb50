//! The composition tables of a formula: `compose` (bond points, hooks, expand and map
//! rules, branches, gate rules, aspects), `advice` and `pointcuts`.

use super::Cx;
use crate::model::schema;
use crate::model::*;
use crate::syntax::Node;

impl Cx {
    pub(super) fn compose(&mut self, node: &Node) -> Option<Compose> {
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

    pub(super) fn expand_rules(&mut self, node: &Node, known: schema::Schema) -> Vec<ExpandRule> {
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

    pub(super) fn advice(&mut self, node: &Node) -> Advice {
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

    pub(super) fn advice_step(&mut self, node: &Node, slot: String) -> AdviceStep {
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

    pub(super) fn pointcut(&mut self, node: &Node) -> Pointcut {
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

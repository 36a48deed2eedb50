//! The composition tables of a formula: `compose` (bond points, hooks, expand and map
//! rules, branches, gate rules, aspects), `advice` and `pointcuts`.

use super::Cx;
use super::value::Value;
use crate::model::schema;
use crate::model::*;
use crate::syntax::Node;

impl Cx {
    pub(super) fn compose(&mut self, node: &Node) -> Compose {
        let mut c = Compose {
            span: node.span,
            ..Compose::default()
        };
        self.read_fields(node, &schema::COMPOSE, |cx, key, _, v| {
            match (key.name, v) {
                ("bond_points", Value::Tables(l)) => {
                    c.bond_points = l.into_iter().map(|n| cx.bond_point(n)).collect()
                }
                ("hooks", Value::Tables(l)) => {
                    c.hooks = l.into_iter().map(|n| cx.hook(n)).collect()
                }
                ("expand", Value::Tables(l)) => c.expand = cx.expand_rules(l, &schema::EXPAND),
                ("map", Value::Tables(l)) => c.map = cx.expand_rules(l, &schema::MAP),
                ("branch", Value::Tables(l)) => {
                    c.branch = l.into_iter().map(|n| cx.branch(n)).collect()
                }
                ("gate", Value::Tables(l)) => {
                    c.gate = l.into_iter().map(|n| cx.gate_rule(n)).collect()
                }
                ("aspects", Value::Texts(l)) => c.aspects = l,
                _ => cx.unread(key),
            }
        });
        c
    }

    fn bond_point(&mut self, node: &Node) -> BondPoint {
        let mut b = BondPoint {
            span: node.span,
            ..BondPoint::default()
        };
        self.read_fields(node, &schema::BOND_POINT, |cx, key, _, v| {
            match (key.name, v) {
                ("id", Value::Text(t)) => b.id = Some(t),
                ("after_step", Value::Text(t)) => b.after_step = Some(t),
                ("before_step", Value::Text(t)) => b.before_step = Some(t),
                ("description", Value::Text(_)) | ("parallel", Value::Bool(_)) => {}
                _ => cx.unread(key),
            }
        });
        b
    }

    fn hook(&mut self, node: &Node) -> Hook {
        let mut h = Hook {
            span: node.span,
            ..Hook::default()
        };
        self.read_fields(node, &schema::HOOK, |cx, key, _, v| match (key.name, v) {
            ("trigger", Value::Text(t)) => h.trigger = Some(t),
            ("attach", Value::Text(t)) => h.attach = Some(t),
            ("at", Value::Text(_)) | ("vars", Value::Map(_)) => {}
            _ => cx.unread(key),
        });
        h
    }

    fn expand_rules(
        &mut self,
        nodes: Vec<&Node>,
        known: &'static schema::Table,
    ) -> Vec<ExpandRule> {
        let mut out = Vec::new();
        for n in nodes {
            let mut r = ExpandRule {
                span: n.span,
                ..ExpandRule::default()
            };
            self.read_fields(n, known, |cx, key, _, v| match (key.name, v) {
                ("with", Value::Text(t)) => r.with = Some(t),
                ("vars", Value::Map(m)) => r.vars = m,
                ("target" | "select", Value::Text(t)) => r.selector = Some(t),
                _ => cx.unread(key),
            });
            out.push(r);
        }
        out
    }

    fn branch(&mut self, node: &Node) -> BranchRule {
        let mut b = BranchRule {
            span: node.span,
            ..BranchRule::default()
        };
        self.read_fields(node, &schema::BRANCH, |cx, key, _, v| match (key.name, v) {
            ("from", Value::Text(t)) => b.from = Some(t),
            ("steps", Value::Texts(l)) => b.steps = l,
            ("join", Value::Text(t)) => b.join = Some(t),
            _ => cx.unread(key),
        });
        b
    }

    fn gate_rule(&mut self, node: &Node) -> GateRule {
        let mut g = GateRule {
            span: node.span,
            ..GateRule::default()
        };
        self.read_fields(node, &schema::GATE_RULE, |cx, key, _, v| {
            match (key.name, v) {
                ("before", Value::Text(t)) => g.before = Some(t),
                ("condition", Value::Text(t)) => g.condition = Some(t),
                _ => cx.unread(key),
            }
        });
        g
    }

    pub(super) fn advice(&mut self, node: &Node) -> Advice {
        let mut a = Advice {
            span: node.span,
            ..Advice::default()
        };
        self.read_fields(node, &schema::ADVICE, |cx, key, _, v| match (key.name, v) {
            ("target", Value::Text(t)) => a.target = Some(t),
            ("before" | "after", Value::Table(n)) => {
                let s = cx.advice_step(n, key.name.to_owned());
                a.steps.push(s);
            }
            ("around", Value::Table(n)) => {
                cx.read_fields(n, &schema::AROUND, |cx, side, _, v| match v {
                    Value::Tables(l) => {
                        for (i, n) in l.into_iter().enumerate() {
                            let s = cx.advice_step(n, format!("around.{}[{i}]", side.name));
                            a.steps.push(s);
                        }
                    }
                    _ => cx.unread(side),
                })
            }
            _ => cx.unread(key),
        });
        a
    }

    fn advice_step(&mut self, node: &Node, slot: String) -> AdviceStep {
        let mut s = AdviceStep {
            span: node.span,
            slot,
            ..AdviceStep::default()
        };
        for (key, f) in self.fields(node, &schema::ADVICE_STEP) {
            match (key.name, self.read(key, &f.value)) {
                ("id", Some(Value::Text(t))) => s.id = Some(t),
                ("title", Some(Value::Text(t))) => s.title = Some(t),
                ("description", Some(Value::Text(t))) => s.description = Some(t),
                ("type", Some(Value::Text(t))) => s.ty = Some(t),
                ("args" | "output", _) => self.no_effect(
                    f,
                    &format!("`{}` of an advice step has no effect: advice drops it", key.name),
                    "an inserted step keeps only its id, title, description and type; write what the step needs into its description",
                ),
                (_, None) => {}
                _ => self.unread(key),
            }
        }
        s
    }

    pub(super) fn pointcut(&mut self, node: &Node) -> Pointcut {
        let mut p = Pointcut {
            span: node.span,
            ..Pointcut::default()
        };
        self.read_fields(node, &schema::POINTCUT, |cx, key, _, v| {
            match (key.name, v) {
                ("glob", Value::Text(t)) => p.glob = Some(t),
                ("type", Value::Text(t)) => p.ty = Some(t),
                ("label", Value::Text(t)) => p.label = Some(t),
                _ => cx.unread(key),
            }
        });
        p
    }
}

//! Typed model -> resolved steps: owned values, dependencies merged, and a source
//! record (formula, file, line, path) on every step.

use super::types::{RGate, RLoop, ROnComplete, RStep, RVar, SourceRecord};
use crate::model::{Step, Text, VarDef};
use crate::source::LineIndex;

/// The file a formula was read from, for source records.
pub(crate) struct Origin {
    /// The formula name (shared by the source records of its steps).
    pub formula: std::sync::Arc<str>,
    /// The file path as shown.
    pub file: std::sync::Arc<str>,
    /// The file text.
    pub text: std::sync::Arc<str>,
    /// Its line index.
    pub index: LineIndex,
}

impl Origin {
    /// The origin of `formula`, read from `file`.
    pub fn of(db: &dyn salsa::Database, file: crate::db::SourceFile, formula: &str) -> Origin {
        let text = file.text(db).clone();
        Origin {
            formula: std::sync::Arc::from(formula),
            file: std::sync::Arc::from(file.path(db).display().to_string()),
            index: LineIndex::new(&text),
            text,
        }
    }

    /// The origin of `formula` in `file` when its positions are not read (source records
    /// then say line 1): the file's text is not read either.
    pub fn without_lines(
        db: &dyn salsa::Database,
        file: crate::db::SourceFile,
        formula: &str,
    ) -> Origin {
        Origin {
            formula: std::sync::Arc::from(formula),
            file: std::sync::Arc::from(file.path(db).display().to_string()),
            index: LineIndex::new(""),
            text: std::sync::Arc::from(""),
        }
    }

    fn record(&self, span_start: usize, path: String) -> SourceRecord {
        SourceRecord {
            formula: self.formula.clone(),
            file: self.file.clone(),
            line: self.index.line_col(&self.text, span_start).line,
            path,
            history: Vec::new(),
        }
    }
}

fn text(t: &Option<Text>) -> Option<String> {
    t.as_ref().map(|t| t.value.clone())
}

/// Convert one step (with its children and loop body) written at `path`.
pub(crate) fn step(s: &Step, path: String, o: &Origin) -> RStep {
    let mut needs: Vec<String> = Vec::new();
    for d in s.deps() {
        if !needs.contains(&d.value) {
            needs.push(d.value.clone());
        }
    }
    let children = s
        .children
        .iter()
        .enumerate()
        .map(|(i, c)| step(c, format!("{path}.children[{i}]"), o))
        .collect();
    let loop_spec = s.loop_spec.as_ref().map(|l| RLoop {
        count: l.count.as_ref().map(|c| c.value),
        until: text(&l.until),
        max: l.max.as_ref().map(|m| m.value),
        range: l.range.clone(),
        var: text(&l.var),
        body: l
            .body
            .iter()
            .enumerate()
            .map(|(i, b)| step(b, format!("{path}.loop.body[{i}]"), o))
            .collect(),
    });
    RStep {
        id: s.id_str().to_owned(),
        title: text(&s.title),
        description: text(&s.description),
        notes: text(&s.notes),
        ty: text(&s.ty),
        priority: s.priority.as_ref().map(|p| p.value),
        labels: s.labels.iter().map(|l| l.value.clone()).collect(),
        metadata: s.metadata.as_ref().map(|m| m.value.clone()),
        needs,
        waits_for: text(&s.waits_for),
        assignee: text(&s.assignee),
        condition: text(&s.condition),
        gate: s.gate.as_ref().map(|g| RGate {
            ty: text(&g.ty),
            id: text(&g.id),
            await_id: text(&g.await_id),
            timeout: text(&g.timeout),
        }),
        on_complete: s.on_complete.as_ref().map(|oc| ROnComplete {
            for_each: text(&oc.for_each),
            bond: text(&oc.bond),
            vars: oc
                .vars
                .iter()
                .map(|(k, v)| (k.value.clone(), v.value.clone()))
                .collect(),
            parallel: oc.parallel.as_ref().is_some_and(|p| p.value),
            sequential: oc.sequential.as_ref().is_some_and(|p| p.value),
        }),
        children,
        source: o.record(s.span.start(), path),
        expand: s.expand.as_ref().map(|e| {
            (
                e.value.clone(),
                s.expand_vars
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.clone()))
                    .collect(),
            )
        }),
        loop_spec,
    }
}

/// Convert a list of steps written under `root` (`steps`, `template`).
pub(crate) fn steps(list: &[Step], root: &str, o: &Origin) -> Vec<RStep> {
    list.iter()
        .enumerate()
        .map(|(i, s)| step(s, format!("{root}[{i}]"), o))
        .collect()
}

/// Convert a var declaration.
pub(crate) fn var(v: &VarDef) -> RVar {
    RVar {
        description: text(&v.description),
        default: text(&v.default),
        required: v.required.as_ref().is_some_and(|r| r.value),
        allowed: v.allowed.iter().map(|a| a.value.clone()).collect(),
        pattern: text(&v.pattern),
        ty: text(&v.ty),
    }
}

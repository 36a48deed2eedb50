//! Advice: steps inserted before / after / around the steps a glob selects.
//!
//! As in the reference: only steps present before the call are matched (advice never
//! matches its own insertions); before-steps are chained and the target needs the last
//! one; after-steps chain from the target. Dependents of the target are not rewired.

use super::from_model::Origin;
use super::types::{RStep, SourceRecord};
use crate::expr::glob::parse_glob;
use crate::model::{Advice, AdviceStep};

/// Apply `rules` (from `formula`, for source records) to `steps`, recursively.
pub(crate) fn apply(
    steps: Vec<RStep>,
    rules: &[Advice],
    origin: &Origin,
) -> Result<Vec<RStep>, String> {
    if rules.is_empty() {
        return Ok(steps);
    }
    let mut globs = Vec::new();
    for r in rules {
        let target = r
            .target
            .as_ref()
            .map(|t| t.value.as_str())
            .unwrap_or_default();
        let g =
            parse_glob(target).map_err(|e| format!("advice target `{target}`: {}", e.message))?;
        globs.push((g, r));
    }
    apply_list(steps, &globs, origin)
}

fn apply_list(
    steps: Vec<RStep>,
    globs: &[(crate::expr::glob::Glob, &Advice)],
    origin: &Origin,
) -> Result<Vec<RStep>, String> {
    let mut out = Vec::with_capacity(steps.len());
    for mut step in steps {
        step.children = apply_list(std::mem::take(&mut step.children), globs, origin)?;
        let mut before: Vec<RStep> = Vec::new();
        let mut after: Vec<RStep> = Vec::new();
        for (i, (glob, rule)) in globs.iter().enumerate() {
            if !glob.matches(&step.id) {
                continue;
            }
            for a in &rule.steps {
                let inserted = advice_step(a, &step, origin, i);
                if a.slot == "before" || a.slot.starts_with("around.before") {
                    before.push(inserted);
                } else {
                    after.push(inserted);
                }
            }
        }
        for i in 1..before.len() {
            let prev = before[i - 1].id.clone();
            before[i].add_need(&prev);
        }
        if let Some(last) = before.last() {
            step.add_need(&last.id.clone());
        }
        let mut prev = step.id.clone();
        for a in &mut after {
            a.add_need(&prev);
            prev = a.id.clone();
        }
        out.extend(before);
        out.push(step);
        out.extend(after);
    }
    Ok(out)
}

fn advice_step(a: &AdviceStep, target: &RStep, origin: &Origin, rule: usize) -> RStep {
    let formula = &*origin.formula;
    let title = target.title.as_deref().unwrap_or_default();
    let subst = |t: &str| {
        t.replace("{step.id}", &target.id)
            .replace("{step.title}", title)
    };
    let id = subst(a.id.as_ref().map(|t| t.value.as_str()).unwrap_or_default());
    RStep {
        title: Some(
            a.title
                .as_ref()
                .map_or_else(|| id.clone(), |t| subst(&t.value)),
        ),
        description: a.description.as_ref().map(|t| subst(&t.value)),
        ty: a.ty.as_ref().map(|t| t.value.clone()),
        source: SourceRecord {
            formula: std::sync::Arc::from(formula),
            file: origin.file.clone(),
            line: origin.index.line_col(&origin.text, a.span.start()).line,
            path: format!("advice[{rule}].{}", a.slot),
            history: vec![format!(
                "inserted by advice of {formula} {} `{}`",
                a.slot, target.id
            )],
        },
        id,
        ..RStep::default()
    }
}

//! Checking a long formula in parts, so that an edit in an editor re-checks the chunk
//! of steps it falls in and not the 5,000 others (`db::chunked` drives it).
//!
//! A file is cut into its *frame* (every key but `steps`) and chunks of `[[steps]]`
//! tables (`syntax::toml_chunks`). Every rule runs over each part alone: a chunk is
//! checked against the frame's declarations (its vars, its type), the frame against
//! what the chunks use. What spans parts is finished by the file: a chunk's references
//! to step ids are collected here ([`DeferredRef`]) and resolved against the ids of
//! every chunk ([`resolve_refs`]), and duplicate ids and dependency cycles are looked
//! for over the chunks' ids and edges (the file falls back to the whole check when it
//! finds one, so they are reported by the rules that always report them).
//!
//! Only a plain formula is checked in parts (see `db::chunked` for which): the answer
//! is the whole check's, and debug builds compare the two on every chunked check.

use super::{CheckCx, Lookup, Source, run_rules};
use crate::diagnostic::Diagnostic;
use crate::model::{Formula, StepList, Text};
use crate::resolve::Inheritance;
use crate::source::Span;
use std::collections::BTreeSet;
use std::ops::Range;

/// Which part of a formula the rules see.
#[derive(Clone, Copy)]
pub(crate) enum Part<'a> {
    /// All of it.
    Whole,
    /// A chunk of its `steps`, the first of which is `steps[first_top]` of the file.
    Chunk {
        /// The index of the chunk's first step in the file's `steps`.
        first_top: u32,
    },
    /// Everything but its `steps`.
    Frame {
        /// The names of the vars the steps use.
        used_by_steps: &'a BTreeSet<String>,
    },
}

/// A reference to a step id made in a chunk, resolved by the file: what
/// `step_refs::check_ref` was given.
#[derive(Clone, Debug, PartialEq)]
pub struct DeferredRef {
    /// What references it ("needs references").
    pub what: String,
    /// The id referenced.
    pub name: String,
    /// The text it is written in.
    pub text: Text,
    /// Where in `text` the id is written.
    pub range: Range<usize>,
    /// The reference's span.
    pub span: Span,
}

impl DeferredRef {
    /// The reference moved by `delta` bytes.
    pub fn shifted(&self, delta: u32) -> DeferredRef {
        DeferredRef {
            text: shift_text(&self.text, delta),
            span: self.span.shifted(delta),
            ..self.clone()
        }
    }
}

/// What checking a chunk of steps found, its positions counted from the chunk's start.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkCheck {
    /// The chunk's diagnostics (unsorted).
    pub diagnostics: Vec<Diagnostic>,
    /// The undeclared vars among them, whose declaration fix the file adds: the
    /// diagnostic's index in `diagnostics`, and the var's name.
    pub declares: Vec<(usize, String)>,
    /// The chunk's references to step ids, in walk order.
    pub refs: Vec<DeferredRef>,
}

/// Check `steps`, a formula holding one chunk of a file's steps (and nothing else), whose
/// first step is `steps[first_top]` of the file; `frame` holds the file's declarations.
pub fn check_chunk(
    steps: &Formula,
    frame: &Formula,
    inherited: &Inheritance,
    lookup: &Lookup<'_>,
    first_top: u32,
) -> ChunkCheck {
    let part = Part::Chunk { first_top };
    let cx = CheckCx::new(steps, frame, part, inherited, lookup, None);
    let mut diagnostics = Vec::new();
    run_rules(&cx, &mut diagnostics);
    let refs = cx.scope(StepList::Steps).take_deferred();
    ChunkCheck {
        diagnostics,
        declares: cx.declares.take(),
        refs,
    }
}

/// Check `frame`, a formula without its steps, whose steps use the vars `used_by_steps`.
pub fn check_frame(
    frame: &Formula,
    inherited: &Inheritance,
    lookup: &Lookup<'_>,
    source: Option<Source<'_>>,
    used_by_steps: &BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    let part = Part::Frame { used_by_steps };
    let cx = CheckCx::new(frame, frame, part, inherited, lookup, source);
    run_rules(&cx, out);
}

/// Report each of `refs` (in the file's order; each with the offset of its chunk) that
/// names no step of the file (`is_id`), as the whole check does; `ids` lists every id,
/// for the did-you-mean of those that do not.
pub fn resolve_refs<'r>(
    is_id: &dyn Fn(&str) -> bool,
    ids: &[&str],
    refs: impl IntoIterator<Item = (&'r DeferredRef, u32)>,
    out: &mut Vec<Diagnostic>,
) {
    // The whole check suggests from its scope's ids sorted: the same without sorting.
    let mut suggestions_left = super::step_refs::SUGGESTION_BUDGET;
    for (r, delta) in refs {
        if r.name.contains('{') || is_id(&r.name) {
            continue;
        }
        let suggestion = if suggestions_left > 0 {
            suggestions_left -= 1;
            crate::model::schema::closest_as_sorted(&r.name, ids.iter().copied())
        } else {
            None
        };
        let r = r.shifted(delta);
        out.push(super::step_refs::unknown_step(
            &r.what,
            &r.name,
            (&r.text, r.range.clone()),
            r.span,
            suggestion,
        ));
    }
}

/// A diagnostic of a chunk moved by `delta` bytes to its place in the file (labels into
/// other files stay where they are).
pub fn shift_diagnostic(d: &mut Diagnostic, delta: u32) {
    d.span = d.span.shifted(delta);
    for l in d.labels.iter_mut().filter(|l| l.file.is_none()) {
        l.span = l.span.shifted(delta);
    }
    for f in &mut d.fixes {
        for (span, _) in &mut f.edits {
            *span = span.shifted(delta);
        }
    }
}

fn shift_text(t: &Text, delta: u32) -> Text {
    Text {
        value: t.value.clone(),
        span: t.span.shifted(delta),
        verbatim_at: t.verbatim_at.map(|v| v.saturating_add(delta)),
    }
}

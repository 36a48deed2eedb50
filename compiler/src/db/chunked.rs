//! The diagnostics of a long, plain formula in an editor session, checked in chunks
//! (`check::partial`): an edit in one `[[steps]]` chunk lowers and checks that chunk
//! again, and the file only puts the parts together: its frame (every key but `steps`,
//! small), the chunks' step ids (for references, duplicates and cycles) and var uses.
//!
//! Which files: long TOML files that `syntax::toml_chunks` cuts and whose chunks parse
//! cleanly, in an editor session ([`super::Editing`]); *plain* ones, with nothing to
//! compose (no `extends`, `compose`, advice, template, legs, loop or `expand`), so
//! their diagnostics are their check's. A file with a duplicate id or a dependency
//! cycle is checked whole, by the rules that report them. Debug builds compare every
//! chunked answer with the whole check's (`super::file_diagnostics`).

use super::{Chunk, Editing, SourceFile, Workspace, chunk_tree, layout, with_lookup};
use crate::check::partial::{self, ChunkCheck, DeferredRef};
use crate::check::{self, Source};
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::{Formula, Text, VarDef};
use crate::resolve::Inheritance;
use crate::source::Span;
use crate::syntax::{Format, Node, NodeKind, toml_chunks};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

/// A long file's frame: every key but `steps`, from its preamble and tail chunks.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The frame lowered (no steps).
    pub formula: Formula,
    /// Its lowering's diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's tree without the steps after the first chunk's: what the fixes that
    /// declare or remove a var read (the headers they look for are the frame's and the
    /// first `[[steps]]`).
    pub root: Node,
}

/// The frame of a long TOML file, or `None` when the file is not cut into chunks or
/// its frame does not parse cleanly.
#[salsa::tracked(returns(ref), no_eq)]
pub fn frame(db: &dyn salsa::Database, file: SourceFile) -> Option<Frame> {
    let l = layout(db, file).as_ref()?;
    let &(first_at, first) = l.steps.first()?;
    let tree = toml_chunks::assemble(
        file.text(db).len(),
        chunk_tree(db, l.preamble),
        &[(first_at, chunk_tree(db, first))],
        (l.tail.0, chunk_tree(db, l.tail.1)),
    )?;
    let mut without_steps = tree.root.clone();
    if let NodeKind::Table(entries) = &mut without_steps.kind {
        entries.retain(|e| e.key != "steps");
    }
    let (formula, diagnostics) = crate::model::lower(&without_steps, Format::Toml);
    Some(Frame {
        formula,
        diagnostics,
        root: tree.root,
    })
}

/// The name a file declares (`formula = "..."`): read from the frame of a long file, so
/// an edit in its steps does not lower it whole for the name index.
pub fn declared_name(db: &dyn salsa::Database, file: SourceFile) -> Option<String> {
    if !in_editor(db, file) {
        return None;
    }
    Some(frame(db, file).as_ref()?.formula.name_str().to_owned())
}

/// Whether a file is one an editor session checks in chunks when it can.
fn in_editor(db: &dyn salsa::Database, file: SourceFile) -> bool {
    file.format(db) == Format::Toml
        && file.text(db).len() >= toml_chunks::MIN_LEN
        && Editing::try_get(db).is_some_and(|e| e.chunked(db))
}

/// Whether a frame has nothing to compose, so its file can be checked in chunks.
fn plain(f: &Formula) -> bool {
    f.extends.is_empty()
        && f.compose.is_none()
        && f.advice.is_empty()
        && f.pointcuts.is_empty()
        && f.template.is_empty()
        && f.legs.is_empty()
        && f.synthesis.is_none()
        && f.aspect_items.is_empty()
        && f.inputs.is_empty()
        && f.kind.as_ref().is_none_or(|k| k.value == "workflow")
}

/// What checking a chunk reads of its file's frame, without positions: the vars it
/// declares and its type. A firewall: an edit that moves the frame (any edit of a step
/// before the tail) leaves it equal, so the chunks are not checked again.
#[salsa::tracked(returns(ref))]
fn declarations(db: &dyn salsa::Database, file: SourceFile) -> Option<Formula> {
    let f = &frame(db, file).as_ref()?.formula;
    let bare = |t: &Text| Text {
        value: t.value.clone(),
        span: Span::new(0, 0),
        verbatim_at: None,
    };
    Some(Formula {
        kind: f.kind.as_ref().map(bare),
        vars: f
            .vars
            .iter()
            .map(|v| {
                let name = crate::model::Spanned {
                    value: v.name.value.clone(),
                    span: Span::new(0, 0),
                };
                VarDef::bare(name, Span::new(0, 0))
            })
            .collect(),
        ..Formula::default()
    })
}

/// A chunk's steps, lowered, and what the file needs of them; positions counted from
/// the chunk's start.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkSteps {
    /// A formula holding the chunk's steps and nothing else.
    formula: Formula,
    /// Its lowering's diagnostics.
    diagnostics: Vec<Diagnostic>,
    /// The ids of its steps (children included), in walk order ...
    ids: Vec<String>,
    /// ... and their hashes ([`id_hash`]), so that the file's index of every id hashes
    /// no string on an edit.
    id_hashes: Vec<u64>,
    /// Each step's dependencies: the index of the step in `ids`, and the step it names.
    edges: Vec<(usize, Target)>,
    /// The vars its steps use.
    used_vars: BTreeSet<String>,
    /// How many steps it has at the top level.
    top: u32,
    /// Whether it parsed cleanly and has nothing to compose (no loop, no `expand`).
    plain: bool,
}

/// The step a dependency names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// A step of the same chunk (its index in the chunk's `ids`): most dependencies
    /// name a step close by, so the file need not look them up.
    Here(usize),
    /// An id the chunk does not define.
    Elsewhere(String),
}

/// Lower a chunk's steps: once per chunk text.
#[salsa::tracked(returns(ref), no_eq)]
fn chunk_steps<'db>(db: &'db dyn salsa::Database, chunk: Chunk<'db>) -> ChunkSteps {
    let tree = chunk_tree(db, chunk);
    let one_array = matches!(tree.root.as_table(), Some([e]) if e.key == "steps" && matches!(e.value.kind, NodeKind::Array(_)));
    let (formula, diagnostics) = crate::model::lower(&tree.root, Format::Toml);
    let mut plain = tree.errors.is_empty() && one_array;
    let mut ids = Vec::new();
    let mut deps: Vec<(usize, &str)> = Vec::new();
    check::walk_steps(&formula.steps, &mut |s, _| {
        plain &= s.loop_spec.is_none() && s.expand.is_none();
        if let Some(id) = &s.id {
            deps.extend(s.deps().map(|d| (ids.len(), d.value.as_str())));
            ids.push(id.value.clone());
        }
    });
    let here: FxHashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let edges = deps
        .into_iter()
        .map(|(from, to)| {
            let target = here
                .get(to)
                .map_or_else(|| Target::Elsewhere(to.to_owned()), |&i| Target::Here(i));
            (from, target)
        })
        .collect();
    ChunkSteps {
        id_hashes: ids.iter().map(|id| id_hash(id)).collect(),
        used_vars: check::used_var_names(&formula),
        top: u32::try_from(formula.steps.len()).unwrap_or(u32::MAX),
        formula,
        diagnostics,
        ids,
        edges,
        plain,
    }
}

/// Check a chunk's steps against its file's declarations; `first_top` is the index of
/// its first step in the file's `steps`.
#[salsa::tracked(returns(ref))]
fn chunk_check<'db>(
    db: &'db dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    chunk: Chunk<'db>,
    first_top: u32,
) -> ChunkCheck {
    let steps = chunk_steps(db, chunk);
    let frame = declarations(db, file).clone().unwrap_or_default();
    let mut checked = with_lookup(db, ws, file, |lookup| {
        partial::check_chunk(
            &steps.formula,
            &frame,
            &Inheritance::default(),
            lookup,
            first_top,
        )
    });
    // A reference to a step of this chunk is resolved: the file looks up the others.
    let here: rustc_hash::FxHashSet<&str> = steps.ids.iter().map(String::as_str).collect();
    checked.refs.retain(|r| !here.contains(r.name.as_str()));
    checked
}

/// The diagnostics of `file` checked in chunks, or `None` when it is not (see the
/// module's documentation for which files are).
#[salsa::tracked(returns(ref))]
pub fn diagnostics(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
) -> Option<Vec<Diagnostic>> {
    if !in_editor(db, file) {
        return None;
    }
    let l = layout(db, file).as_ref()?;
    let fr = frame(db, file).as_ref()?;
    if !plain(&fr.formula) {
        return None;
    }
    let mut parts: Vec<(u32, &ChunkSteps, &ChunkCheck)> = Vec::with_capacity(l.steps.len());
    let mut first_top = 0u32;
    for &(at, chunk) in &l.steps {
        let steps = chunk_steps(db, chunk);
        if !steps.plain {
            return None;
        }
        let checked = chunk_check(db, ws, file, chunk, first_top);
        first_top = first_top.saturating_add(steps.top);
        parts.push((u32::try_from(at).ok()?, steps, checked));
    }
    let ids = all_ids(&parts)?;
    if has_cycle(&parts, &ids) {
        return None;
    }
    let text = file.text(db);
    let source = Source {
        text,
        format: Format::Toml,
        root: &fr.root,
    };
    let mut out = fr.diagnostics.clone();
    let mut refs: Vec<(&DeferredRef, u32)> = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut declarations: BTreeMap<&str, Option<Fix>> = BTreeMap::new();
    for &(delta, steps, checked) in &parts {
        out.extend(steps.diagnostics.iter().map(|d| shifted(d, delta)));
        let mut found: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .map(|d| shifted(d, delta))
            .collect();
        for (i, name) in &checked.declares {
            let fix = declarations
                .entry(name)
                .or_insert_with(|| check::fixes::declare_var(&source, name));
            if let (Some(d), Some(fix)) = (found.get_mut(*i), fix) {
                d.fixes.push(fix.clone());
            }
        }
        out.append(&mut found);
        refs.extend(checked.refs.iter().map(|r| (r, delta)));
        used.extend(steps.used_vars.iter().cloned());
    }
    partial::resolve_refs(&|name| ids.get(name).is_some(), &ids.names, refs, &mut out);
    with_lookup(db, ws, file, |lookup| {
        partial::check_frame(
            &fr.formula,
            &Inheritance::default(),
            lookup,
            Some(source),
            &used,
            &mut out,
        );
    });
    super::sort_diagnostics(&mut out);
    Some(out)
}

fn shifted(d: &Diagnostic, delta: u32) -> Diagnostic {
    let mut d = d.clone();
    partial::shift_diagnostic(&mut d, delta);
    d
}

/// A step id's hash, for [`Ids`].
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// Every step id of the file, numbered in walk order, found by its hash.
struct Ids<'a> {
    by_hash: FxHashMap<u64, usize>,
    names: Vec<&'a str>,
}

impl<'a> Ids<'a> {
    /// The number of the step `id`.
    fn get(&self, id: &str) -> Option<usize> {
        let &i = self.by_hash.get(&id_hash(id))?;
        (self.names[i] == id).then_some(i)
    }
}

/// The file's [`Ids`]; `None` when one repeats (the whole check reports it) or, as
/// good as never, two ids share a hash (the whole check then runs).
fn all_ids<'a>(parts: &[(u32, &'a ChunkSteps, &ChunkCheck)]) -> Option<Ids<'a>> {
    let n = parts.iter().map(|(_, s, _)| s.ids.len()).sum();
    let mut by_hash: FxHashMap<u64, usize> =
        FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut names = Vec::with_capacity(n);
    for (_, steps, _) in parts {
        for (id, &h) in steps.ids.iter().zip(&steps.id_hashes) {
            if by_hash.insert(h, names.len()).is_some() {
                return None;
            }
            names.push(id.as_str());
        }
    }
    Some(Ids { by_hash, names })
}

/// Whether the dependencies between the file's steps loop (Kahn's algorithm: a step
/// is taken once everything that depends on it is).
fn has_cycle(parts: &[(u32, &ChunkSteps, &ChunkCheck)], ids: &Ids<'_>) -> bool {
    let n = ids.names.len();
    // The edges between known steps, grouped by their source (compressed rows).
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut base = 0;
    for (_, steps, _) in parts {
        edges.extend(steps.edges.iter().filter_map(|(from, to)| {
            let to = match to {
                Target::Here(i) => base + i,
                Target::Elsewhere(id) => ids.get(id)?,
            };
            Some((base + from, to))
        }));
        base += steps.ids.len();
    }
    let mut start = vec![0usize; n + 1];
    let mut indegree = vec![0usize; n];
    for &(from, to) in &edges {
        start[from + 1] += 1;
        indegree[to] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    // `edges` is in source order already: steps are numbered in walk order.
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut taken = 0;
    while let Some(i) = ready.pop() {
        taken += 1;
        for &(_, j) in &edges[start[i]..start[i + 1]] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(j);
            }
        }
    }
    taken < n
}

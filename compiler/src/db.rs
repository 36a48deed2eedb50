//! The incremental engine: each compiler stage is a salsa query, so the CLI and
//! the language server share one database and editing one file re-runs only what
//! depends on it.
//!
//! ```text
//! SourceFile (input) -> parse -> lowered -> (Workspace) name_index / inheritance -> file_diagnostics
//! ```

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::model::Formula;
use crate::resolve::{self, Inheritance, NameIndex};
use crate::syntax::{self, Format, SyntaxTree};
use std::path::PathBuf;
use std::sync::Arc;

pub mod chunked;

/// One formula file's text: the input every query starts from.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path as the user named it (or `<stdlib>/NAME.formula.toml`).
    #[returns(ref)]
    pub path: PathBuf,
    /// The text.
    #[returns(ref)]
    pub text: Arc<str>,
    /// Its format.
    #[returns(copy)]
    pub format: Format,
}

/// The files being checked and the library the search path offers.
#[salsa::input(debug)]
pub struct Workspace {
    /// The files being checked, in output order.
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    /// Files found by name: the siblings of the checked files (each visible from its own
    /// directory only), then the search path in priority order, the stdlib last.
    #[returns(ref)]
    pub library: Vec<LibraryFile>,
    /// The layers searched, in order: one `Sibling` per directory of checked files, the
    /// search path's directories, the stdlib (for `--explain-resolution`).
    #[returns(ref)]
    pub layers: Vec<crate::source::Layer>,
}

/// A file of the library and the layer of name resolution it was found in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LibraryFile {
    /// The file.
    pub file: SourceFile,
    /// Where it was found.
    pub layer: crate::source::Layer,
}

/// The database: salsa storage for every query.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

#[salsa::db]
impl salsa::Database for Database {}

/// Parse a file into its syntax tree. Not compared with the previous tree (`no_eq`):
/// an edit moves the spans after it, so the comparison would walk most of a long file
/// only to find them changed (3 ms of a 5,000-step formula's edit).
///
/// In an editor session ([`Editing`]), a long TOML file is parsed in chunks (see
/// `syntax::toml_chunks`), each its own query
/// keyed by its text, so an edit re-parses the chunk it falls in and the other chunks'
/// trees are reused (moved to their offsets). The tree is the one a whole parse gives;
/// debug builds check that on every such parse.
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn salsa::Database, file: SourceFile) -> SyntaxTree {
    let (text, format) = (file.text(db), file.format(db));
    if format == Format::Toml
        && text.len() >= syntax::toml_chunks::MIN_LEN
        && Editing::try_get(db).is_some_and(|e| e.chunked(db))
        && let Some(tree) = parse_in_chunks(db, file)
    {
        #[cfg(debug_assertions)]
        same_as_whole(&tree, text);
        return tree;
    }
    syntax::parse(text, format)
}

/// Set by an editor session (the language server): its files are edited and re-checked
/// again and again, so long TOML files are parsed in chunks ([`parse`]). Absent for a
/// one-shot `gtc check`, where cutting and reassembling would only add work (the
/// corpus check was 1.3-1.6x the TOML floor with chunking, 1.0-1.2x without).
#[salsa::input(singleton, debug)]
pub struct Editing {
    /// Whether long TOML files are parsed in chunks.
    #[returns(copy)]
    pub chunked: bool,
}

/// A chunk of a long TOML file, identified by its text: an edit elsewhere in the file
/// leaves it, and its parse, as they were.
#[salsa::tracked(debug)]
pub struct Chunk<'db> {
    /// The chunk's text.
    #[returns(ref)]
    pub text: String,
}

/// A long TOML file's chunks and the offset each starts at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct Layout<'db> {
    preamble: Chunk<'db>,
    steps: Vec<(usize, Chunk<'db>)>,
    tail: (usize, Chunk<'db>),
}

/// Where a TOML file's chunks are, or `None` when it is parsed whole: cut cheaply
/// (`toml_chunks::cut`), each chunk checked by [`chunk_fits`] (memoised by its text),
/// else cut by scanning the whole file.
#[salsa::tracked(returns(ref))]
fn layout<'db>(db: &'db dyn salsa::Database, file: SourceFile) -> Option<Layout<'db>> {
    use syntax::toml_chunks::{self, Piece};
    let text = file.text(db);
    let chunk = |r: std::ops::Range<usize>| Chunk::new(db, text[r].to_owned());
    let made = |chunks: toml_chunks::Chunks| Layout {
        preamble: chunk(chunks.preamble),
        steps: chunks
            .steps
            .into_iter()
            .map(|r| (r.start, chunk(r)))
            .collect(),
        tail: (chunks.tail.start, chunk(chunks.tail)),
    };
    if let Some(l) = toml_chunks::cut(text).map(made) {
        let runs = &l.steps[..l.steps.len().saturating_sub(1)];
        if *chunk_fits(db, l.preamble, Piece::Preamble)
            && runs.iter().all(|&(_, c)| *chunk_fits(db, c, Piece::Run))
        {
            return Some(l);
        }
    }
    toml_chunks::split(text).map(made)
}

/// Whether a chunk is the `piece` a whole-file scan would cut there.
#[salsa::tracked]
fn chunk_fits<'db>(
    db: &'db dyn salsa::Database,
    chunk: Chunk<'db>,
    piece: syntax::toml_chunks::Piece,
) -> bool {
    syntax::toml_chunks::fits(chunk.text(db), piece)
}

/// One chunk's tree, its positions counted from the chunk's start.
#[salsa::tracked(returns(ref), no_eq)]
fn chunk_tree<'db>(db: &'db dyn salsa::Database, chunk: Chunk<'db>) -> SyntaxTree {
    syntax::parse(chunk.text(db), Format::Toml)
}

/// The file's tree put together from its chunks' trees, or `None` when they do not fit
/// (a syntax error in one, a key two define): the file is then parsed whole.
fn parse_in_chunks(db: &dyn salsa::Database, file: SourceFile) -> Option<SyntaxTree> {
    let l = layout(db, file).as_ref()?;
    let steps: Vec<(usize, &SyntaxTree)> = l
        .steps
        .iter()
        .map(|&(at, c)| (at, chunk_tree(db, c)))
        .collect();
    syntax::toml_chunks::assemble(
        file.text(db).len(),
        chunk_tree(db, l.preamble),
        &steps,
        (l.tail.0, chunk_tree(db, l.tail.1)),
    )
}

/// Debug builds: the chunked parse must give the whole parse's tree.
#[cfg(debug_assertions)]
fn same_as_whole(tree: &SyntaxTree, text: &str) {
    let whole = syntax::parse(text, Format::Toml);
    // `Debug` too, as a float that is NaN is unequal to itself.
    if *tree != whole && format!("{tree:?}") != format!("{whole:?}") {
        panic!("the chunked parse differs from the whole parse of:\n{text}");
    }
}

/// A file's typed formula and the schema diagnostics found while lowering it.
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    /// The formula.
    pub formula: Formula,
    /// Syntax and schema diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lower a file's tree into the typed model (`no_eq` as [`parse`]: its spans move too;
/// the span-free [`semantic`] is the firewall).
#[salsa::tracked(returns(ref), no_eq)]
pub fn lowered(db: &dyn salsa::Database, file: SourceFile) -> Lowered {
    let tree = parse(db, file);
    let mut diagnostics: Vec<Diagnostic> = tree.errors.iter().map(check::syntax_error).collect();
    let (formula, mut more) = crate::model::lower(&tree.root, file.format(db));
    diagnostics.append(&mut more);
    Lowered {
        formula,
        diagnostics,
    }
}

/// A file's formula without positions (every span empty, as if lowered from a tree with
/// no layout): what cooking reads of the other formulas a file composes with when only
/// diagnostics are wanted. A firewall: an edit that only moves text in a parent leaves it
/// equal, so the formulas that extend or expand it are not re-cooked.
#[salsa::tracked(returns(ref))]
pub fn semantic(db: &dyn salsa::Database, file: SourceFile) -> Formula {
    let tree = parse(db, file);
    crate::model::lower(&tree.root.without_positions(), file.format(db)).0
}

/// The name a file declares (`formula = "..."`), or `""`: a firewall, so an edit that
/// keeps the name does not rebuild the name index.
#[salsa::tracked(returns(ref))]
pub fn formula_name(db: &dyn salsa::Database, file: SourceFile) -> String {
    chunked::declared_name(db, file)
        .unwrap_or_else(|| lowered(db, file).formula.name_str().to_owned())
}

/// Formula names -> files: checked files first, then each directory's siblings, then
/// the search path (see `resolve::names`).
#[salsa::tracked(returns(ref))]
pub fn name_index(db: &dyn salsa::Database, ws: Workspace) -> NameIndex {
    resolve::build_name_index(db, ws.files(db), ws.library(db))
}

/// What a file passes on to the formulas that extend it: a firewall (an edit to a
/// parent that keeps its step ids and vars does not re-run its children's
/// [`inheritance`]), and shared, so that a hundred children hold one copy of it and an
/// edit to their parent frees one, not a hundred.
#[salsa::tracked]
pub fn bequest(db: &dyn salsa::Database, file: SourceFile) -> Arc<resolve::Bequest> {
    Arc::new(resolve::Bequest::of(&lowered(db, file).formula))
}

/// What a file inherits through `extends`.
#[salsa::tracked(returns(ref))]
pub fn inheritance(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> Inheritance {
    resolve::inheritance(db, &name_index(db, ws).scope(db, file), file)
}

/// What checking another formula needs to know of `file` (its kind, whether it has a
/// template): a firewall, so an edit to `file` that leaves these unchanged (whitespace,
/// a description) does not re-check the formulas that reference it.
#[salsa::tracked]
pub fn formula_info(db: &dyn salsa::Database, file: SourceFile) -> resolve::FormulaInfo {
    let this = lowered(db, file);
    let mut info = resolve::FormulaInfo::of(&this.formula);
    if this
        .diagnostics
        .iter()
        .any(|d| d.code == crate::diagnostic::Code::Syntax)
    {
        info.vars = None; // part of the file is missing from the model
    }
    info
}

/// What checking a reference to `target` knows of it ([`formula_info`]), its ancestors'
/// vars included: every name a table of vars passed to it may set (GTC038). Reads no
/// spans, so it is a firewall like the queries it reads.
pub fn referenced_info(
    db: &dyn salsa::Database,
    ws: Workspace,
    target: SourceFile,
) -> resolve::FormulaInfo {
    let mut info = formula_info(db, target).clone();
    let parents = inheritance(db, ws, target);
    match &mut info.vars {
        Some(vars) if parents.diagnostics.is_empty() => {
            let used = parents
                .used_vars
                .iter()
                .filter(|n| !check::filled_by_expansion(n));
            vars.extend(parents.vars.iter().chain(used).cloned());
        }
        _ => info.vars = None,
    }
    info
}

/// Every diagnostic of one file, sorted by position then code.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
) -> Vec<Diagnostic> {
    if let Some(found) = checked_in_chunks(db, ws, file) {
        return found.clone();
    }
    whole_file_diagnostics(db, ws, file)
}

/// [`chunked::diagnostics`]; debug builds check that they are the whole check's.
fn checked_in_chunks(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
) -> Option<&Vec<Diagnostic>> {
    let found = chunked::diagnostics(db, ws, file).as_ref()?;
    #[cfg(debug_assertions)]
    {
        let whole = whole_file_diagnostics(db, ws, file);
        assert_eq!(
            found,
            &whole,
            "the chunked check differs from the whole check of {}",
            file.path(db).display()
        );
        let composed = crate::cook::composition_diagnostics(db, ws, file);
        assert!(composed.is_empty(), "a chunked file composes: {composed:?}");
    }
    Some(found)
}

/// Run `f` with the way `file` looks other formulas up by name.
fn with_lookup<T>(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    f: impl FnOnce(&check::Lookup<'_>) -> T,
) -> T {
    let index = name_index(db, ws).scope(db, file);
    let info = |name: &str| Some(referenced_info(db, ws, index.get(name)?));
    let closest =
        |name: &str| crate::model::schema::closest(name, index.names()).map(str::to_owned);
    // Where the formula states its kind, for a label: its `type`, else its name. Read
    // only when a reference is of the wrong kind (the label points there), so a
    // referenced formula's spans are not a dependency of its users otherwise.
    let kind_at = |name: &str| {
        let target = index.get(name)?;
        let f = &lowered(db, target).formula;
        let span = f
            .kind
            .as_ref()
            .or(f.name.as_ref())
            .map_or(f.span, |t| t.span);
        Some(((target != file).then(|| target.path(db).clone()), span))
    };
    f(&check::Lookup {
        info: &info,
        closest: &closest,
        kind_at: &kind_at,
    })
}

/// [`file_diagnostics`] of the file lowered and checked whole.
fn whole_file_diagnostics(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
) -> Vec<Diagnostic> {
    let this = lowered(db, file);
    let inherited = inheritance(db, ws, file);
    let mut out = this.diagnostics.clone();
    let source = check::Source {
        text: file.text(db),
        format: file.format(db),
        root: &parse(db, file).root,
    };
    let mut semantic = Vec::new();
    with_lookup(db, ws, file, |lookup| {
        check::check_formula(
            &this.formula,
            inherited,
            lookup,
            Some(source),
            &mut semantic,
        );
    });
    // After a syntax error part of the file is missing from the model, so a
    // diagnostic that asserts something is *absent* (a field, a step, a var
    // declaration or use) may be an echo of that error: keep only the others.
    let has_syntax_error = out
        .iter()
        .any(|d| d.code == crate::diagnostic::Code::Syntax);
    out.extend(
        semantic
            .into_iter()
            .filter(|d| !(has_syntax_error && d.code.asserts_absence())),
    );
    sort_diagnostics(&mut out);
    out
}

/// A file's check diagnostics plus, when it has no errors, what cooking it finds
/// (composition failures, cycles and duplicates created by composition, dangling
/// dependencies): everything `gtc check` reports for the file.
#[salsa::tracked(returns(ref))]
pub fn all_diagnostics(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
) -> Vec<Diagnostic> {
    // A file checked in chunks composes nothing: its check is everything.
    if let Some(found) = checked_in_chunks(db, ws, file) {
        return found.clone();
    }
    let mut out = file_diagnostics(db, ws, file).clone();
    if out
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error)
    {
        return out;
    }
    out.extend(crate::cook::composition_diagnostics(db, ws, file));
    sort_diagnostics(&mut out);
    out
}

/// The one order diagnostics are reported in: by position, then code, then message.
fn sort_diagnostics(out: &mut Vec<Diagnostic>) {
    out.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
    out.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use salsa::Setter;
    use std::sync::Mutex;

    /// A database that records which queries executed.
    fn logging_db() -> (Database, Arc<Mutex<Vec<String>>>) {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = log.clone();
        let db = Database {
            storage: salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
                if let salsa::EventKind::WillExecute { database_key } = event.kind
                    && let Ok(mut l) = sink.lock()
                {
                    l.push(format!("{database_key:?}"));
                }
            }))),
        };
        (db, log)
    }

    #[test]
    fn editing_one_file_reruns_only_what_depends_on_it() {
        let (mut db, log) = logging_db();
        let a = SourceFile::new(
            &db,
            "a.formula.toml".into(),
            Arc::from("formula = \"a\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n"),
            Format::Toml,
        );
        let b = SourceFile::new(
            &db,
            "b.formula.toml".into(),
            Arc::from("formula = \"b\"\n[[steps]]\nid = \"y\"\ntitle = \"Y\"\n"),
            Format::Toml,
        );
        let ws = Workspace::new(&db, vec![a, b], Vec::new(), Vec::new());
        assert!(file_diagnostics(&db, ws, a).is_empty());
        assert!(file_diagnostics(&db, ws, b).is_empty());
        log.lock().map(|mut l| l.clear()).unwrap_or_default();

        b.set_text(&mut db).to(Arc::from(
            "formula = \"b\"\n[[steps]]\nid = \"y\"\ntitle = \"Y\"\nneeds = [\"nope\"]\n",
        ));
        assert!(file_diagnostics(&db, ws, a).is_empty());
        assert_eq!(file_diagnostics(&db, ws, b).len(), 1);
        let ran = log.lock().map(|l| l.clone()).unwrap_or_default();
        let parsed: Vec<&String> = ran.iter().filter(|q| q.starts_with("parse(")).collect();
        assert_eq!(
            parsed.len(),
            1,
            "only the edited file is re-parsed: {ran:?}"
        );
        // `a`'s diagnostics are not recomputed: the name index backdated.
        let a_diags = ran
            .iter()
            .filter(|q| q.starts_with("file_diagnostics("))
            .count();
        assert_eq!(a_diags, 1, "only b's diagnostics re-run: {ran:?}");
    }

    /// A 2,000-step TOML file, parsed once (and checked to be the whole parse's tree).
    fn long_file(db: &Database) -> (String, SourceFile) {
        let mut text = String::from("formula = \"big\"\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "\n[[steps]]\nid = \"s{i}\"\ntitle = \"Step {i}\"\n"
            ));
        }
        let file = SourceFile::new(
            db,
            "big.formula.toml".into(),
            Arc::from(text.as_str()),
            Format::Toml,
        );
        assert_eq!(parse(db, file), &syntax::parse(&text, Format::Toml));
        (text, file)
    }

    /// A long TOML file is parsed in chunks: an edit in one step re-parses the chunk
    /// it falls in, and the tree is the whole parse's (debug builds check that in
    /// `parse`; this test checks it too, in every build).
    #[test]
    fn an_edit_in_a_long_file_reparses_one_chunk() {
        let (mut db, log) = logging_db();
        Editing::new(&db, true);
        let (text, file) = long_file(&db);
        let chunks = log
            .lock()
            .map(|l| l.iter().filter(|q| q.starts_with("chunk_tree(")).count())
            .unwrap_or_default();
        assert!(chunks > 20, "{chunks} chunks");
        log.lock().map(|mut l| l.clear()).unwrap_or_default();

        let edited = text.replace("title = \"Step 1000\"", "title = \"Step 1000!\"");
        file.set_text(&mut db).to(Arc::from(edited.as_str()));
        assert_eq!(parse(&db, file), &syntax::parse(&edited, Format::Toml));
        let ran = log.lock().map(|l| l.clone()).unwrap_or_default();
        let reparsed = ran.iter().filter(|q| q.starts_with("chunk_tree(")).count();
        assert_eq!(reparsed, 1, "{ran:?}");
        // The cut is checked again for that chunk alone, not by scanning the file.
        let rescanned = ran.iter().filter(|q| q.starts_with("chunk_fits(")).count();
        assert_eq!(rescanned, 1, "{ran:?}");
    }

    /// In an editor session a long plain file is checked in chunks: an edit in one step
    /// re-lowers and re-checks the chunk it falls in, and a new error there is found.
    #[test]
    fn an_edit_in_a_long_file_rechecks_one_chunk() {
        let (mut db, log) = logging_db();
        Editing::new(&db, true);
        let (text, file) = long_file(&db);
        let ws = Workspace::new(&db, vec![file], Vec::new(), Vec::new());
        assert!(file_diagnostics(&db, ws, file).is_empty());
        assert!(
            chunked::diagnostics(&db, ws, file).is_some(),
            "checked in chunks"
        );
        let count = |log: &Arc<Mutex<Vec<String>>>, query: &str| {
            log.lock()
                .map(|l| l.iter().filter(|q| q.starts_with(query)).count())
                .unwrap_or_default()
        };
        let checked = count(&log, "chunk_check(");
        assert!(checked > 20, "{checked} chunks checked");
        log.lock().map(|mut l| l.clear()).unwrap_or_default();

        let edited = text.replace(
            "title = \"Step 1000\"",
            "title = \"Step 1000\"\nneeds = [\"s1999\", \"nope\"]",
        );
        file.set_text(&mut db).to(Arc::from(edited.as_str()));
        let found = file_diagnostics(&db, ws, file);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, crate::diagnostic::Code::UnknownStep);
        assert_eq!(count(&log, "chunk_steps("), 1);
        assert_eq!(count(&log, "chunk_check("), 1);
    }

    /// Outside an editor session (a one-shot `gtc check`) files are parsed whole.
    #[test]
    fn a_one_shot_check_parses_whole() {
        let (db, log) = logging_db();
        long_file(&db);
        let ran = log.lock().map(|l| l.clone()).unwrap_or_default();
        assert!(!ran.iter().any(|q| q.starts_with("chunk_tree(")), "{ran:?}");
    }

    const EXPANSION: &str = "formula = \"exp\"\ntype = \"expansion\"\n[[template]]\nid = \"{target}.a\"\ntitle = \"A\"\n";

    /// `bequest` and `formula_info` keep a whitespace edit in a parent from re-checking
    /// its children (or re-running their `inheritance`), and cooking reads the parents
    /// without positions (`semantic`), so it does not re-cook them either; a real change
    /// in the parent is seen.
    #[test]
    fn a_whitespace_edit_in_a_parent_does_not_recheck_or_recook_its_children() {
        let (mut db, log) = logging_db();
        let parent = SourceFile::new(
            &db,
            "base.formula.toml".into(),
            Arc::from("formula = \"base\"\n[[steps]]\nid = \"x\"\ntitle = \"X\"\n"),
            Format::Toml,
        );
        let expansion = SourceFile::new(
            &db,
            "exp.formula.toml".into(),
            Arc::from(EXPANSION),
            Format::Toml,
        );
        let child = SourceFile::new(
            &db,
            "child.formula.toml".into(),
            Arc::from(
                "formula = \"child\"\nextends = [\"base\"]\n[[steps]]\nid = \"y\"\ntitle = \"Y\"\nneeds = [\"x\"]\n[[steps]]\nid = \"z\"\ntitle = \"Z\"\nexpand = \"exp\"\n",
            ),
            Format::Toml,
        );
        let ws = Workspace::new(&db, vec![parent, expansion, child], Vec::new(), Vec::new());
        let before = all_diagnostics(&db, ws, child).clone();
        assert!(before.is_empty(), "{before:?}");
        log.lock().map(|mut l| l.clear()).unwrap_or_default();

        parent.set_text(&mut db).to(Arc::from(
            "formula = \"base\"\n\n\n[[steps]]\nid   = \"x\"\ntitle = \"X\"\n",
        ));
        expansion
            .set_text(&mut db)
            .to(Arc::from(format!("# moved\n\n{EXPANSION}")));
        assert_eq!(all_diagnostics(&db, ws, child), &before);
        let ran = log.lock().map(|l| l.clone()).unwrap_or_default();
        for recomputed in ["bequest(", "semantic("] {
            assert!(
                ran.iter().any(|q| q.starts_with(recomputed)),
                "{recomputed} is recomputed: {ran:?}"
            );
        }
        // The expansion's own inheritance re-runs (its text changed); the child's does not.
        let inherited = ran.iter().filter(|q| q.starts_with("inheritance(")).count();
        assert_eq!(inherited, 1, "{ran:?}");
        for kept in ["file_diagnostics(", "all_diagnostics("] {
            assert!(
                !ran.iter().any(|q| q.starts_with(kept)),
                "but unchanged, so {kept} of the child is not re-run: {ran:?}"
            );
        }
        // A real change in the parent is seen: `x` is gone.
        parent.set_text(&mut db).to(Arc::from(
            "formula = \"base\"\n[[steps]]\nid = \"w\"\ntitle = \"X\"\n",
        ));
        assert_ne!(all_diagnostics(&db, ws, child), &before);
    }

    /// A diagnostic whose label points into another file is re-checked when that file
    /// moves: the label follows it (here a reference to a workflow where an expansion is
    /// needed, labelled at the workflow's name).
    #[test]
    fn a_label_into_another_file_follows_its_edits() {
        let mut db = Database::default();
        let parent = SourceFile::new(
            &db,
            "base.formula.toml".into(),
            Arc::from("formula = \"base\"\n"),
            Format::Toml,
        );
        let child = SourceFile::new(
            &db,
            "child.formula.toml".into(),
            Arc::from("formula = \"child\"\n[[steps]]\nid = \"y\"\nexpand = \"base\"\n"),
            Format::Toml,
        );
        let ws = Workspace::new(&db, vec![parent, child], Vec::new(), Vec::new());
        let label = |db: &Database| {
            file_diagnostics(db, ws, child)
                .iter()
                .flat_map(|d| d.labels.iter())
                .map(|l| (l.file.clone(), l.span))
                .collect::<Vec<_>>()
        };
        let path = Some(std::path::PathBuf::from("base.formula.toml"));
        assert_eq!(
            label(&db),
            [(path.clone(), crate::source::Span::new(10, 16))]
        );
        parent
            .set_text(&mut db)
            .to(Arc::from("\n\nformula = \"base\"\n"));
        assert_eq!(label(&db), [(path, crate::source::Span::new(12, 18))]);
    }

    /// A cooking failure located in a parent names the parent's line: that line follows
    /// edits of the parent (the cook is redone with positions).
    #[test]
    fn a_cook_failure_in_a_parent_names_its_current_line() {
        let mut db = Database::default();
        let parent_text = "formula = \"base\"\n[vars.n]\ndefault = \"3\"\n[[steps]]\nid = \"l\"\ntitle = \"L\"\n[steps.loop]\nrange = \"1..{n}\"\n[[steps.loop.body]]\nid = \"b\"\ntitle = \"B\"\n";
        let parent = SourceFile::new(
            &db,
            "base.formula.toml".into(),
            Arc::from(parent_text),
            Format::Toml,
        );
        let child = SourceFile::new(
            &db,
            "child.formula.toml".into(),
            Arc::from("formula = \"child\"\nextends = [\"base\"]\n[vars.n]\ndefault = \"many\"\n"),
            Format::Toml,
        );
        let ws = Workspace::new(&db, vec![parent, child], Vec::new(), Vec::new());
        let message = |db: &Database| {
            all_diagnostics(db, ws, child)
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            message(&db),
            [
                "default `many` of var `n` is not a number, but the range `1..{n}` of loop `l` needs one (at base.formula.toml:4)"
            ]
        );
        parent
            .set_text(&mut db)
            .to(Arc::from(format!("\n\n{parent_text}")));
        assert_eq!(
            message(&db),
            [
                "default `many` of var `n` is not a number, but the range `1..{n}` of loop `l` needs one (at base.formula.toml:6)"
            ]
        );
    }
}

//! Name resolution for the IDE: an occurrence -> its definition (in this file, a parent
//! formula through `extends`, or the file a formula name resolves to), and a definition ->
//! every occurrence that resolves to it, across the workspace.

use super::symbols::{FileSymbols, Occurrence, SymbolKind, file_symbols, symbol_index};
use gtc::db::{SourceFile, Workspace, inheritance, lowered, name_index};
use gtc::model::StepList;
use gtc::source::Span;
use std::collections::HashSet;

/// An occurrence in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The file.
    pub file: SourceFile,
    /// The occurrence.
    pub occ: Occurrence,
}

/// The occurrence under the cursor.
pub fn occurrence_at(
    db: &dyn salsa::Database,
    file: SourceFile,
    offset: usize,
) -> Option<Occurrence> {
    file_symbols(db, file).at(offset).cloned()
}

/// Where `occ` (in `file`) is defined. A definition is its own.
pub fn definition(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    occ: &Occurrence,
) -> Option<Located> {
    if occ.is_def {
        return Some(Located {
            file,
            occ: occ.clone(),
        });
    }
    match occ.kind {
        SymbolKind::Step => step_definition(db, ws, file, occ),
        SymbolKind::Var => var_definition(db, ws, file, occ),
        SymbolKind::Formula => formula_definition(db, ws, file, &occ.name),
    }
}

fn step_definition(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    occ: &Occurrence,
) -> Option<Located> {
    let scope = occ.scope.as_ref()?;
    // The innermost visible definition: its namespace is a prefix of the reference's.
    let local = file_symbols(db, file)
        .defs(SymbolKind::Step)
        .filter(|d| d.name == occ.name)
        .filter_map(|d| d.scope.as_ref().map(|s| (d, s)))
        .filter(|(_, s)| s.list == scope.list && scope.ns.starts_with(&s.ns))
        .max_by_key(|(_, s)| s.ns.len())
        .map(|(d, _)| d.clone());
    if let Some(d) = local {
        return Some(Located { file, occ: d });
    }
    if scope.list != StepList::Steps {
        return None;
    }
    let from = inheritance(db, ws, file)
        .steps()
        .find(|s| s.id == occ.name)?
        .from
        .to_owned();
    let parent = name_index(db, ws).scope(db, file).get(&from)?;
    let syms = file_symbols(db, parent);
    let d = syms
        .defs(SymbolKind::Step)
        .filter(|d| d.name == occ.name)
        .min_by_key(|d| {
            d.scope.as_ref().map_or(usize::MAX, |s| {
                s.ns.len() + usize::from(s.list != StepList::Steps)
            })
        })?;
    Some(Located {
        file: parent,
        occ: d.clone(),
    })
}

fn var_definition(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    occ: &Occurrence,
) -> Option<Located> {
    // A key passed to an expansion names a var of the expansion formula.
    let home = match &occ.owner {
        Some(o) => name_index(db, ws).scope(db, file).get(&o.formula)?,
        None => file,
    };
    ancestry(db, ws, home).into_iter().find_map(|f| {
        file_symbols(db, f)
            .defs(SymbolKind::Var)
            .find(|d| d.name == occ.name)
            .map(|d| Located {
                file: f,
                occ: d.clone(),
            })
    })
}

/// The vars formula `name` (as seen from `from`) declares or inherits, each name once
/// (the nearest declaration), in declaration order; empty when the name resolves nowhere.
pub fn formula_vars(
    db: &dyn salsa::Database,
    ws: Workspace,
    from: SourceFile,
    name: &str,
) -> Vec<Located> {
    let Some(home) = name_index(db, ws).scope(db, from).get(name) else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in ancestry(db, ws, home) {
        for d in file_symbols(db, f).defs(SymbolKind::Var) {
            if seen.insert(d.name.clone()) {
                out.push(Located {
                    file: f,
                    occ: d.clone(),
                });
            }
        }
    }
    out
}

/// For a key passing a var that the formula it is passed to uses without declaring it
/// (which GTC038 accepts): that formula's file and the var's first `{{use}}` there or in
/// an ancestor (`None` for a name used only as a `{placeholder}`). `None` when the
/// formula does not use the name at all, or its vars cannot all be known.
pub fn undeclared_use(
    db: &dyn salsa::Database,
    ws: Workspace,
    file: SourceFile,
    occ: &Occurrence,
) -> Option<(SourceFile, Option<Located>)> {
    let owner = occ.owner.as_ref()?;
    let home = name_index(db, ws).scope(db, file).get(&owner.formula)?;
    let used = gtc::db::referenced_info(db, ws, home).vars?;
    if !used.contains(&occ.name) {
        return None;
    }
    let first = ancestry(db, ws, home).into_iter().find_map(|f| {
        file_symbols(db, f)
            .occurrences
            .iter()
            .find(|u| {
                u.kind == SymbolKind::Var && !u.is_def && u.owner.is_none() && u.name == occ.name
            })
            .map(|u| Located {
                file: f,
                occ: u.clone(),
            })
    });
    Some((home, first))
}

/// `file`, then its ancestors through `extends` breadth-first, each once.
fn ancestry(db: &dyn salsa::Database, ws: Workspace, file: SourceFile) -> Vec<SourceFile> {
    let index = name_index(db, ws);
    let mut queue = vec![file];
    let mut seen = HashSet::new();
    let mut i = 0;
    while let Some(&f) = queue.get(i) {
        i += 1;
        if !seen.insert(f) {
            continue;
        }
        queue.extend(
            lowered(db, f)
                .formula
                .extends
                .iter()
                .filter_map(|p| index.scope(db, f).get(&p.value)),
        );
    }
    queue.retain({
        let mut kept = HashSet::new();
        move |f| kept.insert(*f)
    });
    queue
}

/// The definition of formula `name` as seen from `from` (its siblings count): its
/// `formula = ...` value, or the start of its file when the name is only the file's name.
pub fn formula_definition(
    db: &dyn salsa::Database,
    ws: Workspace,
    from: SourceFile,
    name: &str,
) -> Option<Located> {
    let file = name_index(db, ws).scope(db, from).get(name)?;
    let occ = file_symbols(db, file)
        .defs(SymbolKind::Formula)
        .next()
        .cloned()
        .unwrap_or(Occurrence {
            kind: SymbolKind::Formula,
            name: name.to_owned(),
            span: Span::at(0),
            exact: false,
            is_def: true,
            scope: None,
            owner: None,
        });
    Some(Located { file, occ })
}

/// Every occurrence resolving to the definition `def` (the definition included), in
/// workspace order then position.
pub fn references(db: &dyn salsa::Database, ws: Workspace, def: &Located) -> Vec<Located> {
    let mut files: Vec<SourceFile> = symbol_index(db, ws)
        .files(def.occ.kind, &def.occ.name)
        .to_vec();
    if !files.contains(&def.file) {
        files.insert(0, def.file);
    }
    let mut out = Vec::new();
    for file in files {
        let syms: &FileSymbols = file_symbols(db, file);
        for o in syms
            .occurrences
            .iter()
            .filter(|o| o.kind == def.occ.kind && o.name == def.occ.name)
        {
            let hit = if o.is_def {
                file == def.file && o.span == def.occ.span
            } else {
                definition(db, ws, file, o)
                    .is_some_and(|d| d.file == def.file && d.occ.span == def.occ.span)
            };
            if hit {
                out.push(Located {
                    file,
                    occ: o.clone(),
                });
            }
        }
    }
    out
}

//! `workspace/symbol`: formulas and steps across the workspace.

use crate::analysis::symbols::SymbolKind;
use crate::analysis::workspace_symbols::workspace_symbols;
use crate::server::Backend;
use crate::server::convert::location;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn symbol(
    b: &Backend,
    p: lsp::WorkspaceSymbolParams,
) -> jsonrpc::Result<Option<lsp::WorkspaceSymbolResponse>> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            #[allow(deprecated)] // `deprecated` is a required field of the protocol type
            let found: Vec<lsp::SymbolInformation> = workspace_symbols(db, ws, &p.query)
                .into_iter()
                .filter_map(|s| {
                    Some(lsp::SymbolInformation {
                        location: location(a, &s.target, enc)?,
                        name: s.name,
                        kind: match s.kind {
                            SymbolKind::Formula => lsp::SymbolKind::MODULE,
                            SymbolKind::Step => lsp::SymbolKind::FUNCTION,
                            SymbolKind::Var => lsp::SymbolKind::VARIABLE,
                        },
                        tags: None,
                        deprecated: None,
                        container_name: s.container,
                    })
                })
                .collect();
            Ok(Some(lsp::WorkspaceSymbolResponse::Flat(found)))
        })
    })
    .await
}

//! `initialize`: negotiate the position encoding and announce the capabilities;
//! `initialized`: scan the workspace folders, set the library, watch formula files.
//! (Folders added or removed later: `workspace_folders.rs`.)

use crate::analysis::line_index::Encoding;
use crate::analysis::semantic_tokens::{LEGEND, TokenKind};
use crate::server::Backend;
use crate::server::convert::path_of;
use crate::server::state::Negotiated;
use std::path::PathBuf;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The command behind the cooked-view code lens.
pub const COOKED_VIEW: &str = "gtc.cookedView";

/// The glob of formula files, for the file watcher.
pub const FORMULA_GLOB: &str = "**/*.formula.{toml,json,yaml,yml}";

/// The protocol's name of each token kind.
pub fn token_type(kind: TokenKind) -> lsp::SemanticTokenType {
    match kind {
        TokenKind::Var => lsp::SemanticTokenType::VARIABLE,
        TokenKind::Placeholder => lsp::SemanticTokenType::PARAMETER,
        TokenKind::StepId | TokenKind::StepRef => lsp::SemanticTokenType::FUNCTION,
        TokenKind::FormulaRef => lsp::SemanticTokenType::NAMESPACE,
        TokenKind::Operator => lsp::SemanticTokenType::OPERATOR,
    }
}

/// The legend's token types: one per distinct protocol name, in [`LEGEND`] order.
pub fn token_types() -> Vec<lsp::SemanticTokenType> {
    let mut out: Vec<lsp::SemanticTokenType> = Vec::new();
    for k in LEGEND {
        let t = token_type(*k);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub fn initialize(b: &Backend, p: lsp::InitializeParams) -> jsonrpc::Result<lsp::InitializeResult> {
    let caps = &p.capabilities;
    let utf8 = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
    let encoding = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let ws = caps.workspace.as_ref();
    let rename_files = ws.and_then(|w| w.workspace_edit.as_ref()).is_some_and(|e| {
        e.document_changes == Some(true)
            && e.resource_operations
                .as_ref()
                .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Rename))
    });
    let watch_files = ws
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    #[allow(deprecated)] // `root_uri` is the fallback for clients without workspace folders
    let roots: Vec<PathBuf> = match &p.workspace_folders {
        Some(folders) if !folders.is_empty() => {
            folders.iter().filter_map(|f| path_of(&f.uri)).collect()
        }
        _ => p.root_uri.as_ref().and_then(path_of).into_iter().collect(),
    };
    b.state.change_folders(&roots, &[]);
    let _ = b.state.negotiated.set(Negotiated {
        encoding,
        roots,
        rename_files,
        watch_files,
    });
    let sync = lsp::TextDocumentSyncOptions {
        open_close: Some(true),
        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
        ..lsp::TextDocumentSyncOptions::default()
    };
    let capabilities = lsp::ServerCapabilities {
        position_encoding: Some(if utf8 {
            lsp::PositionEncodingKind::UTF8
        } else {
            lsp::PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(sync)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(
                ["{", "\"", "[", "'"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
            ),
            ..lsp::CompletionOptions::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: token_types(),
                        token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
                },
            ),
        ),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        code_lens_provider: Some(lsp::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![COOKED_VIEW.to_owned()],
            ..lsp::ExecuteCommandOptions::default()
        }),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        diagnostic_provider: Some(lsp::DiagnosticServerCapabilities::Options(
            lsp::DiagnosticOptions {
                identifier: Some(String::from("gtc")),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
            },
        )),
        ..lsp::ServerCapabilities::default()
    };
    Ok(lsp::InitializeResult {
        capabilities,
        server_info: Some(lsp::ServerInfo {
            name: String::from("gtc-lsp"),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        offset_encoding: None,
    })
}

pub async fn initialized(b: &Backend) {
    let Some(n) = b.state.negotiated.get().cloned() else {
        return;
    };
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let (files, mut problems) = super::workspace_folders::scan(&n.roots);
    let cwd = n.roots.first().cloned().unwrap_or_default();
    {
        let mut host = b.state.host();
        let env = gtc::source::SearchEnv::from_process();
        let found = gtc::source::search_dirs(&[], &cwd, home.as_deref(), &env);
        problems.extend(found.problems.iter().cloned());
        host.set_library_layers(&found.layers);
        for (path, text) in files {
            if !b.state.is_open(&path) {
                host.set_file(&path, text);
            }
        }
    }
    for p in problems {
        b.client.log_message(lsp::MessageType::WARNING, p).await;
    }
    b.republish(None);
    if n.watch_files {
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(FORMULA_GLOB.to_owned()),
                kind: None,
            }],
        };
        let registration = lsp::Registration {
            id: String::from("gtc-formula-files"),
            method: String::from("workspace/didChangeWatchedFiles"),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = b.client.register_capability(vec![registration]).await {
            b.client
                .log_message(
                    lsp::MessageType::WARNING,
                    format!("cannot watch formula files: {e}"),
                )
                .await;
        }
    }
}

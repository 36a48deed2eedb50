//! The protocol layer: tower-lsp-server on tokio. [`Backend`] implements the protocol by
//! handing each request to its file under `handlers/`, which converts positions and
//! types and calls the analysis layer; no language logic lives here.
//!
//! Concurrency: edits (`didOpen`, `didChange`, watched files) change the analysis host
//! under its lock, in arrival order, before their handler first yields. Queries run on a
//! blocking thread with a snapshot of the database; an edit cancels them (they answer
//! `ContentModified`), and a panic in one answers that request with an internal error
//! while the server lives on.

pub mod convert;
mod handlers;
mod publish;
mod state;

use crate::analysis::{Analysis, Cancellable};
use state::State;
use std::sync::Arc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer, LspService};

/// The language server.
pub struct Backend {
    client: Client,
    state: Arc<State>,
}

impl Backend {
    fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(State::new()),
        }
    }

    /// Run `f` on a snapshot on a blocking thread: a cancellation answers
    /// `ContentModified`, a panic an internal error.
    async fn query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Analysis, &State) -> Cancellable<jsonrpc::Result<T>> + Send + 'static,
    ) -> jsonrpc::Result<T> {
        let snapshot = self.state.snapshot();
        let state = self.state.clone();
        match tokio::task::spawn_blocking(move || f(&snapshot, &state)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_cancelled)) => Err(jsonrpc::Error {
                code: jsonrpc::ErrorCode::ContentModified,
                message: "the document changed; ask again".into(),
                data: None,
            }),
            Err(e) => {
                let why = e
                    .try_into_panic()
                    .ok()
                    .and_then(|p| {
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    })
                    .unwrap_or_else(|| String::from("unknown cause"));
                Err(jsonrpc::Error {
                    code: jsonrpc::ErrorCode::InternalError,
                    message: format!("gtc-lsp failed on this request: {why}").into(),
                    data: None,
                })
            }
        }
    }

    /// Republish diagnostics after an edit (in the background).
    fn republish(&self, first: Option<std::path::PathBuf>) {
        let generation = self.state.bump();
        let backend = Backend {
            client: self.client.clone(),
            state: self.state.clone(),
        };
        tokio::spawn(async move { publish::publish(&backend, generation, first).await });
    }
}

/// Serve the protocol over standard input and output until `exit`.
pub async fn run_stdio() {
    let (service, socket) = LspService::new(Backend::new);
    tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}

impl LanguageServer for Backend {
    async fn initialize(&self, p: lsp::InitializeParams) -> jsonrpc::Result<lsp::InitializeResult> {
        handlers::initialize::initialize(self, p)
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        handlers::initialize::initialized(self).await;
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        Ok(())
    }

    async fn did_open(&self, p: lsp::DidOpenTextDocumentParams) {
        handlers::did_open::did_open(self, p);
    }

    async fn did_change(&self, p: lsp::DidChangeTextDocumentParams) {
        handlers::did_change::did_change(self, p);
    }

    async fn did_close(&self, p: lsp::DidCloseTextDocumentParams) {
        handlers::did_close::did_close(self, p);
    }

    async fn did_change_watched_files(&self, p: lsp::DidChangeWatchedFilesParams) {
        handlers::watched_files::did_change_watched_files(self, p);
    }

    async fn did_change_workspace_folders(&self, p: lsp::DidChangeWorkspaceFoldersParams) {
        handlers::workspace_folders::did_change_workspace_folders(self, p).await;
    }

    async fn completion(
        &self,
        p: lsp::CompletionParams,
    ) -> jsonrpc::Result<Option<lsp::CompletionResponse>> {
        handlers::completion::completion(self, p).await
    }

    async fn hover(&self, p: lsp::HoverParams) -> jsonrpc::Result<Option<lsp::Hover>> {
        handlers::hover::hover(self, p).await
    }

    async fn goto_definition(
        &self,
        p: lsp::GotoDefinitionParams,
    ) -> jsonrpc::Result<Option<lsp::GotoDefinitionResponse>> {
        handlers::definition::goto_definition(self, p).await
    }

    async fn references(
        &self,
        p: lsp::ReferenceParams,
    ) -> jsonrpc::Result<Option<Vec<lsp::Location>>> {
        handlers::references::references(self, p).await
    }

    async fn prepare_rename(
        &self,
        p: lsp::TextDocumentPositionParams,
    ) -> jsonrpc::Result<Option<lsp::PrepareRenameResponse>> {
        handlers::rename::prepare_rename(self, p).await
    }

    async fn rename(&self, p: lsp::RenameParams) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
        handlers::rename::rename(self, p).await
    }

    async fn code_action(
        &self,
        p: lsp::CodeActionParams,
    ) -> jsonrpc::Result<Option<lsp::CodeActionResponse>> {
        handlers::code_action::code_action(self, p).await
    }

    async fn document_symbol(
        &self,
        p: lsp::DocumentSymbolParams,
    ) -> jsonrpc::Result<Option<lsp::DocumentSymbolResponse>> {
        handlers::document_symbol::document_symbol(self, p).await
    }

    async fn symbol(
        &self,
        p: lsp::WorkspaceSymbolParams,
    ) -> jsonrpc::Result<Option<lsp::WorkspaceSymbolResponse>> {
        handlers::workspace_symbol::symbol(self, p).await
    }

    async fn semantic_tokens_full(
        &self,
        p: lsp::SemanticTokensParams,
    ) -> jsonrpc::Result<Option<lsp::SemanticTokensResult>> {
        handlers::semantic_tokens::semantic_tokens_full(self, p).await
    }

    async fn formatting(
        &self,
        p: lsp::DocumentFormattingParams,
    ) -> jsonrpc::Result<Option<Vec<lsp::TextEdit>>> {
        handlers::formatting::formatting(self, p).await
    }

    async fn diagnostic(
        &self,
        p: lsp::DocumentDiagnosticParams,
    ) -> jsonrpc::Result<lsp::DocumentDiagnosticReportResult> {
        handlers::diagnostic::diagnostic(self, p).await
    }

    async fn folding_range(
        &self,
        p: lsp::FoldingRangeParams,
    ) -> jsonrpc::Result<Option<Vec<lsp::FoldingRange>>> {
        handlers::folding_range::folding_range(self, p).await
    }

    async fn inlay_hint(
        &self,
        p: lsp::InlayHintParams,
    ) -> jsonrpc::Result<Option<Vec<lsp::InlayHint>>> {
        handlers::inlay_hint::inlay_hint(self, p).await
    }

    async fn code_lens(
        &self,
        p: lsp::CodeLensParams,
    ) -> jsonrpc::Result<Option<Vec<lsp::CodeLens>>> {
        handlers::code_lens::code_lens(self, p).await
    }

    async fn execute_command(
        &self,
        p: lsp::ExecuteCommandParams,
    ) -> jsonrpc::Result<Option<lsp::LSPAny>> {
        handlers::execute_command::execute_command(self, p).await
    }
}

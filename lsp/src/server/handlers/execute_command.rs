//! `workspace/executeCommand`: `gtc.cookedView URI` answers the cooked view as text.
//! With `GTC_LSP_TEST_HOOKS=1`, `gtc.test.panic` panics inside a request (to test that
//! the server survives it).

use super::file_of;
use super::initialize::COOKED_VIEW;
use crate::analysis::cooked_view::cooked_view;
use crate::server::Backend;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

/// The test-only command that panics.
pub const TEST_PANIC: &str = "gtc.test.panic";

pub async fn execute_command(
    b: &Backend,
    p: lsp::ExecuteCommandParams,
) -> jsonrpc::Result<Option<lsp::LSPAny>> {
    if p.command == TEST_PANIC && b.state.test_hooks {
        return b
            .query(
                |_, _| -> crate::analysis::Cancellable<jsonrpc::Result<Option<lsp::LSPAny>>> {
                    panic!("test hook: a panic inside a request")
                },
            )
            .await;
    }
    if p.command != COOKED_VIEW {
        return Err(jsonrpc::Error::invalid_params(format!(
            "unknown command `{}`",
            p.command
        )));
    }
    let uri = p
        .arguments
        .first()
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse::<lsp::Uri>().ok())
        .ok_or_else(|| jsonrpc::Error::invalid_params("gtc.cookedView takes the formula's URI"))?;
    b.query(move |a, _| {
        a.with(|db, ws| {
            let file = file_of(a, &uri)?;
            Ok(Some(serde_json::Value::String(cooked_view(db, ws, file))))
        })
    })
    .await
}

//! `textDocument/diagnostic` (pull): the same diagnostics as the ones pushed.

use super::file_of;
use crate::analysis::diagnostics::diagnostics;
use crate::server::Backend;
use crate::server::convert::diagnostic as convert;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn diagnostic(
    b: &Backend,
    p: lsp::DocumentDiagnosticParams,
) -> jsonrpc::Result<lsp::DocumentDiagnosticReportResult> {
    b.query(move |a, st| {
        a.with(|db, ws| {
            let enc = st.encoding();
            let uri = p.text_document.uri;
            let file = file_of(a, &uri)?;
            let items = diagnostics(db, ws, file)
                .iter()
                .map(|d| convert(a, file, &uri, d, enc))
                .collect();
            Ok(lsp::DocumentDiagnosticReportResult::Report(
                lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    },
                }),
            ))
        })
    })
    .await
}

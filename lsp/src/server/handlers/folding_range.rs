//! `textDocument/foldingRange`: regions by lines, one per start line.

use super::file_of;
use crate::analysis::folding::folding;
use crate::analysis::line_index::{Encoding, line_index};
use crate::server::Backend;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types as lsp;

pub async fn folding_range(
    b: &Backend,
    p: lsp::FoldingRangeParams,
) -> jsonrpc::Result<Option<Vec<lsp::FoldingRange>>> {
    b.query(move |a, _| {
        a.with(|db, _| {
            let file = file_of(a, &p.text_document.uri)?;
            let index = line_index(db, file);
            let mut out: Vec<lsp::FoldingRange> = Vec::new();
            for s in folding(db, file) {
                let start = index.line_col(s.start(), Encoding::Utf8).line;
                let end = index.line_col(s.end(), Encoding::Utf8).line;
                // The longest region of each start line (regions come sorted that way).
                if end > start && out.last().is_none_or(|r| r.start_line != start) {
                    out.push(lsp::FoldingRange {
                        start_line: start,
                        end_line: end,
                        ..lsp::FoldingRange::default()
                    });
                }
            }
            Ok(Some(out))
        })
    })
    .await
}

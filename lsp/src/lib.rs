//! `gtc-lsp`: the language server for formula files.
//!
//! Two layers, as rust-analyzer splits `ide` from its LSP crate:
//! - [`analysis`]: plain functions over the compiler's salsa database, one file per
//!   feature, returning byte offsets and plain data;
//! - [`server`]: the protocol (tower-lsp-server on tokio), one handler file per request,
//!   converting positions and types at the edge. No language logic lives there.
//!
//! The crate depends on the compiler (`gtc`); the compiler never depends on it.

pub mod analysis;
pub mod server;

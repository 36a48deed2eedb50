//! `gtc-lsp`: the language server for formula files.
//!
//! Planned (see the LSP issue): one handler per LSP feature over the compiler's
//! salsa database ([`gtc::db::Database`]). Until then this crate only pins the
//! layering: it depends on the compiler, never the reverse.

//! `gtc-lsp`: the language server for formula files, over standard input and output.

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--version" || a == "-V") {
        println!("gtc-lsp {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    gtc_lsp::server::run_stdio().await;
}

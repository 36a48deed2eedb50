//! The `gt` binary: everything lives in the library, so tests drive it in-process too.

fn main() {
    let code = gt::cli::run(std::env::args_os());
    std::process::exit(code);
}

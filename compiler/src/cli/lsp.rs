//! `gtc lsp`: run the language server, `gtc-lsp`, found beside the `gtc` binary (as
//! `cargo install` and release archives place them) or on `PATH`. The compiler does not
//! link the server: it only starts the program, so the dependency stays `lsp -> compiler`.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The server's program name.
const SERVER: &str = "gtc-lsp";

/// The program to run: `gtc-lsp` in `exe_dir` when it is there, else the bare name
/// (looked up on `PATH`).
pub(super) fn locate(exe_dir: Option<&Path>) -> PathBuf {
    let name = format!("{SERVER}{}", std::env::consts::EXE_SUFFIX);
    exe_dir
        .map(|d| d.join(&name))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Run `program` with `args` on this process's standard streams; its exit status, or 2
/// with a message when it cannot be started.
pub(super) fn exec(program: &Path, args: &[OsString], err: &mut dyn Write) -> i32 {
    match std::process::Command::new(program).args(args).status() {
        Ok(status) => status.code().unwrap_or(1),
        Err(e) => {
            let _ = writeln!(
                err,
                "error: cannot start `{}`: {e}\nhelp: install the language server with `cargo install --path lsp` (it must be on PATH or beside gtc)",
                program.display()
            );
            2
        }
    }
}

/// `gtc lsp [ARGS...]`.
pub(super) fn run(args: &[OsString], err: &mut dyn Write) -> i32 {
    let exe = std::env::current_exe().ok();
    let program = locate(exe.as_deref().and_then(Path::parent));
    exec(&program, args, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_beside_gtc_else_on_path() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let bare = PathBuf::from(format!("{SERVER}{}", std::env::consts::EXE_SUFFIX));
        assert_eq!(locate(Some(dir.path())), bare);
        assert_eq!(locate(None), bare);
        let beside = dir.path().join(&bare);
        std::fs::write(&beside, "").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(locate(Some(dir.path())), beside);
    }

    #[test]
    fn a_missing_server_is_a_usage_error() {
        let mut err = Vec::new();
        let code = exec(Path::new("/nonexistent/gtc-lsp"), &[], &mut err);
        assert_eq!(code, 2);
        let text = String::from_utf8_lossy(&err);
        assert!(
            text.contains("cannot start `/nonexistent/gtc-lsp`"),
            "{text}"
        );
        assert!(text.contains("cargo install --path lsp"), "{text}");
    }

    #[test]
    fn the_server_exit_status_is_passed_on() {
        // `true` and `false` stand in for the server: only the status matters here.
        let mut err = Vec::new();
        assert_eq!(exec(Path::new("true"), &[], &mut err), 0);
        assert_eq!(exec(Path::new("false"), &[], &mut err), 1);
    }
}

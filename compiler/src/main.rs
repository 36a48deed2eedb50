//! The `gtc` binary: see `gtc --help`.

fn main() {
    let env = gtc::cli::Env::from_process();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let code = gtc::cli::run(std::env::args_os().collect(), &env, &mut out, &mut err);
    std::process::exit(code);
}

//! The `gtc` command line: argument parsing and the subcommands. The binary's
//! `main` only calls [`run`], so tests drive the CLI in-process.

mod check;
mod convert;
mod cook;
mod explain;
mod fmt;
mod lsp;
mod resolution;
mod schema;

use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// `gtc`: check formula files like a compiler.
#[derive(Parser, Debug)]
#[command(
    name = "gtc",
    version,
    about = "The formula compiler: check workflow formulas (*.formula.toml / .json / .yaml) like a compiler",
    long_about = "gtc parses formula files, resolves the formulas they name (extends, expansions, aspects) \
and checks them: every problem is reported at file:line:column with a stable code and a help line.\n\n\
Examples:\n  gtc check .                      check every formula under the current directory\n  \
gtc check mol-x.formula.toml       check one file\n  gtc check --format json formulas/  machine-readable output\n  \
gtc fmt --check .                  list the formulas not in canonical form\n  \
gtc explain GTC005                 what a diagnostic code means and how to fix it"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check formula files and directories (default: the current directory).
    #[command(
        long_about = "Check formula files. A directory is searched recursively for \
*.formula.toml, *.formula.json, *.formula.yaml and *.formula.yml (hidden directories other \
than .beads, target/ and node_modules/ are skipped).\n\n\
Formula names (extends, expand, compose.expand/map `with`, compose.aspects, on_complete.bond) \
resolve, first hit wins, among: the checked files; the other formula files in the directory of \
the formula being checked; --search-path dirs; the project's .beads/formulas/ ($BEADS_DIR, or \
the nearest .beads/ above the working directory, .beads/redirect followed); the git root's \
.beads/formulas/ (the main checkout's too, from a worktree); $GT_ROOT/.beads/formulas/; \
~/.beads/formulas/; then the stdlib embedded in gtc. --explain-resolution NAME shows the \
order and what a name shadows.\n\n\
Exit status: 0 no errors; 1 errors (or warnings with --deny-warnings); 2 usage or I/O problem."
    )]
    Check(CheckArgs),
    /// Resolve a formula's composition (extends, loops, advice, expansions, aspects) and print it.
    #[command(
        long_about = "Cook a formula: apply extends, loops, compose.branch / compose.gate, advice, \
step expansions, compose.expand / compose.map and aspects, in the reference tool's order, and \
print the resolved steps, each with its merged `needs` and a `source` record (formula, file, \
line, path) saying where it came from. FORMULA is a file or a formula name on the search path.\n\n\
The formula must pass `gtc check` first. In compile mode (the default) {{vars}} are kept; \
in runtime mode (--mode runtime, or any --var / --vars-file) var values are validated against \
their enum, pattern and type, substituted, and steps whose condition is false are dropped.\n\n\
Exit status: 0 cooked; 1 the formula has errors; 2 usage or I/O problem."
    )]
    Cook(CookArgs),
    /// Rewrite a formula file in another format (TOML, JSON, YAML), verified to round-trip.
    #[command(
        long_about = "Convert a formula file between TOML, JSON and YAML. The result is parsed \
back and compared with the input before anything is written: converting there and back \
always gives the same formula. Comments are not carried over (JSON has none).\n\n\
Exit status: 0 converted; 1 the input has syntax errors or a value the target format cannot \
hold (TOML has no null); 2 I/O problem."
    )]
    Convert(ConvertArgs),
    /// Rewrite formula files in canonical form, keeping comments and key order.
    #[command(
        long_about = "Format formula files in place: TOML keeps its comments, key order and \
string quoting, and gets canonical spacing (`key = value`, one blank line before each table \
header, arrays on one line when they fit in 100 columns, otherwise one item per line); JSON is \
indented by two spaces; YAML gets only whitespace fixes (trailing spaces, blank-line runs, one \
final newline). Directories are searched like `gtc check`. The result is parsed back and \
compared with the input before anything is written; files with syntax errors are left alone.\n\n\
Examples:\n  gtc fmt                                 format every formula under the current directory\n  \
gtc fmt --check .                       list (and diff) the files that are not formatted\n  \
gtc fmt --stdout x.formula.toml         print the formatted file\n  \
gtc fmt - --stdin-filename x.formula.json < x.json   format standard input\n\n\
Exit status: 0 done (with --check: everything is formatted); 1 a file has syntax errors, \
could not be formatted safely, or (with --check) needs formatting; 2 usage or I/O problem."
    )]
    Fmt(FmtArgs),
    /// Print the documentation of a diagnostic code (e.g. `gtc explain GTC005`).
    Explain(ExplainArgs),
    /// Run the language server (`gtc-lsp`, beside gtc or on PATH) on standard input/output.
    Lsp(LspArgs),
    /// Print the JSON Schema of formula files (for editors: taplo, yaml-language-server, VS Code).
    #[command(
        long_about = "Print the JSON Schema (draft-07) of formula files: every key of every \
table with its type, allowed values and a one-line doc, generated from the key schema gtc \
checks with. Editors without gtc-lsp use it for key completion, hover docs and type checks: \
taplo (`#:schema` or a .taplo.toml rule), yaml-language-server (`# yaml-language-server: \
$schema=`), VS Code's json.schemas. The same file is in the repository as \
editors/schema/formula.schema.json.\n\n\
Exit status: 0 printed; 2 the output cannot be written."
    )]
    Schema,
}

#[derive(clap::Args, Debug)]
struct LspArgs {
    /// Arguments passed to gtc-lsp.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<OsString>,
}

/// How diagnostics are written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippets for people (the default).
    Human,
    /// One JSON object: `{"diagnostics": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// When to colour human output.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories to check.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Exit 1 when there are warnings, not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Another directory to look up formula names in (repeatable; searched first).
    #[arg(long, value_name = "DIR")]
    search_path: Vec<PathBuf>,
    /// Colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print only the summary line (human format).
    #[arg(long, short)]
    quiet: bool,
    /// Check nothing: print where formula name NAME resolves (as seen from the first
    /// checked file) and every file it shadows, in search order; exit 1 if it does not.
    #[arg(long, value_name = "NAME")]
    explain_resolution: Option<String>,
}

#[derive(clap::Args, Debug)]
struct CookArgs {
    /// A formula file, or a formula name on the search path.
    formula: String,
    /// Output format (default: tree on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<CookFormat>,
    /// Another directory to look up formula names in (repeatable; searched first).
    #[arg(long, value_name = "DIR")]
    search_path: Vec<PathBuf>,
    /// The most steps loops may produce.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    step_limit: usize,
    /// compile keeps `{{vars}}`; runtime validates var values and substitutes them
    /// (any --var or --vars-file implies runtime).
    #[arg(long, value_enum)]
    mode: Option<CookMode>,
    /// A var value, `NAME=VALUE` (repeatable; wins over --vars-file).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// A TOML, JSON or YAML file of var values (a table of NAME = value).
    #[arg(long, value_name = "FILE")]
    vars_file: Option<PathBuf>,
    /// Explain one step instead: where it was written and which rules produced or changed it.
    #[arg(long, value_name = "STEP")]
    why: Option<String>,
}

/// Whether `gtc cook` keeps or fills in `{{vars}}`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CookMode {
    /// Keep `{{placeholders}}`.
    Compile,
    /// Validate var values and substitute them; drop steps whose condition is false.
    Runtime,
}

/// How `gtc cook` prints the resolved formula.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CookFormat {
    /// The resolved formula as JSON (same keys as the source, plus `source` records).
    Json,
    /// An indented tree of steps and their dependencies.
    Tree,
    /// A Graphviz digraph (dependency -> dependent; dashed: parent - child).
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

#[derive(clap::Args, Debug)]
struct ConvertArgs {
    /// The formula file to convert.
    file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    to: FormatName,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// A formula file format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatName {
    /// TOML (`.formula.toml`).
    Toml,
    /// JSON (`.formula.json`).
    Json,
    /// YAML (`.formula.yaml`).
    Yaml,
}

#[derive(clap::Args, Debug)]
struct FmtArgs {
    /// Files or directories to format (default: the current directory); `-` reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Write nothing: print the files that would change, with a diff, and exit 1 if any would.
    #[arg(long)]
    check: bool,
    /// Print the formatted text of the one file given instead of rewriting it.
    #[arg(long, conflicts_with = "check")]
    stdout: bool,
    /// With `-`: the file name standard input stands for (its extension picks the format).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ExplainArgs {
    /// A code (`GTC005`, `5`) or rule name (`duplicate-step-id`); omit to list every code.
    code: Option<String>,
}

/// What the process environment offers the CLI (injected, for tests).
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// The working directory (for `.beads/formulas`).
    pub cwd: PathBuf,
    /// The home directory (for `~/.beads/formulas`).
    pub home: Option<PathBuf>,
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// Whether `NO_COLOR` is set (non-empty).
    pub no_color: bool,
    /// Whether the process exits right after the command: then the database is not
    /// freed piece by piece (the OS reclaims it at once), which saves a few percent.
    pub exit_after: bool,
    /// `$BEADS_DIR` and `$GT_ROOT`, which move the search path.
    pub search: crate::source::SearchEnv,
}

impl Env {
    /// The real environment of this process.
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        Env {
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            exit_after: true,
            search: crate::source::SearchEnv::from_process(),
        }
    }
}

/// Run `gtc` with `args` (including the program name); returns the exit status.
pub fn run(args: Vec<OsString>, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = if env.stdout_is_terminal && !env.no_color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let _ = if code == 0 {
                out.write_all(text.as_bytes())
            } else {
                err.write_all(text.as_bytes())
            };
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args, env, out, err),
        Command::Cook(args) => cook::run(args, env, out, err),
        Command::Convert(args) => convert::run(args, env, out, err),
        Command::Fmt(args) => fmt::run(args, env, out, err),
        Command::Explain(args) => explain::run(args.code.as_deref(), out, err),
        Command::Lsp(args) => lsp::run(&args.args, err),
        Command::Schema => schema::run(out, err),
    }
}

/// Syntax errors of one file as the usual located diagnostics (human format, on `err`).
fn render_syntax_errors(
    path: &std::path::Path,
    text: &std::sync::Arc<str>,
    errors: &[crate::syntax::SyntaxError],
    env: &Env,
    err: &mut dyn Write,
) {
    use crate::diagnostic::{FileDiagnostic, Report, ReportFile, render_human};
    let index = crate::source::LineIndex::new(text);
    let diagnostics = errors
        .iter()
        .map(|e| {
            let d = crate::check::syntax_error(e);
            FileDiagnostic {
                path: path.to_path_buf(),
                start: index.line_col(text, d.span.start()),
                end: index.line_col(text, d.span.end()),
                diagnostic: d,
            }
        })
        .collect();
    let report = Report {
        related: Default::default(),
        files: vec![ReportFile {
            path: path.to_path_buf(),
            text: text.clone(),
            diagnostics,
        }],
    };
    let _ = render_human(&report, env.stdout_is_terminal && !env.no_color, err);
}

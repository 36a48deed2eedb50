//! Property tests of the whole pipeline (`check_sources`) on hostile input:
//!
//! - arbitrary bytes (lossy UTF-8) and a soup of each format's tokens never panic, and
//!   every diagnostic lies inside the text with a valid 1-based line:column;
//! - formulas of `../shared/corpus` (skipped cleanly when absent) and the JSON/YAML seeds of
//!   `fuzz/seeds/`, mutated by byte and line edits, never panic;
//! - checking the same input twice gives identical diagnostics.
//!
//! Case counts are CI-sized (`PROPTEST_CASES` overrides them, as usual with proptest).

use gtc::diagnostic::{FileDiagnostic, Report};
use gtc::driver::check_sources;
use gtc::source::LineCol;
use gtc::syntax::Format;
use gtc_e2e::corpus_dir;
use proptest::prelude::*;
use proptest::sample::Index;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FORMATS: [Format; 3] = [Format::Toml, Format::Json, Format::Yaml];

fn path_for(format: Format) -> &'static str {
    match format {
        Format::Toml => "prop.formula.toml",
        Format::Json => "prop.formula.json",
        Format::Yaml => "prop.formula.yaml",
    }
}

/// Line count and each line's length in characters (a line ends at `\n`).
fn line_lengths(text: &str) -> Vec<u32> {
    text.split('\n').map(|l| l.chars().count() as u32).collect()
}

fn valid_position(pos: LineCol, lines: &[u32]) -> bool {
    pos.line >= 1
        && (pos.line as usize) <= lines.len()
        && pos.column >= 1
        && pos.column <= lines[pos.line as usize - 1] + 1
}

/// Checks `text` as one file in `format` and asserts every diagnostic's range is inside it.
fn check_valid(text: &str, format: Format) -> Result<Report, TestCaseError> {
    check_valid_at(path_for(format), text)
}

/// Checks `text` as the file `path` (whose name fixes the format) and asserts every
/// diagnostic's range is inside it, with a valid 1-based line:column.
fn check_valid_at(path: &str, text: &str) -> Result<Report, TestCaseError> {
    let report = check_sources(&[(path, text)]);
    prop_assert_eq!(report.files.len(), 1);
    let lines = line_lengths(text);
    for d in report.diagnostics() {
        let span = d.diagnostic.span;
        prop_assert!(
            span.start <= span.end && span.end() <= text.len(),
            "{} {:?} outside a text of {} bytes",
            d.diagnostic.code,
            span,
            text.len()
        );
        for label in &d.diagnostic.labels {
            prop_assert!(
                label.span.start <= label.span.end && label.span.end() <= text.len(),
                "{} label {:?} outside a text of {} bytes",
                d.diagnostic.code,
                label.span,
                text.len()
            );
        }
        prop_assert!(
            valid_position(d.start, &lines) && valid_position(d.end, &lines),
            "{} at {:?}-{:?}: not a position of the text",
            d.diagnostic.code,
            d.start,
            d.end
        );
        prop_assert!(
            d.start <= d.end,
            "{} ends before it starts",
            d.diagnostic.code
        );
    }
    Ok(report)
}

fn diagnostics(report: &Report) -> Vec<FileDiagnostic> {
    report.diagnostics().cloned().collect()
}

/// Tokens of all three formats and of the formula schema, to build inputs that get past
/// the lexers more often than random bytes do.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "(",
    ")",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "=",
    ":",
    ",",
    ".",
    "-",
    "- ",
    "#",
    "//",
    "/*",
    "*/",
    "\n",
    "\n  ",
    "  ",
    " ",
    "\t",
    "\r\n",
    "\\",
    "\\u00e9",
    "&a ",
    "*a",
    "!!str ",
    "|",
    ">-",
    "---",
    "...",
    "%YAML 1.2",
    "?",
    "~",
    "null",
    "true",
    "1",
    "-0",
    "1e400",
    "0x1F",
    "1979-05-27T07:32:00Z",
    "é",
    "\u{FEFF}",
    "formula",
    "version",
    "type",
    "vars",
    "steps",
    "id",
    "title",
    "description",
    "needs",
    "depends_on",
    "extends",
    "compose",
    "expand",
    "map",
    "with",
    "select",
    "advice",
    "target",
    "aspects",
    "loop",
    "range",
    "body",
    "condition",
    "gate",
    "waits_for",
    "on_complete",
    "bond",
    "default",
    "required",
    "enum",
    "pattern",
    "priority",
    "{{x}}",
    "{{#each x}}",
    "{{/each}}",
    "{target.id}",
    "1..2^{n}",
    "children-of(a)",
    "step.status == 'complete'",
    "*.x",
    "[^a-",
    "a",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|t| t.concat())
}

fn format_strategy() -> impl Strategy<Value = Format> {
    prop::sample::select(FORMATS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes, made UTF-8 lossily, in every format.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        for format in FORMATS {
            check_valid(&text, format)?;
        }
    }

    /// Arbitrary strings of any characters, in every format.
    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        for format in FORMATS {
            check_valid(&text, format)?;
        }
    }

    /// Format tokens glued at random: deeper into the parsers and the checks.
    #[test]
    fn token_soup_never_panics(text in token_soup(), format in format_strategy()) {
        check_valid(&text, format)?;
    }

    /// The same input checked twice gives identical diagnostics.
    #[test]
    fn checking_is_deterministic(text in token_soup(), format in format_strategy()) {
        let a = check_valid(&text, format)?;
        let b = check_valid(&text, format)?;
        prop_assert_eq!(diagnostics(&a), diagnostics(&b));
    }
}

// ---------------------------------------------------------------------------------------
// Mutated formulas

/// A formula to mutate: its file name (which fixes the format) and its bytes.
struct Sample {
    name: String,
    text: Vec<u8>,
}

fn formula_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            formula_files(&path, out);
        } else if Format::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

/// The corpus formulas (when `../shared/corpus` exists) and the fuzz seeds of `fuzz/seeds/`
/// (JSON and YAML versions of some of them), sorted by path.
fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut paths = Vec::new();
        if let Some(corpus) = corpus_dir() {
            formula_files(&corpus, &mut paths);
        }
        let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
        formula_files(&seeds, &mut paths);
        paths.sort();
        paths
            .into_iter()
            .filter_map(|path| {
                let name = path.file_name()?.to_string_lossy().into_owned();
                let text = std::fs::read(&path).ok()?;
                // Keep the cases fast: the few generated giants add nothing here.
                (text.len() <= 64 << 10).then_some(Sample { name, text })
            })
            .collect()
    })
}

/// One edit of a formula's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteByte(Index),
    InsertByte(Index, u8),
    ReplaceByte(Index, u8),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Cut the text short.
    Truncate(Index),
}

/// Bytes that matter to the formats (quotes, brackets, separators, indentation, escapes)
/// more often than other bytes.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"[]{}()\"'=:,.-#*&!|>\\ \t\n{}%?~0aZ".to_vec()),
        1 => any::<u8>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteByte),
        (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
        (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::ReplaceByte(i, b)),
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// Split into lines, each keeping its `\n`.
fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::DeleteByte(i) if !bytes.is_empty() => {
            bytes.remove(i.index(bytes.len()));
        }
        Mutation::InsertByte(i, b) => {
            let at = i.index(bytes.len() + 1);
            bytes.insert(at, *b);
        }
        Mutation::ReplaceByte(i, b) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) | Mutation::SwapLines(i, _)
            if !bytes.is_empty() =>
        {
            let mut lines = lines_of(bytes);
            let a = i.index(lines.len());
            match m {
                Mutation::DeleteLine(_) => {
                    lines.remove(a);
                }
                Mutation::DuplicateLine(_) => {
                    let line = lines[a].clone();
                    lines.insert(a, line);
                }
                Mutation::SwapLines(_, j) => {
                    let b = j.index(lines.len());
                    lines.swap(a, b);
                }
                _ => {}
            }
            *bytes = lines.concat();
        }
        Mutation::Truncate(i) => {
            let at = i.index(bytes.len() + 1);
            bytes.truncate(at);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Real formulas with 1-8 random edits never panic, and give valid ranges.
    #[test]
    fn mutated_formulas_never_panic(
        pick in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let samples = samples();
        if samples.is_empty() {
            // Neither ../shared/corpus nor fuzz/seeds: nothing to mutate.
            return Ok(());
        }
        let sample = &samples[pick.index(samples.len())];
        let mut bytes = sample.text.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes);
        check_valid_at(&sample.name, &text)?;
    }

    /// A mutated formula checked twice gives identical diagnostics.
    #[test]
    fn mutated_formulas_check_deterministically(
        pick in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        let samples = samples();
        if samples.is_empty() {
            return Ok(());
        }
        let sample = &samples[pick.index(samples.len())];
        let mut bytes = sample.text.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes);
        let a = check_sources(&[(sample.name.as_str(), &text)]);
        let b = check_sources(&[(sample.name.as_str(), &text)]);
        prop_assert_eq!(diagnostics(&a), diagnostics(&b));
    }
}

/// The unmutated samples check without panicking: the baseline for the mutations above.
#[test]
fn samples_check_as_they_are() {
    let samples = samples();
    if corpus_dir().is_none() {
        eprintln!(
            "../shared/corpus is absent: mutating only fuzz/seeds ({} files)",
            samples.len()
        );
    }
    for s in samples {
        let text = String::from_utf8_lossy(&s.text);
        let report = check_sources(&[(s.name.as_str(), &text)]);
        assert_eq!(report.files.len(), 1, "{}", s.name);
    }
}

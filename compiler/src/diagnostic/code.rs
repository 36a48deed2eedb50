//! The stable diagnostic codes. Each code's documentation lives in
//! `docs/diagnostics/<CODE>.md`, is printed by `gtc explain CODE`, and is
//! collected into `docs/diagnostics.md`.

use super::Severity;
use std::fmt;

macro_rules! codes {
    ($( $variant:ident = $num:literal, $name:literal, $sev:ident, $summary:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        /// Every code, in numeric order.
        pub const ALL_CODES: &[Code] = &[$(Code::$variant,)*];

        impl Code {
            /// `GTC005`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => concat!("GTC", $num),)* }
            }

            /// The kebab-case rule name, e.g. `duplicate-step-id`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity the code is reported with.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One line saying what the code catches.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The full documentation (Markdown).
            pub fn doc(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("../../../docs/diagnostics/GTC", $num, ".md")),)*
                }
            }
        }
    };
}

codes! {
    Syntax = "001", "syntax-error", Error, "The file is not valid TOML, JSON or YAML.";
    UnknownKey = "002", "unknown-key", Warning, "A key that no formula engine reads.";
    WrongType = "003", "wrong-type", Error, "A value of the wrong type for its key.";
    MissingField = "004", "missing-field", Error, "A required field is missing (formula name, step id, step title ...).";
    DuplicateStepId = "005", "duplicate-step-id", Error, "Two steps share one id.";
    UnknownStep = "006", "unknown-step", Error, "A reference to a step id that does not exist.";
    DependencyCycle = "007", "dependency-cycle", Error, "Steps depend on each other in a cycle.";
    UnknownFormula = "008", "unknown-formula", Error, "A reference to a formula that cannot be found.";
    ExtendsCycle = "009", "extends-cycle", Error, "Formulas extend each other in a cycle.";
    UnmatchedSelector = "010", "unmatched-selector", Warning, "An advice target or map selector that matches no step.";
    UndeclaredVar = "011", "undeclared-var", Error, "A `{{var}}` used but not declared in `vars`.";
    UnusedVar = "012", "unused-var", Warning, "A var declared but never used.";
    RequiredWithDefault = "013", "required-with-default", Error, "A var that is both required and has a default.";
    DefaultNotInEnum = "014", "default-not-in-enum", Error, "A var default outside its `enum`.";
    InvalidPattern = "015", "invalid-pattern", Error, "A var `pattern` that is not a valid regular expression.";
    DefaultMismatchesPattern = "016", "default-mismatches-pattern", Error, "A var default that does not match its `pattern`.";
    InvalidCondition = "017", "invalid-condition", Error, "A malformed step, loop or gate condition.";
    InvalidRange = "018", "invalid-range", Error, "A malformed loop range expression.";
    InvalidLoop = "019", "invalid-loop", Error, "A loop without a body or bound, or with conflicting bounds.";
    PriorityOutOfRange = "020", "priority-out-of-range", Error, "A step priority outside 0-4.";
    InvalidFormulaType = "021", "invalid-formula-type", Error, "A formula `type` that is not workflow, expansion, aspect or convoy.";
    InvalidWaitsFor = "022", "invalid-waits-for", Error, "A `waits_for` value that is not a known form.";
    InvalidGate = "023", "invalid-gate", Warning, "A gate with an unknown type or a malformed field.";
    InvalidOnComplete = "024", "invalid-on-complete", Error, "An `on_complete` block that cannot work.";
    WrongFormulaKind = "025", "wrong-formula-kind", Error, "A formula used where another kind is needed.";
    InvalidGlob = "026", "invalid-glob", Error, "A malformed glob pattern in a pointcut, advice target or map selector.";
    InvalidVersion = "027", "invalid-version", Error, "A formula `version` below 1.";
    InvalidVarName = "028", "invalid-var-name", Error, "A var name that `{{...}}` can never reference.";
    ConflictingFields = "029", "conflicting-fields", Error, "Two fields that cannot be set together.";
    InvalidPlaceholder = "030", "invalid-placeholder", Warning, "A `{placeholder}` that nothing will fill in this context.";
    CookFailed = "031", "cook-failed", Error, "A formula that checks but whose composition cannot be applied.";
    MissingVarValue = "032", "missing-var-value", Error, "Runtime mode: a var that needs a value has none.";
    InvalidVarValue = "033", "invalid-var-value", Error, "Runtime mode: a var value outside its enum, pattern or type.";
    DanglingDependency = "034", "dangling-dependency", Warning, "After composition, a step depends on a step that no longer exists.";
    KeyCase = "035", "key-case", Warning, "A key spelled in another case than its canonical form (read as the canonical key).";
    PoursNothing = "036", "pours-nothing", Warning, "A formula that cooks to no steps: pouring it would make an empty molecule.";
    NoEffect = "037", "no-effect", Warning, "A key whose value composition drops: it has no effect where it is written.";
    UnknownExpansionVar = "038", "unknown-expansion-var", Warning, "A var passed to another formula (`expand_vars`, a compose rule's `vars`, `on_complete.vars`) that the formula neither declares nor uses.";
}

impl Code {
    /// Whether the code reports that something is missing or unmatched, which a
    /// syntax error elsewhere in the file can cause; such codes are withheld then.
    pub fn asserts_absence(self) -> bool {
        matches!(
            self,
            Code::MissingField
                | Code::UnknownStep
                | Code::UndeclaredVar
                | Code::UnusedVar
                | Code::UnmatchedSelector
        )
    }

    /// Parse `GTC005`, `gtc005`, `5` or a rule name like `duplicate-step-id`.
    pub fn parse(s: &str) -> Option<Code> {
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        let digits = upper.strip_prefix("GTC").unwrap_or(&upper);
        if let Ok(n) = digits.parse::<u32>() {
            return ALL_CODES
                .iter()
                .copied()
                .find(|c| c.as_str()[3..].parse::<u32>().ok() == Some(n));
        }
        ALL_CODES
            .iter()
            .copied()
            .find(|c| c.name().eq_ignore_ascii_case(t))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_by_number_and_name() {
        assert_eq!(Code::parse("GTC005"), Some(Code::DuplicateStepId));
        assert_eq!(Code::parse("gtc5"), Some(Code::DuplicateStepId));
        assert_eq!(
            Code::parse("duplicate-step-id"),
            Some(Code::DuplicateStepId)
        );
        assert_eq!(Code::parse("GTC999"), None);
        assert_eq!(Code::parse("nonsense"), None);
    }

    #[test]
    fn every_code_has_a_doc_that_starts_with_its_heading() {
        for code in ALL_CODES {
            let doc = code.doc();
            assert!(
                doc.starts_with(&format!("# {} {}", code.as_str(), code.name())),
                "docs/diagnostics/{}.md must start with `# {} {}`",
                code.as_str(),
                code.as_str(),
                code.name()
            );
        }
    }
}

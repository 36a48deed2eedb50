//! Gates: issues (`<root>.gate-<step>`) that hold a step until their condition is met.

/// Whether the village itself decides a gate of `kind` (a timer, an external check, a
/// condition over the ledger), as opposed to waiting for a person (`human`) or a
/// message someone must send (`mail`).
pub fn machine_checked(kind: &str) -> bool {
    matches!(kind, "timer" | "gh:run" | "gh:pr" | "bead" | "condition")
}

//! The town's settings: `.beads/config.toml`, beside the ledger's `prefix`.
//!
//! ```toml
//! prefix = "ab"
//!
//! [village]                 # how the roles run (every key optional)
//! polecats = 4              # polecats per `gt run`
//! overseer = "overseer"     # who escalations are mailed to
//! heartbeat = "1s"          # an agent's heartbeat interval while it shows activity
//! stuck_after = "30s"       # no heartbeat and no progress for this long: stuck, nudged
//! kill_after = "30s"        # still stuck this long after the nudge: killed, replaced
//! patrol = "1s"             # witness and refinery patrol cycle
//! deacon_cycle = "2s"       # deacon patrol cycle (gates are evaluated each cycle)
//! max_attempts = 3          # failures of one step before it is escalated
//!
//! [roles.polecat]           # the agent adapter of each role (`gt run --agent` overrides polecats)
//! agent = "script"          # script | exec | claude
//!
//! [agents.script]           # the built-in agent: see `agent::script`
//! delay = "0s"
//! write = true
//! [agents.exec]
//! command = ["./agent.sh"]  # argv; the step arrives in GT_* variables and a prompt file
//! [agents.claude]
//! command = "claude"
//!
//! [rigs.app]                # a repository the polecats work on (default: the town's own)
//! path = "."                # relative to the town root
//! branch = "main"           # what the refinery merges into (default: the checked-out branch)
//! test = ["cargo", "test"]  # run on each rebased branch before it merges (argv)
//! ```
//!
//! Unknown keys are errors, located by line and column: a typo must not silently leave a
//! default in place.

use crate::error::{Error, Result};
use gtc::expr::duration::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    prefix: Option<String>,
    #[serde(default)]
    village: VillageFile,
    #[serde(default)]
    roles: BTreeMap<String, RoleFile>,
    #[serde(default)]
    agents: AgentsFile,
    #[serde(default)]
    rigs: BTreeMap<String, RigFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VillageFile {
    polecats: Option<u32>,
    overseer: Option<String>,
    heartbeat: Option<String>,
    stuck_after: Option<String>,
    kill_after: Option<String>,
    patrol: Option<String>,
    deacon_cycle: Option<String>,
    max_attempts: Option<u32>,
    gh_poll: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleFile {
    agent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentsFile {
    #[serde(default)]
    script: ScriptFile,
    exec: Option<ExecFile>,
    claude: Option<ClaudeFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptFile {
    delay: Option<String>,
    write: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecFile {
    command: Vec<String>,
    timeout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaudeFile {
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    timeout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RigFile {
    path: Option<PathBuf>,
    branch: Option<String>,
    #[serde(default)]
    test: Vec<String>,
    test_timeout: Option<String>,
    git: Option<bool>,
}

/// Timings and counts of the village.
#[derive(Clone, Debug, PartialEq)]
pub struct Village {
    pub polecats: u32,
    pub overseer: String,
    pub heartbeat: Duration,
    pub stuck_after: Duration,
    pub kill_after: Duration,
    pub patrol: Duration,
    pub deacon_cycle: Duration,
    pub max_attempts: u32,
    pub gh_poll: Duration,
}

impl Default for Village {
    fn default() -> Village {
        Village {
            polecats: 4,
            overseer: String::from("overseer"),
            heartbeat: Duration::from_secs(1),
            stuck_after: Duration::from_secs(30),
            kill_after: Duration::from_secs(30),
            patrol: Duration::from_secs(1),
            deacon_cycle: Duration::from_secs(2),
            max_attempts: 3,
            gh_poll: Duration::from_secs(30),
        }
    }
}

/// Which adapter runs an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdapterKind {
    Script,
    Exec,
    Claude,
}

impl AdapterKind {
    /// Parse `script`, `exec` or `claude`.
    pub fn parse(s: &str) -> Result<AdapterKind> {
        match s {
            "script" => Ok(AdapterKind::Script),
            "exec" => Ok(AdapterKind::Exec),
            "claude" => Ok(AdapterKind::Claude),
            _ => Err(Error::Invalid(format!(
                "unknown agent adapter `{s}`: one of script, exec, claude"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AdapterKind::Script => "script",
            AdapterKind::Exec => "exec",
            AdapterKind::Claude => "claude",
        }
    }
}

/// The built-in agent's defaults (a step's `metadata.script` overrides them).
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptConfig {
    /// How long each step takes.
    pub delay: Duration,
    /// Whether each step writes (and commits) a file in the worktree.
    pub write: bool,
}

/// The exec adapter: a command per step.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecConfig {
    pub command: Vec<String>,
    pub timeout: Duration,
}

/// The claude adapter: the Claude Code CLI in headless mode.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaudeConfig {
    pub command: String,
    pub args: Vec<String>,
    pub timeout: Duration,
}

/// A repository the polecats work on.
#[derive(Clone, Debug, PartialEq)]
pub struct Rig {
    pub name: String,
    /// The repository's working directory (absolute).
    pub path: PathBuf,
    /// The branch the refinery merges into (`None`: the one checked out at start).
    pub branch: Option<String>,
    /// The test command (argv; empty: none).
    pub test: Vec<String>,
    pub test_timeout: Duration,
    /// Whether work happens in git worktrees and lands through the merge queue.
    pub git: bool,
}

/// Everything the town's config says, with defaults filled in.
#[derive(Clone, Debug)]
pub struct TownConfig {
    pub village: Village,
    /// Adapter per role name (`polecat`, `witness`, `refinery`, `deacon`).
    pub roles: BTreeMap<String, AdapterKind>,
    pub script: ScriptConfig,
    pub exec: Option<ExecConfig>,
    pub claude: ClaudeConfig,
    /// The rigs by name (at least one).
    pub rigs: BTreeMap<String, Rig>,
}

const ROLES: &[&str] = &["polecat", "witness", "refinery", "deacon"];

impl TownConfig {
    /// Read `.beads/config.toml` of the town at `root` (`dir` is its `.beads/`).
    pub fn load(root: &Path, dir: &Path) -> Result<TownConfig> {
        let path = dir.join("config.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        TownConfig::parse(&text, root, &path)
    }

    /// Parse the text of `path`.
    pub fn parse(text: &str, root: &Path, path: &Path) -> Result<TownConfig> {
        let file: File =
            toml::from_str(text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        let bad = |key: &str, e: String| Error::Invalid(format!("{}: {key}: {e}", path.display()));
        let dur = |key: &str, v: &Option<String>, default: Duration| -> Result<Duration> {
            match v {
                None => Ok(default),
                Some(s) => duration(s).map_err(|e| bad(key, e)),
            }
        };
        let d = Village::default();
        let v = &file.village;
        let village = Village {
            polecats: match v.polecats {
                Some(0) => return Err(bad("village.polecats", String::from("must be at least 1"))),
                Some(n) => n,
                None => d.polecats,
            },
            overseer: v.overseer.clone().unwrap_or(d.overseer),
            heartbeat: dur("village.heartbeat", &v.heartbeat, d.heartbeat)?,
            stuck_after: dur("village.stuck_after", &v.stuck_after, d.stuck_after)?,
            kill_after: dur("village.kill_after", &v.kill_after, d.kill_after)?,
            patrol: dur("village.patrol", &v.patrol, d.patrol)?,
            deacon_cycle: dur("village.deacon_cycle", &v.deacon_cycle, d.deacon_cycle)?,
            max_attempts: match v.max_attempts {
                Some(0) => {
                    return Err(bad(
                        "village.max_attempts",
                        String::from("must be at least 1"),
                    ));
                }
                Some(n) => n,
                None => d.max_attempts,
            },
            gh_poll: dur("village.gh_poll", &v.gh_poll, d.gh_poll)?,
        };
        let mut roles = BTreeMap::new();
        for (name, r) in &file.roles {
            if !ROLES.contains(&name.as_str()) {
                return Err(bad(
                    &format!("roles.{name}"),
                    format!("unknown role: one of {}", ROLES.join(", ")),
                ));
            }
            if let Some(a) = &r.agent {
                roles.insert(
                    name.clone(),
                    AdapterKind::parse(a)
                        .map_err(|e| bad(&format!("roles.{name}.agent"), e.to_string()))?,
                );
            }
        }
        let s = &file.agents.script;
        let script = ScriptConfig {
            delay: dur("agents.script.delay", &s.delay, Duration::ZERO)?,
            write: s.write.unwrap_or(true),
        };
        let exec = match &file.agents.exec {
            None => None,
            Some(e) => {
                if e.command.is_empty() {
                    return Err(bad(
                        "agents.exec.command",
                        String::from(
                            "is empty: give the program and its arguments, e.g. [\"./agent.sh\"]",
                        ),
                    ));
                }
                Some(ExecConfig {
                    command: e.command.clone(),
                    timeout: dur("agents.exec.timeout", &e.timeout, Duration::from_secs(3600))?,
                })
            }
        };
        let c = file.agents.claude.unwrap_or_default();
        let claude = ClaudeConfig {
            command: c.command.unwrap_or_else(|| String::from("claude")),
            args: c.args,
            timeout: dur(
                "agents.claude.timeout",
                &c.timeout,
                Duration::from_secs(3600),
            )?,
        };
        let mut rigs = BTreeMap::new();
        for (name, r) in file.rigs {
            if !valid_rig_name(&name) {
                return Err(bad(
                    &format!("rigs.{name}"),
                    String::from("a rig name is letters, digits, `-` and `_`"),
                ));
            }
            let rel = r.path.unwrap_or_else(|| PathBuf::from("."));
            let rig = Rig {
                name: name.clone(),
                path: if rel.is_absolute() {
                    rel
                } else {
                    root.join(rel)
                },
                branch: r.branch,
                test: r.test,
                test_timeout: dur(
                    &format!("rigs.{name}.test_timeout"),
                    &r.test_timeout,
                    Duration::from_secs(600),
                )?,
                git: r.git.unwrap_or(true),
            };
            rigs.insert(name, rig);
        }
        if rigs.is_empty() {
            let rig = default_rig(root);
            rigs.insert(rig.name.clone(), rig);
        }
        Ok(TownConfig {
            village,
            roles,
            script,
            exec,
            claude,
            rigs,
        })
    }

    /// The adapter of `role` (script unless configured).
    pub fn adapter(&self, role: &str) -> AdapterKind {
        self.roles.get(role).copied().unwrap_or(AdapterKind::Script)
    }

    /// The rig named `name`, or the only one when `name` is `None`.
    pub fn rig(&self, name: Option<&str>) -> Result<&Rig> {
        match name {
            Some(n) => self.rigs.get(n).ok_or_else(|| {
                Error::Invalid(format!(
                    "no rig `{n}` in .beads/config.toml; rigs: {}",
                    self.rigs.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            }),
            None => {
                let mut it = self.rigs.values();
                match (it.next(), it.next()) {
                    (Some(r), None) => Ok(r),
                    _ => Err(Error::Invalid(format!(
                        "the town has several rigs ({}); name one with --rig",
                        self.rigs.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))),
                }
            }
        }
    }
}

/// A duration such as `500ms`, `2s`, `1m30s` (Go's syntax, as formulas use).
pub fn duration(s: &str) -> std::result::Result<Duration, String> {
    let nanos = parse_duration(s)
        .ok_or_else(|| format!("`{s}` is not a duration (e.g. 500ms, 2s, 1m30s)"))?;
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .map_err(|_| format!("`{s}` is negative or too long"))
}

fn valid_rig_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The rig of a town that names none: the town's own repository, named after its
/// directory.
fn default_rig(root: &Path) -> Rig {
    let base: String = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = if base.trim_matches('-').is_empty() {
        String::from("town")
    } else {
        base
    };
    Rig {
        name,
        path: root.to_path_buf(),
        branch: None,
        test: Vec::new(),
        test_timeout: Duration::from_secs(600),
        git: root.join(".git").exists(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TownConfig> {
        TownConfig::parse(text, Path::new("/town/demo"), Path::new("config.toml"))
    }

    #[test]
    fn defaults_need_nothing_but_the_prefix() {
        let c = parse("prefix = \"t\"\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.village, Village::default());
        assert_eq!(c.adapter("polecat"), AdapterKind::Script);
        let rig = c.rig(None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rig.name, "demo");
        assert_eq!(rig.path, Path::new("/town/demo"));
    }

    #[test]
    fn settings_are_read_and_paths_are_relative_to_the_town() {
        let c = parse(
            "prefix = \"t\"\n[village]\npolecats = 8\nheartbeat = \"250ms\"\n[roles.polecat]\nagent = \"claude\"\n[rigs.app]\npath = \"app\"\ntest = [\"make\", \"test\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.village.polecats, 8);
        assert_eq!(c.village.heartbeat, Duration::from_millis(250));
        assert_eq!(c.adapter("polecat"), AdapterKind::Claude);
        let rig = c.rig(Some("app")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rig.path, Path::new("/town/demo/app"));
        assert_eq!(rig.test, ["make", "test"]);
    }

    #[test]
    fn mistakes_are_errors_that_say_where() {
        let e = parse("prefix = \"t\"\n[village]\npolecat = 3\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("polecat") && e.contains("line 3"), "{e}");
        let e = parse("[village]\nheartbeat = \"soon\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("village.heartbeat") && e.contains("soon"), "{e}");
        let e = parse("[roles.polecat]\nagent = \"gpt\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown agent adapter `gpt`"), "{e}");
        assert!(parse("[village]\npolecats = 0\n").is_err());
        assert!(parse("[agents.exec]\ncommand = []\n").is_err());
        assert!(parse("[roles.mayor]\nagent = \"script\"\n").is_err());
    }
}

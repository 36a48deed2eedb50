//! Lifecycle messages: mail between the roles about an agent's life, each naming the
//! agent **and the generation** it is about. Subject: `LIFECYCLE <verb> <agent> g<N>`.
//!
//! | verb | from -> to | meaning |
//! | --- | --- | --- |
//! | `nudge` | witness -> agent | no heartbeat for a while: show a sign of life |
//! | `shutdown` | anyone -> agent | stop after the current step |
//! | `respawn` | anyone -> witness or deacon | kill this incarnation and start the next |
//! | `done` | polecat -> witness | its work is finished |
//!
//! A message about a generation older than the agent's current one is news about an
//! earlier incarnation: [`handle`] marks it read with the reason and acts on nothing.

use super::agents;
use crate::error::{Error, Result};
use crate::ledger::time::now;
use crate::ledger::{Issue, Tx};

/// The verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Nudge,
    Shutdown,
    Respawn,
    Done,
}

impl Verb {
    pub fn name(self) -> &'static str {
        match self {
            Verb::Nudge => "nudge",
            Verb::Shutdown => "shutdown",
            Verb::Respawn => "respawn",
            Verb::Done => "done",
        }
    }
}

/// One parsed lifecycle message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub verb: Verb,
    pub agent: String,
    pub generation: u64,
}

/// The subject prefix.
pub const SUBJECT: &str = "LIFECYCLE";

impl Lifecycle {
    /// The subject line.
    pub fn subject(&self) -> String {
        format!(
            "{SUBJECT} {} {} g{}",
            self.verb.name(),
            self.agent,
            self.generation
        )
    }

    /// Parse a subject; `None` when it is not a lifecycle message, an error when it
    /// starts like one but is malformed.
    pub fn parse(subject: &str) -> Result<Option<Lifecycle>> {
        let mut words = subject.split_whitespace();
        if words.next() != Some(SUBJECT) {
            return Ok(None);
        }
        let bad = || {
            Error::Invalid(format!(
                "malformed lifecycle message `{subject}`: expected `{SUBJECT} nudge|shutdown|respawn|done AGENT gN`"
            ))
        };
        let verb = match words.next() {
            Some("nudge") => Verb::Nudge,
            Some("shutdown") => Verb::Shutdown,
            Some("respawn") => Verb::Respawn,
            Some("done") => Verb::Done,
            _ => return Err(bad()),
        };
        let agent = words.next().ok_or_else(bad)?.to_owned();
        let generation = words
            .next()
            .and_then(|g| g.strip_prefix('g'))
            .and_then(|g| g.parse::<u64>().ok())
            .ok_or_else(bad)?;
        if words.next().is_some() {
            return Err(bad());
        }
        Ok(Some(Lifecycle {
            verb,
            agent,
            generation,
        }))
    }
}

/// Send `msg` to `to`, from the transaction's actor.
pub fn send(tx: &Tx, to: &str, msg: &Lifecycle, body: Option<&str>) -> Result<Issue> {
    let mut issue = crate::work::mail::send(tx, to, &msg.subject(), body)?;
    issue.labels.push(String::from("lifecycle"));
    // Protocol mail is local to this machine, like the agents it is about.
    issue.ephemeral = Some(true);
    tx.put(&issue)?;
    Ok(issue)
}

/// What to do with a received message.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// About the agent's current generation: act on it.
    Fresh(Lifecycle),
    /// About an earlier generation (the current one is given): ignored, marked read.
    Stale(Lifecycle, u64),
    /// Malformed, or about an unknown agent: marked read with the reason.
    Rejected(String),
    /// Not a lifecycle message: left unread for whoever reads the inbox.
    Other,
}

/// The unread lifecycle messages in `agent`'s inbox (other mail is left alone).
pub fn unread(tx: &Tx, agent: &str) -> Result<Vec<Issue>> {
    let mut msgs = crate::work::mail::inbox(tx, agent, false)?;
    msgs.retain(|m| m.title.starts_with(SUBJECT));
    Ok(msgs)
}

/// Judge message `msg` (an unread message): lifecycle messages are closed here, with
/// reason `read`, or `ignored: ...` for stale and malformed ones.
pub fn handle(tx: &Tx, msg: &Issue) -> Result<Received> {
    let parsed = match Lifecycle::parse(&msg.title) {
        Ok(None) => return Ok(Received::Other),
        Ok(Some(l)) => l,
        Err(e) => {
            close(tx, msg, &format!("ignored: {e}"))?;
            return Ok(Received::Rejected(e.to_string()));
        }
    };
    let Some(agent) = agents::get(tx, &parsed.agent)? else {
        let why = format!("ignored: no agent `{}`", parsed.agent);
        close(tx, msg, &why)?;
        return Ok(Received::Rejected(why));
    };
    let current = agent.state.generation;
    if parsed.generation < current {
        close(
            tx,
            msg,
            &format!(
                "ignored: about generation {} of {}, which is now generation {current}",
                parsed.generation, parsed.agent
            ),
        )?;
        return Ok(Received::Stale(parsed, current));
    }
    if parsed.generation > current {
        let why = format!(
            "ignored: {} has no generation {} yet (it is at {current})",
            parsed.agent, parsed.generation
        );
        close(tx, msg, &why)?;
        return Ok(Received::Rejected(why));
    }
    close(tx, msg, "read")?;
    Ok(Received::Fresh(parsed))
}

fn close(tx: &Tx, msg: &Issue, reason: &str) -> Result<()> {
    let mut m = msg.clone();
    let stamp = now();
    m.status = String::from("closed");
    m.closed_at = Some(stamp.clone());
    m.close_reason = Some(reason.to_owned());
    m.updated_at = stamp;
    tx.put(&m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip_and_malformed_ones_are_errors() {
        let l = Lifecycle {
            verb: Verb::Respawn,
            agent: String::from("app/polecat-2"),
            generation: 3,
        };
        assert_eq!(l.subject(), "LIFECYCLE respawn app/polecat-2 g3");
        assert_eq!(Lifecycle::parse(&l.subject()).ok().flatten(), Some(l));
        assert_eq!(Lifecycle::parse("hello").ok().flatten(), None);
        assert!(Lifecycle::parse("LIFECYCLE respawn app/polecat-2").is_err());
        assert!(Lifecycle::parse("LIFECYCLE explode x g1").is_err());
        assert!(Lifecycle::parse("LIFECYCLE nudge x g1 extra").is_err());
        assert!(Lifecycle::parse("LIFECYCLE nudge x 1").is_err());
    }
}

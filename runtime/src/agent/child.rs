//! Running an adapter's program for one step: in its own process group (so it and what
//! it starts die together), every line of output a sign of life, stopped when the role
//! asks, killed at its timeout.

use super::Watch;
use crate::error::{Error, Result};
use crate::town::process::ProcId;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How a run ended.
#[derive(Debug)]
pub struct Finished {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Every line of standard output, in order.
    pub stdout: Vec<String>,
    /// The last lines of standard error.
    pub stderr_tail: Vec<String>,
    /// Why it was ended early, if it was (stopped, timed out).
    pub ended: Option<String>,
}

const TAIL: usize = 20;

/// Run `cmd` (its program, arguments, directory and environment already set), with
/// `input` on its standard input, until it exits, `watch` says stop, or `timeout`
/// passes.
pub fn run(
    mut cmd: Command,
    input: Option<&str>,
    watch: &Watch,
    timeout: Duration,
) -> Result<Finished> {
    use std::os::unix::process::CommandExt;
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.process_group(0)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| {
        Error::Invalid(format!(
            "cannot start `{program}`: {e}{}",
            if e.kind() == std::io::ErrorKind::NotFound {
                " (is it installed and on PATH?)"
            } else {
                ""
            }
        ))
    })?;
    let id = ProcId::of(child.id()).map_err(|e| Error::io("/proc", e))?;
    watch.set_child(id);
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        // A program that exits without reading its input is not an error of ours.
        let _ = stdin.write_all(text.as_bytes());
    }
    let (tx, rx) = mpsc::channel::<(bool, String)>();
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send((true, line)).is_err() {
                    break;
                }
            }
        }));
    }
    if let Some(err) = child.stderr.take() {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if tx.send((false, line)).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let mut stdout = Vec::new();
    let mut stderr_tail: Vec<String> = Vec::new();
    let mut ended = None;
    let kill = |child: &mut std::process::Child| {
        if let Some(id) = id {
            let _ = id.kill_group();
        }
        let _ = child.kill();
    };
    let status = loop {
        while let Ok((is_out, line)) = rx.try_recv() {
            watch.beat();
            if is_out {
                stdout.push(line);
            } else {
                stderr_tail.push(line);
                if stderr_tail.len() > TAIL {
                    stderr_tail.remove(0);
                }
            }
        }
        if let Some(status) = child.try_wait().map_err(|e| Error::io(&program, e))? {
            break status;
        }
        if ended.is_none() && watch.stopping() {
            ended = Some(String::from("stopped"));
            kill(&mut child);
        } else if ended.is_none() && Instant::now() >= deadline {
            ended = Some(format!("timed out after {}s", timeout.as_secs()));
            kill(&mut child);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // The output that arrived after the last poll; the readers end with the pipes.
    for r in readers {
        if r.join().is_err() {
            return Err(Error::Invalid(format!(
                "reading the output of `{program}` failed"
            )));
        }
    }
    for (is_out, line) in rx.try_iter() {
        watch.beat();
        if is_out {
            stdout.push(line);
        } else {
            stderr_tail.push(line);
        }
    }
    let keep = stderr_tail.len().saturating_sub(TAIL);
    stderr_tail.drain(..keep);
    if let Some(id) = id {
        // Whatever the program left running in its group goes with it.
        let _ = id.kill_group();
    }
    watch.set_child(None);
    Ok(Finished {
        code: status.code(),
        stdout,
        stderr_tail,
        ended,
    })
}

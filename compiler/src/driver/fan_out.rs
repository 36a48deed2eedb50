//! Running one job per file on every core, with results in file order, and a panic in
//! any job re-raised on the caller's thread with the file it happened on.

use crate::db::{Database, SourceFile};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The payload a job's panic is re-raised with: the file it was working on and the
/// panic's message. `gtc check` turns it into exit status 2 naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerPanic {
    /// The file whose job panicked.
    pub path: PathBuf,
    /// The panic message (or a note that the payload was not text).
    pub message: String,
}

impl std::fmt::Display for WorkerPanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "internal error while checking {}: {}",
            self.path.display(),
            self.message
        )
    }
}

/// Run `job` on every file on as many threads as there are cores, results in file order.
///
/// A salsa database handle is `Send` but not `Sync`, so each worker thread gets its
/// own clone (sharing the storage). Workers take the next file from a shared counter,
/// biggest files first, so one large file does not leave the other cores idle at the
/// end; results are put back in file order. If a job panics, the other workers stop
/// taking files and the panic is re-raised here as a [`WorkerPanic`] (the first file's,
/// in file order, if several panicked).
pub(super) fn fan_out<T: Send>(
    db: &Database,
    files: &[SourceFile],
    job: impl Fn(&Database, SourceFile) -> T + Sync,
) -> Vec<T> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    fan_out_on(workers, db, files, job)
}

fn fan_out_on<T: Send>(
    workers: usize,
    db: &Database,
    files: &[SourceFile],
    job: impl Fn(&Database, SourceFile) -> T + Sync,
) -> Vec<T> {
    let workers = workers.min(files.len()).max(1);
    let guarded = |db: &Database, i: usize| -> Result<T, WorkerPanic> {
        catch_unwind(AssertUnwindSafe(|| job(db, files[i]))).map_err(|payload| WorkerPanic {
            path: files[i].path(db).clone(),
            message: panic_text(payload.as_ref()),
        })
    };
    if workers == 1 {
        return (0..files.len())
            .map(|i| guarded(db, i).unwrap_or_else(|p| resume_unwind(Box::new(p))))
            .collect();
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].text(db).len()));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let handles: Vec<Database> = (0..workers).map(|_| db.clone()).collect();
    let (guarded, order, next, stop) = (&guarded, &order, &next, &stop);
    let mut results: Vec<(usize, T)> = Vec::with_capacity(files.len());
    let mut panics: Vec<(usize, WorkerPanic)> = Vec::new();
    std::thread::scope(|scope| {
        let joins: Vec<_> = handles
            .into_iter()
            .map(|db| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break };
                        let r = guarded(&db, i);
                        if r.is_err() {
                            stop.store(true, Ordering::Relaxed);
                        }
                        done.push((i, r));
                    }
                    done
                })
            })
            .collect();
        for j in joins {
            // The jobs' panics are caught above; anything else is re-raised as is.
            let done = j.join().unwrap_or_else(|payload| resume_unwind(payload));
            for (i, r) in done {
                match r {
                    Ok(t) => results.push((i, t)),
                    Err(p) => panics.push((i, p)),
                }
            }
        }
    });
    if let Some((_, first)) = panics.into_iter().min_by_key(|(i, _)| *i) {
        resume_unwind(Box::new(first));
    }
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, t)| t).collect()
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(p) = payload.downcast_ref::<WorkerPanic>() {
        p.to_string()
    } else {
        String::from("a panic without a message")
    }
}

/// Debug builds only: panic while checking a file whose path ends with the value of
/// `GTC_DEBUG_PANIC_ON`, so tests can prove a crash is never a silent pass (`gtc check`'s
/// workers, and the language server's diagnostics). Release builds do not contain this
/// hook.
#[cfg(debug_assertions)]
pub fn debug_panic_hook(path: &std::path::Path) {
    if let Some(target) = std::env::var_os("GTC_DEBUG_PANIC_ON")
        && !target.is_empty()
        && path.ends_with(std::path::Path::new(&target))
    {
        panic!(
            "GTC_DEBUG_PANIC_ON: forced panic while checking {}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Format;
    use std::sync::Arc;

    fn files(db: &Database, n: usize) -> Vec<SourceFile> {
        (0..n)
            .map(|i| {
                SourceFile::new(
                    db,
                    PathBuf::from(format!("f{i}.formula.toml")),
                    Arc::from("x".repeat(i + 1)),
                    Format::Toml,
                )
            })
            .collect()
    }

    #[test]
    fn results_come_back_in_file_order_on_any_number_of_workers() {
        let db = Database::default();
        let fs = files(&db, 9);
        for workers in [1, 2, 4, 16] {
            let out = fan_out_on(workers, &db, &fs, |db, f| f.text(db).len());
            assert_eq!(out, (1..=9).collect::<Vec<_>>(), "{workers} workers");
        }
    }

    #[test]
    fn a_panicking_job_is_re_raised_naming_its_file() {
        let db = Database::default();
        let fs = files(&db, 9);
        for workers in [1, 3, 16] {
            let caught = catch_unwind(AssertUnwindSafe(|| {
                fan_out_on(workers, &db, &fs, |db, f| {
                    let n = f.text(db).len();
                    // Two files panic: the first in file order is reported.
                    if n == 4 || n == 7 {
                        panic!("boom on {n}");
                    }
                    n
                })
            }));
            let payload = caught.expect_err("the panic is re-raised");
            let p = payload
                .downcast_ref::<WorkerPanic>()
                .unwrap_or_else(|| panic!("payload is a WorkerPanic ({workers} workers)"));
            if workers == 1 {
                assert_eq!(p.path, PathBuf::from("f3.formula.toml"));
            } else {
                assert!(
                    [
                        PathBuf::from("f3.formula.toml"),
                        PathBuf::from("f6.formula.toml")
                    ]
                    .contains(&p.path),
                    "{p:?}"
                );
            }
            assert!(p.message.starts_with("boom on"), "{p:?}");
            assert!(p.to_string().starts_with("internal error while checking f"));
        }
    }
}

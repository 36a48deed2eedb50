//! Thin wrappers over `gix` for what the ledger sync needs: open/init, read
//! blobs at HEAD or any commit, commit a few paths without touching the rest,
//! fetch, merge-base, move a branch with compare-and-swap, and push.
//!
//! # Committing only some paths
//!
//! [`Repo::commit_files`] starts from HEAD's tree and replaces or inserts the
//! given blobs with gix's tree editor; every other path stays as in HEAD, so
//! whatever else the user has staged or modified is neither committed nor
//! lost. The git index entries of the committed paths are updated (object id,
//! mode and stat from the file on disk), so `git status` shows those paths as
//! clean; other index entries are untouched. The index's cached-tree extension
//! is dropped (gix does not update it yet; git rebuilds it on the next
//! `git commit`).
//!
//! # Push
//!
//! gix has no push (tracked upstream in GitoxideLabs/gitoxide#306, "client
//! push to remote", still open). [`Repo::push`] therefore runs the system
//! `git push --porcelain <remote> <commit>:<ref>`: it works for every
//! transport git knows (local paths, `file://`, ssh, https with the user's
//! credential helpers), the receiving side updates the ref under its lock and
//! rejects a non-fast-forward, which is exactly the compare-and-swap the sync
//! needs. A rejection is returned as [`PushOutcome::Rejected`] so that the
//! caller can fetch, merge and retry. Fetching over a local path or `file://`
//! with gix also spawns `git-upload-pack`, so the system `git` is required for
//! any sync with a remote either way; a repository without a remote never runs
//! it. For the same reason, and to keep memory bounded, fetching runs the system
//! `git fetch` ([`Repo::fetch_branch`]: gix holds a blob whole while it indexes a
//! pack) and a large ledger blob is read through `git cat-file`
//! ([`Repo::blob_reader`]); writing blobs stays in gix, streamed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use gix::ObjectId;
use gix::bstr::{BStr, BString, ByteSlice};
use gix::objs::tree::{EntryKind, EntryMode};
use gix::refs::transaction::PreviousValue;

mod remote;

/// Blobs up to this size are read whole through gix; larger ones are streamed.
const SMALL_BLOB: u64 = 8 << 20;

/// What to commit at a path: bytes in memory, or a file read as a stream.
#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// A blob read through `git cat-file`; a failure of `git` is an error at the end of
/// the stream, never a silently short blob.
pub struct BlobReader {
    id: ObjectId,
    child: Option<std::process::Child>,
    out: std::io::BufReader<std::process::ChildStdout>,
}

impl std::io::Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.out.read(buf)?;
        if n == 0 {
            self.check()?;
        }
        Ok(n)
    }
}

impl std::io::BufRead for BlobReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.out.fill_buf()?.is_empty() {
            self.check()?;
        }
        self.out.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.out.consume(n);
    }
}

impl BlobReader {
    /// At the end of the output: `git` must have succeeded.
    fn check(&mut self) -> std::io::Result<()> {
        let Some(child) = self.child.take() else {
            return Ok(());
        };
        let out = child.wait_with_output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "`git cat-file blob {}` failed: {}",
                self.id,
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }
}

/// Fallback identity when git config has no `user.name`/`user.email`.
pub const FALLBACK_NAME: &str = "gt";
/// Fallback identity when git config has no `user.name`/`user.email`.
pub const FALLBACK_EMAIL: &str = "gt@localhost";

/// A failed git operation: what was attempted and why it failed.
#[derive(Debug)]
pub struct RepoError {
    /// What was attempted, e.g. "fetch from origin".
    pub op: String,
    /// The underlying error message.
    pub detail: String,
}

impl RepoError {
    pub(crate) fn new(op: impl Into<String>, detail: impl fmt::Display) -> Self {
        RepoError {
            op: op.into(),
            detail: detail.to_string(),
        }
    }
}

impl fmt::Display for RepoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "git: could not {}: {}", self.op, self.detail)
    }
}

impl std::error::Error for RepoError {}

/// Attach what was attempted to any error.
trait Ctx<T> {
    fn ctx(self, op: impl FnOnce() -> String) -> Result<T, RepoError>;
}

impl<T, E: fmt::Display> Ctx<T> for Result<T, E> {
    fn ctx(self, op: impl FnOnce() -> String) -> Result<T, RepoError> {
        self.map_err(|e| RepoError::new(op(), e))
    }
}

/// One blob entry of a tree, flattened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileEntry {
    pub mode: EntryMode,
    pub id: ObjectId,
}

/// Result of [`Repo::push`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// The remote ref now points at the pushed commit (or already did).
    Pushed,
    /// The remote refused because its ref moved (non-fast-forward, or the ref
    /// was locked by a concurrent push): fetch, merge and try again.
    Rejected(String),
}

/// A repository with a work tree.
pub struct Repo {
    repo: gix::Repository,
    workdir: PathBuf,
}

impl fmt::Debug for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repo")
            .field("workdir", &self.workdir)
            .finish()
    }
}

impl Repo {
    /// Open the repository enclosing `dir`, or create one in `dir`.
    pub fn init_or_open(dir: &Path) -> Result<Repo, RepoError> {
        let repo = match gix::discover(dir) {
            Ok(repo) => repo,
            Err(_) => {
                gix::init(dir).ctx(|| format!("create a git repository in {}", dir.display()))?
            }
        };
        Self::wrap(repo)
    }

    /// Open the repository enclosing `dir`; fails if there is none.
    pub fn open(dir: &Path) -> Result<Repo, RepoError> {
        let repo = gix::discover(dir)
            .ctx(|| format!("find a git repository at or above {}", dir.display()))?;
        Self::wrap(repo)
    }

    fn wrap(mut repo: gix::Repository) -> Result<Repo, RepoError> {
        let workdir = repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
            RepoError::new(
                "use the repository",
                "it is bare; the ledger needs a work tree",
            )
        })?;
        if repo.committer().is_none() || repo.author().is_none() {
            let mut config = repo.config_snapshot_mut();
            if config.string("user.name").is_none() {
                config
                    .set_value(&gix::config::tree::User::NAME, FALLBACK_NAME)
                    .ctx(|| "set a fallback user.name".into())?;
            }
            if config.string("user.email").is_none() {
                config
                    .set_value(&gix::config::tree::User::EMAIL, FALLBACK_EMAIL)
                    .ctx(|| "set a fallback user.email".into())?;
            }
            config
                .commit()
                .ctx(|| "apply the fallback identity".into())?;
        }
        Ok(Repo { repo, workdir })
    }

    /// The work tree root.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The underlying gix repository, for anything not wrapped here.
    pub fn gix(&self) -> &gix::Repository {
        &self.repo
    }

    /// The commit HEAD points to, `None` on an unborn branch.
    pub fn head_id(&self) -> Result<Option<ObjectId>, RepoError> {
        let head = self.repo.head().ctx(|| "read HEAD".into())?;
        Ok(head.id().map(|id| id.detach()))
    }

    /// The full name of the branch HEAD points to (`refs/heads/main`), also
    /// when unborn; `None` when HEAD is detached.
    pub fn head_branch(&self) -> Result<Option<String>, RepoError> {
        let name = self.repo.head_name().ctx(|| "read HEAD".into())?;
        Ok(name.map(|n| n.as_bstr().to_string()))
    }

    /// `path` (relative to the work tree) as committed at HEAD.
    pub fn read_head_file(&self, path: &Path) -> Result<Option<String>, RepoError> {
        match self.head_id()? {
            Some(head) => self.read_file_at(head, path),
            None => Ok(None),
        }
    }

    /// `path` (relative to the work tree) as committed in `commit`; `None` if absent.
    pub fn read_file_at(&self, commit: ObjectId, path: &Path) -> Result<Option<String>, RepoError> {
        let rel = rel_path(path)?;
        let Some(entry) = self.file_entry_at(commit, &rel)? else {
            return Ok(None);
        };
        let blob = self
            .repo
            .find_blob(entry.id)
            .ctx(|| format!("read {rel} at {commit}"))?;
        let text = String::from_utf8(blob.data.clone())
            .ctx(|| format!("read {rel} at {commit} as UTF-8"))?;
        Ok(Some(text))
    }

    fn tree_of(&self, commit: ObjectId) -> Result<ObjectId, RepoError> {
        let c = self
            .repo
            .find_commit(commit)
            .ctx(|| format!("find commit {commit}"))?;
        Ok(c.tree_id()
            .ctx(|| format!("read the tree of {commit}"))?
            .detach())
    }

    /// The blob entry at `rel` (slash-separated) in `commit`, if it is a file.
    pub fn file_entry_at(
        &self,
        commit: ObjectId,
        rel: &str,
    ) -> Result<Option<FileEntry>, RepoError> {
        let tree_id = self.tree_of(commit)?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .ctx(|| format!("find tree {tree_id}"))?;
        let entry = tree
            .lookup_entry_by_path(rel)
            .ctx(|| format!("look up {rel} in {commit}"))?;
        Ok(entry
            .filter(|e| e.mode().is_blob_or_symlink())
            .map(|e| FileEntry {
                mode: e.mode(),
                id: e.object_id(),
            }))
    }

    /// Every blob/symlink/submodule path of `commit`'s tree (`None`: empty tree).
    pub fn files_at(
        &self,
        commit: Option<ObjectId>,
    ) -> Result<BTreeMap<BString, FileEntry>, RepoError> {
        let Some(commit) = commit else {
            return Ok(BTreeMap::new());
        };
        let tree_id = self.tree_of(commit)?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .ctx(|| format!("find tree {tree_id}"))?;
        let mut rec = gix::traverse::tree::Recorder::default();
        tree.traverse()
            .breadthfirst(&mut rec)
            .ctx(|| format!("walk the tree of {commit}"))?;
        Ok(rec
            .records
            .into_iter()
            .filter(|e| !e.mode.is_tree())
            .map(|e| {
                (
                    e.filepath,
                    FileEntry {
                        mode: e.mode,
                        id: e.oid,
                    },
                )
            })
            .collect())
    }

    /// Commit only `files` (work-tree-relative path, content) on top of HEAD,
    /// keeping every other path as in HEAD. Returns `None` when the tree would
    /// not change (no commit is made). Works on an unborn branch. The index
    /// entries of those paths are updated to match (see the module docs).
    pub fn commit_files(
        &self,
        files: &[(&Path, Content<'_>)],
        message: &str,
    ) -> Result<Option<ObjectId>, RepoError> {
        let head = self.head_id()?;
        let base_tree = match head {
            Some(h) => self.tree_of(h)?,
            None => ObjectId::empty_tree(self.repo.object_hash()),
        };
        let mut edits = Vec::with_capacity(files.len());
        for (path, content) in files {
            let rel = rel_path(path)?;
            let blob = match content {
                Content::Bytes(bytes) => self
                    .repo
                    .write_blob(bytes)
                    .ctx(|| format!("write the blob of {rel}"))?
                    .detach(),
                Content::File(file) => self.write_blob_file(file)?,
            };
            edits.push((
                rel,
                Some(FileEntry {
                    mode: EntryKind::Blob.into(),
                    id: blob,
                }),
            ));
        }
        let tree = self.edit_tree(base_tree, &edits)?;
        if tree == base_tree && head.is_some() {
            self.update_index(&edits)?;
            return Ok(None);
        }
        let parents: Vec<ObjectId> = head.into_iter().collect();
        let id = self
            .repo
            .commit("HEAD", message, tree, parents)
            .ctx(|| "commit to HEAD".into())?
            .detach();
        self.update_index(&edits)?;
        Ok(Some(id))
    }

    /// Write the file at `path` as a blob, streamed (memory does not grow with its size).
    pub fn write_blob_file(&self, path: &Path) -> Result<ObjectId, RepoError> {
        use gix::objs::Write as _;
        let op = || format!("write the blob of {}", path.display());
        let file = std::fs::File::open(path).ctx(op)?;
        let size = file.metadata().ctx(op)?.len();
        let mut input = std::io::BufReader::with_capacity(1 << 16, file);
        self.repo
            .objects
            .write_stream(gix::objs::Kind::Blob, size, &mut input)
            .ctx(op)
    }

    /// The size of blob `id` in bytes.
    pub fn blob_size(&self, id: ObjectId) -> Result<u64, RepoError> {
        Ok(self
            .repo
            .find_header(id)
            .ctx(|| format!("read the header of {id}"))?
            .size())
    }

    /// Blob `id`, streamed: through the system `git cat-file` (gix reads an object
    /// whole), so reading a ledger of any size takes little memory. Needs `git`, which
    /// every sync with a remote needs anyway (see the module docs).
    pub fn blob_reader(&self, id: ObjectId) -> Result<BlobReader, RepoError> {
        let op = || format!("read blob {id} with `git cat-file`");
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.workdir)
            .args(["cat-file", "blob", &id.to_string()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .ctx(op)?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| RepoError::new(op(), "no output pipe"))?;
        Ok(BlobReader {
            id,
            child: Some(child),
            out: std::io::BufReader::with_capacity(1 << 16, stdout),
        })
    }

    /// Write blob `id` to the work tree file `rel` (atomically, streamed when large)
    /// and set its index entry.
    pub fn install_blob(&self, rel: &str, entry: FileEntry) -> Result<(), RepoError> {
        let path = self.workdir.join(rel);
        let op = || format!("write {}", path.display());
        if self.blob_size(entry.id)? <= SMALL_BLOB {
            return self.checkout_files(&[(rel.to_string(), Some(entry))]);
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).ctx(op)?;
        }
        let mut reader = self.blob_reader(entry.id)?;
        gtc::source::write_atomic_with(&path, |out| std::io::copy(&mut reader, out)).ctx(op)?;
        self.update_index(&[(rel.to_string(), Some(entry))])
    }

    /// Move the file `from` (a finished temporary file of the same file system) to the
    /// work tree file `rel`, whose blob is `entry`, and set its index entry.
    pub fn install_file(&self, rel: &str, from: &Path, entry: FileEntry) -> Result<(), RepoError> {
        let path = self.workdir.join(rel);
        std::fs::rename(from, &path)
            .ctx(|| format!("move {} to {}", from.display(), path.display()))?;
        self.update_index(&[(rel.to_string(), Some(entry))])
    }

    /// The `.git` directory (for temporary files of the same file system).
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// Write a tree: `base_tree` with `edits` applied (`None` removes the path).
    pub fn edit_tree(
        &self,
        base_tree: ObjectId,
        edits: &[(String, Option<FileEntry>)],
    ) -> Result<ObjectId, RepoError> {
        let mut editor = self
            .repo
            .edit_tree(base_tree)
            .ctx(|| format!("edit tree {base_tree}"))?;
        for (rel, entry) in edits {
            match entry {
                Some(e) => {
                    editor
                        .upsert(rel.as_str(), e.mode.kind(), e.id)
                        .ctx(|| format!("put {rel} into the tree"))?;
                }
                None => {
                    editor
                        .remove(rel.as_str())
                        .ctx(|| format!("remove {rel} from the tree"))?;
                }
            }
        }
        Ok(editor.write().ctx(|| "write the tree".into())?.detach())
    }

    /// Make a commit with `parents` whose tree is `tree`, moving HEAD's branch
    /// from `parents[0]` to it (fails if the branch moved meanwhile).
    pub fn commit_tree(
        &self,
        tree: ObjectId,
        parents: &[ObjectId],
        message: &str,
    ) -> Result<ObjectId, RepoError> {
        Ok(self
            .repo
            .commit("HEAD", message, tree, parents.iter().copied())
            .ctx(|| "commit to HEAD".into())?
            .detach())
    }

    /// Move HEAD's branch from `from` (`None`: unborn) to `to` (a fast-forward).
    pub fn move_head(
        &self,
        from: Option<ObjectId>,
        to: ObjectId,
        log: &str,
    ) -> Result<(), RepoError> {
        let name = match self.head_branch()? {
            Some(n) => n,
            None => "HEAD".to_string(),
        };
        let expected = match from {
            Some(id) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(id)),
            None => PreviousValue::MustNotExist,
        };
        self.repo
            .reference(name.as_str(), to, expected, log)
            .ctx(|| format!("move {name} to {to}"))?;
        Ok(())
    }

    /// Write `content` of the given blobs into the work tree and the index
    /// (`None` deletes the file).
    pub fn checkout_files(&self, files: &[(String, Option<FileEntry>)]) -> Result<(), RepoError> {
        for (rel, entry) in files {
            let path = self.workdir.join(rel);
            match entry {
                Some(e) => {
                    if !e.mode.is_blob() {
                        return Err(RepoError::new(
                            format!("check out {rel}"),
                            "only regular files are supported here; run `git pull` to integrate this change",
                        ));
                    }
                    let blob = self
                        .repo
                        .find_blob(e.id)
                        .ctx(|| format!("read blob {}", e.id))?;
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).ctx(|| format!("create {}", dir.display()))?;
                    }
                    std::fs::write(&path, &blob.data)
                        .ctx(|| format!("write {}", path.display()))?;
                    set_executable(&path, e.mode.is_executable())?;
                }
                None => match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(RepoError::new(format!("delete {}", path.display()), e)),
                },
            }
        }
        self.update_index(files)
    }

    /// Whether the work tree file at `rel` has exactly the content of `entry`
    /// (`None`: the file must be absent).
    pub fn workdir_matches(&self, rel: &str, entry: Option<&FileEntry>) -> Result<bool, RepoError> {
        let path = self.workdir.join(rel);
        let data = match std::fs::read(&path) {
            Ok(d) => Some(d),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(RepoError::new(format!("read {}", path.display()), e)),
        };
        Ok(match (data, entry) {
            (None, None) => true,
            (Some(d), Some(e)) => {
                let id =
                    gix::objs::compute_hash(self.repo.object_hash(), gix::objs::Kind::Blob, &d)
                        .ctx(|| format!("hash {}", path.display()))?;
                id == e.id
            }
            _ => false,
        })
    }

    /// Set the index entries of `files` to the given blobs (stat from disk),
    /// removing entries for `None`.
    fn update_index(&self, files: &[(String, Option<FileEntry>)]) -> Result<(), RepoError> {
        let op = || "update the git index".to_string();
        let mut index = if self.repo.index_path().exists() {
            self.repo.open_index().ctx(op)?
        } else {
            gix::index::File::from_state(
                gix::index::State::new(self.repo.object_hash()),
                self.repo.index_path(),
            )
        };
        for (rel, entry) in files {
            let path: &BStr = rel.as_bytes().as_bstr();
            let Some(e) = entry else {
                index.remove_entries(|_, p, _| p == path);
                continue;
            };
            let Some(mode) = index_mode(e.mode) else {
                continue;
            };
            let disk = self.workdir.join(rel);
            let stat = gix::index::fs::Metadata::from_path_no_follow(&disk)
                .ok()
                .and_then(|m| gix::index::entry::Stat::from_fs(&m).ok())
                .unwrap_or_default();
            // Drop every stage of the path (resolves a leftover conflict), then add stage 0.
            index.remove_entries(|_, p, _| p == path);
            index.dangerously_push_entry(stat, e.id, gix::index::entry::Flags::empty(), mode, path);
        }
        index.sort_entries();
        index.remove_tree();
        index.write(gix::index::write::Options::default()).ctx(op)?;
        Ok(())
    }
}

/// A work-tree-relative path as a slash-separated git path.
fn rel_path(path: &Path) -> Result<String, RepoError> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(p) => parts.push(p.to_str().ok_or_else(|| {
                RepoError::new(format!("use path {}", path.display()), "not UTF-8")
            })?),
            std::path::Component::CurDir => {}
            _ => {
                return Err(RepoError::new(
                    format!("use path {}", path.display()),
                    "it must be relative to the work tree, without `..`",
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(RepoError::new(
            "use an empty path",
            "a file path is required",
        ));
    }
    Ok(parts.join("/"))
}

fn index_mode(mode: EntryMode) -> Option<gix::index::entry::Mode> {
    use gix::index::entry::Mode;
    Some(match mode.kind() {
        EntryKind::Blob => Mode::FILE,
        EntryKind::BlobExecutable => Mode::FILE_EXECUTABLE,
        EntryKind::Link => Mode::SYMLINK,
        EntryKind::Commit => Mode::COMMIT,
        EntryKind::Tree => return None,
    })
}

#[cfg(unix)]
fn set_executable(path: &Path, exec: bool) -> Result<(), RepoError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ctx(|| format!("stat {}", path.display()))?;
    let mut perms = meta.permissions();
    let mode = perms.mode();
    let new = if exec {
        mode | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    };
    if new != mode {
        perms.set_mode(new);
        std::fs::set_permissions(path, perms).ctx(|| format!("chmod {}", path.display()))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_executable(_path: &Path, _exec: bool) -> Result<(), RepoError> {
    Ok(())
}

//! Finding a project's `.beads/` directory the way beads does (`FindBeadsDir`): `$BEADS_DIR`
//! first, else the nearest `.beads/` above the working directory, with `.beads/redirect`
//! followed; and the git checkout roots whose `.beads/formulas/` beads also searches (the
//! checkout's top level and, from a linked worktree, the main checkout's). Git is read from
//! the file system (`.git` directories and `gitdir:` files), no `git` process is run.

use super::search_path::{SearchEnv, absolute};
use std::path::{Path, PathBuf};

/// The name of the file in a `.beads/` directory that points at the real one.
const REDIRECT: &str = "redirect";

/// The project's formulas directory and how it was found, or nothing. A `$BEADS_DIR` or a
/// redirect that leads nowhere is pushed on `problems` (beads warns too) and skipped.
pub(super) fn project_formulas(
    cwd: &Path,
    env: &SearchEnv,
    problems: &mut Vec<String>,
) -> Option<(PathBuf, &'static str)> {
    if let Some(dir) = &env.beads_dir {
        let (resolved, redirected) = follow_redirect(dir, problems);
        if resolved.is_dir() {
            let how = if redirected {
                "$BEADS_DIR, redirected"
            } else {
                "$BEADS_DIR"
            };
            return Some((resolved.join("formulas"), how));
        }
        problems.push(format!(
            "$BEADS_DIR is {}, which is not a directory; it is ignored",
            dir.display()
        ));
    }
    for ancestor in cwd.ancestors() {
        let beads = ancestor.join(".beads");
        if !beads.is_dir() {
            continue;
        }
        let (resolved, redirected) = follow_redirect(&beads, problems);
        let formulas = resolved.join("formulas");
        if formulas.is_dir() {
            let how = if redirected {
                "via .beads/redirect"
            } else {
                "nearest .beads/ above the working directory"
            };
            return Some((formulas, how));
        }
    }
    None
}

/// Where `beads` redirects (its `redirect` file: the first line that is neither empty nor
/// a `#` comment, relative to the directory holding `beads`), and whether it did. A
/// target that is not a directory is reported and `beads` itself is kept; a target's own
/// redirect is not followed (no chains, as in beads).
fn follow_redirect(beads: &Path, problems: &mut Vec<String>) -> (PathBuf, bool) {
    let file = beads.join(REDIRECT);
    let Ok(text) = std::fs::read_to_string(&file) else {
        return (beads.to_path_buf(), false);
    };
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return (beads.to_path_buf(), false);
    };
    let target = Path::new(line);
    let target = if target.is_absolute() {
        target.to_path_buf()
    } else {
        beads.parent().unwrap_or(beads).join(target)
    };
    if target.is_dir() {
        (target, true)
    } else {
        problems.push(format!(
            "{} points at {}, which is not a directory; using {} itself",
            file.display(),
            target.display(),
            beads.display()
        ));
        (beads.to_path_buf(), false)
    }
}

/// The roots of the git checkout around `cwd`: its top level, then, when it is a linked
/// worktree, the main checkout's top level. Empty outside a repository.
pub(super) fn git_roots(cwd: &Path) -> Vec<PathBuf> {
    let Some(top) = cwd.ancestors().find(|a| a.join(".git").exists()) else {
        return Vec::new();
    };
    let mut roots = vec![top.to_path_buf()];
    let dot_git = top.join(".git");
    if dot_git.is_file()
        && let Some(main) = main_checkout(&dot_git)
    {
        roots.push(main);
    }
    roots
}

/// The main checkout of the linked worktree whose `.git` file is `dot_git`: that file
/// says `gitdir: <main>/.git/worktrees/<name>`, whose `commondir` leads to `<main>/.git`.
fn main_checkout(dot_git: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dot_git).ok()?;
    let gitdir = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("gitdir:"))?;
    let gitdir = absolute(dot_git.parent()?, Path::new(gitdir.trim()));
    let common = std::fs::read_to_string(gitdir.join("commondir")).ok()?;
    let common = absolute(&gitdir, Path::new(common.trim()));
    let common = common.canonicalize().unwrap_or(common);
    // A bare repository has no checkout of its own.
    (common.file_name()? == ".git").then(|| common.parent().map(Path::to_path_buf))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_redirect_is_followed_once_and_a_bad_one_reported() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = d.path();
        write(
            &root.join("p/.beads/redirect"),
            "\n# comment\n../q/.beads\n",
        );
        write(&root.join("q/.beads/redirect"), "../r/.beads\n");
        std::fs::create_dir_all(root.join("q/.beads/formulas")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(root.join("r/.beads/formulas")).unwrap_or_else(|e| panic!("{e}"));
        let mut problems = Vec::new();
        let found = project_formulas(&root.join("p/sub"), &SearchEnv::default(), &mut problems);
        assert_eq!(
            found,
            Some((root.join("p/../q/.beads/formulas"), "via .beads/redirect"))
        );
        assert!(problems.is_empty());

        write(&root.join("p/.beads/redirect"), "/nowhere/at/all\n");
        let found = project_formulas(&root.join("p"), &SearchEnv::default(), &mut problems);
        assert_eq!(found, None);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("/nowhere/at/all"), "{problems:?}");
    }

    #[test]
    fn beads_dir_wins_and_a_missing_one_is_reported() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = d.path();
        std::fs::create_dir_all(root.join("a/.beads/formulas")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(root.join("b/.beads/formulas")).unwrap_or_else(|e| panic!("{e}"));
        let env = SearchEnv {
            beads_dir: Some(root.join("b/.beads")),
            gt_root: None,
        };
        let mut problems = Vec::new();
        assert_eq!(
            project_formulas(&root.join("a"), &env, &mut problems),
            Some((root.join("b/.beads/formulas"), "$BEADS_DIR"))
        );
        let env = SearchEnv {
            beads_dir: Some(root.join("gone")),
            gt_root: None,
        };
        assert_eq!(
            project_formulas(&root.join("a"), &env, &mut problems),
            Some((
                root.join("a/.beads/formulas"),
                "nearest .beads/ above the working directory"
            ))
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn worktrees_lead_to_the_main_checkout() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = d.path();
        write(&root.join("main/.git/worktrees/wt/commondir"), "../..\n");
        write(&root.join("wt/.git"), "gitdir: ../main/.git/worktrees/wt\n");
        std::fs::create_dir_all(root.join("wt/src")).unwrap_or_else(|e| panic!("{e}"));
        let main = root
            .join("main")
            .canonicalize()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(git_roots(&root.join("wt/src")), [root.join("wt"), main]);
        assert_eq!(git_roots(&root.join("main/.git")), [root.join("main")]);
        assert!(git_roots(Path::new("/")).is_empty() || Path::new("/.git").exists());
    }
}

//! The documentation stands alone: every link in the README and in `docs/` points to a file of this
//! repository (and, with a `#fragment`, to a heading of it), no link leaves the repository, and every page
//! of `docs/` is reachable from the README.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The text outside fenced code blocks and inline code, where a `](...)` is a link.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            // Inline code spans hold no links.
            let kept: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
            out.push_str(&kept);
            out.push('\n');
        }
    }
    out
}

/// Every link target of a Markdown text: `[text](target)`.
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#').replace('`', "").as_str()));
        }
    }
    out
}

/// What is wrong with the links of `file` (a Markdown file inside `root`).
fn broken(root: &Path, file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let name = file.strip_prefix(root).unwrap_or(file).display().to_string();
    let dir = file.parent().unwrap_or(root);
    let mut out = Vec::new();
    for link in links(&text) {
        if link.contains("://") || link.starts_with("mailto:") || link.starts_with("//") {
            out.push(format!("{name}: {link} leaves the repository"));
            continue;
        }
        let (path, fragment) = link.split_once('#').map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
        let target = if path.is_empty() { file.to_path_buf() } else { dir.join(path) };
        let inside = target.canonicalize().ok().filter(|t| root.canonicalize().is_ok_and(|r| t.starts_with(r)));
        let Some(target) = inside else {
            out.push(format!("{name}: {link} names no file of the repository"));
            continue;
        };
        if let Some(fragment) = fragment {
            let headings = anchors(&std::fs::read_to_string(&target).unwrap_or_default());
            if !headings.iter().any(|h| h == fragment) {
                out.push(format!("{name}: {link} names no heading of {}", target.display()));
            }
        }
    }
    out
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect())
        .unwrap_or_default();
    pages.sort();
    pages
}

#[test]
#[expect(clippy::print_stdout, reason = "the count is what a reader of `--nocapture` looks for")]
fn every_link_resolves_inside_the_repository() {
    let root = root();
    let files: Vec<PathBuf> = std::iter::once(root.join("README.md")).chain(pages()).collect();
    assert!(files.len() > 5, "the README and the docs pages: {files:?}");
    let wrong: Vec<String> = files.iter().flat_map(|f| broken(&root, f)).collect();
    let count: usize = files.iter().map(|f| links(&std::fs::read_to_string(f).unwrap_or_default()).len()).sum();
    println!("{} files, {count} links, {} broken", files.len(), wrong.len());
    assert!(wrong.is_empty(), "{wrong:#?}");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let unlinked: Vec<_> = pages()
        .into_iter()
        .filter_map(|p| p.file_name().map(|n| format!("docs/{}", n.to_string_lossy())))
        .filter(|p| !links(&readme).iter().any(|l| l.split('#').next() == Some(p.as_str())))
        .collect();
    assert!(unlinked.is_empty(), "docs pages the README does not link: {unlinked:?}");
}

#[test]
fn a_broken_link_an_outside_link_and_a_missing_heading_are_caught() {
    let dir = std::env::temp_dir().join(format!("verifik-docs-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("docs")).expect("dir");
    std::fs::write(dir.join("docs/a.md"), "# A page\n\n## Its `run` section\n").expect("page");
    let readme = "see [a](docs/a.md#its-run-section), [b](docs/b.md), [vendor](https://example.com/x), \
                  [gone](docs/a.md#nowhere) and `[code](not/a/link)`\n```sh\n[x](fenced)\n```\n";
    std::fs::write(dir.join("README.md"), readme).expect("readme");
    let found = broken(&dir, &dir.join("README.md"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("docs/b.md names no file"), "{found:#?}");
    assert!(found[1].contains("https://example.com/x leaves the repository"), "{found:#?}");
    assert!(found[2].contains("docs/a.md#nowhere names no heading"), "{found:#?}");
}

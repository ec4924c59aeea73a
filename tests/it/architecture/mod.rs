//! The architecture as a test (a fitness function): every import of the library's source runs down
//! the layer table of `lib.rs`, and no two files of one top-level module import each other in a
//! circle. It reads `src/` as text: `use` trees (braces expanded, `self`, `super`, `crate` and child
//! modules resolved), inline `crate::`/`super::` paths, and re-exports followed to the file that
//! defines the item. Test modules (`#[cfg(test)]` to the end of a file) are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod source;

use source::{code, inline_paths, uses};

/// The layers of `lib.rs`, top to bottom: a module may import from its own layer's files only inside
/// itself, and from any layer below.
const LAYERS: &[&[&str]] = &[
    &["history", "diff", "coverage"],
    &["report", "liveness", "embedded"],
    &["suite", "emulator"],
    &["target", "faces", "schemas", "html", "deviation"],
    &["api"],
];

/// The library's modules, by path (`suite::probe`; the crate root is ""), and their files.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let join = |n: &str| if prefix.is_empty() { n.to_owned() } else { format!("{prefix}::{n}") };
            if path.is_dir() && prefix.is_empty() && name == "bin" {
                // The command-line program (`src/bin/`) is a crate of its own on top of the library.
            } else if path.is_dir() {
                walk(&path, &join(&name), out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                match stem {
                    "lib" if prefix.is_empty() => {
                        out.insert(String::new(), path);
                    }
                    "mod" => {
                        out.insert(prefix.to_owned(), path);
                    }
                    _ => {
                        out.insert(join(stem), path);
                    }
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, "", &mut out);
    out
}

struct Tree {
    files: BTreeMap<String, PathBuf>,
    /// (module, name) → the path a re-export names, and the module it is written in.
    reexports: BTreeMap<(String, String), (String, String)>,
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map_or(String::new(), |(p, _)| p.to_owned())
}

impl Tree {
    fn read(src: &Path) -> Tree {
        let files = modules(src);
        let mut reexports = BTreeMap::new();
        for (module, file) in &files {
            let text = code(&std::fs::read_to_string(file).unwrap_or_default());
            for (public, path) in uses(&text) {
                if public && let Some(name) = path.rsplit("::").next() {
                    reexports.insert((module.clone(), name.to_owned()), (module.clone(), path.clone()));
                }
            }
        }
        Tree { files, reexports }
    }

    /// The module of this library whose file holds what `path`, written in `from`, names.
    fn resolve(&self, from: &str, path: &str, depth: u32) -> Option<String> {
        let mut segments = path.split("::").filter(|s| !s.is_empty()).peekable();
        let mut current = match *segments.peek()? {
            "crate" => {
                segments.next();
                String::new()
            }
            "self" => {
                segments.next();
                from.to_owned()
            }
            "super" => {
                let mut m = from.to_owned();
                while segments.peek() == Some(&"super") {
                    segments.next();
                    m = parent(&m);
                }
                m
            }
            first => {
                let child = if from.is_empty() { first.to_owned() } else { format!("{from}::{first}") };
                if !self.files.contains_key(&child) {
                    return None;
                }
                from.to_owned()
            }
        };
        for segment in segments {
            let child = if current.is_empty() { segment.to_owned() } else { format!("{current}::{segment}") };
            if self.files.contains_key(&child) {
                current = child;
                continue;
            }
            if let Some((written_in, target)) = self.reexports.get(&(current.clone(), segment.to_owned()))
                && depth < 8
            {
                return self.resolve(written_in, target, depth + 1).or(Some(current));
            }
            break;
        }
        Some(current)
    }

    /// Every import between two files of the library: (from, to), by module path.
    fn edges(&self) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (module, file) in &self.files {
            let text = code(&std::fs::read_to_string(file).unwrap_or_default());
            let used = uses(&text).into_iter();
            let paths = used.chain(inline_paths(&text).into_iter().map(|p| (false, p)));
            for (public, path) in paths {
                let Some(to) = self.resolve(module, &path, 0) else { continue };
                // A module re-exporting what its own children define is their facade, not a use of
                // them; a file re-exporting a sibling's items ties itself to that sibling.
                let facade = public && to.starts_with(&format!("{module}::"));
                if to != *module && !to.is_empty() && !facade {
                    out.insert((module.clone(), to));
                }
            }
        }
        out
    }
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or_default()
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top(module)))
}

/// What is wrong with the tree at `src`: imports that run up or across the layer table, and circles
/// of files inside one top-level module.
fn violations(src: &Path) -> Vec<String> {
    let tree = Tree::read(src);
    let edges = tree.edges();
    let mut out = Vec::new();
    for (from, to) in &edges {
        if top(from) == top(to) {
            continue;
        }
        match (layer(from), layer(to)) {
            (Some(a), Some(b)) if a < b => {}
            (Some(_), Some(_)) => out.push(format!("{from} imports {to}: not down the layer table")),
            _ => out.push(format!("{from} imports {to}: a module the layer table does not name")),
        }
    }
    for circle in circles(&edges) {
        let ties: Vec<String> = edges
            .iter()
            .filter(|(a, b)| circle.contains(a) && circle.contains(b))
            .map(|(a, b)| format!("{a} -> {b}"))
            .collect();
        out.push(format!("a circle of files: {} ({})", circle.join(", "), ties.join("; ")));
    }
    out
}

/// The strongly connected sets of more than one file, among edges inside one top-level module.
fn circles(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let inside: Vec<&(String, String)> = edges.iter().filter(|(a, b)| top(a) == top(b)).collect();
    let nodes: BTreeSet<&String> = inside.iter().flat_map(|(a, b)| [a, b]).collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for (_, b) in inside.iter().filter(|(a, _)| *a == n) {
                if seen.insert(b.clone()) {
                    stack.push(b.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if done.contains(*n) {
            continue;
        }
        let circle: Vec<String> = nodes
            .iter()
            .filter(|m| reached[*n].contains(**m) && reached[**m].contains(*n))
            .map(|m| (*m).clone())
            .collect();
        if circle.len() > 1 {
            done.extend(circle.iter().cloned());
            out.push(circle);
        }
    }
    out
}

fn source() -> PathBuf {
    // Another checkout can be examined with the same rules: VERIFIK_ARCHITECTURE_SRC=/path/to/src.
    std::env::var_os("VERIFIK_ARCHITECTURE_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
#[expect(clippy::print_stdout, reason = "the import graph, when asked for, is the test's report")]
fn imports_run_down_the_layers_and_no_files_of_a_module_form_a_circle() {
    let src = source();
    let tree = Tree::read(&src);
    // VERIFIK_ARCHITECTURE_GRAPH=suite prints the imports between the files of `suite` (with
    // `-- --nocapture`), one `from -> to` a line.
    if let Some(module) = std::env::var_os("VERIFIK_ARCHITECTURE_GRAPH") {
        let module = module.to_string_lossy().into_owned();
        let inside = |m: &str| m == module || m.starts_with(&format!("{module}::"));
        for (from, to) in tree.edges().iter().filter(|(a, b)| inside(a) && inside(b)) {
            println!("{from} -> {to}");
        }
    }
    assert!(tree.files.len() > 50, "read {} modules from {}", tree.files.len(), src.display());
    let found = violations(&src);
    assert!(found.is_empty(), "{} architecture violation(s) in {}:\n{}", found.len(), src.display(), found.join("\n"));
}

#[test]
fn the_rules_catch_a_back_edge_and_a_circle() {
    let dir = std::env::temp_dir().join(format!("verifik-architecture-{}", std::process::id()));
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
        std::fs::write(path, text).expect("file");
    };
    write("lib.rs", "pub mod api;\npub mod suite;\n");
    write("bin/tool/main.rs", "mod run;\n");
    write("bin/tool/run.rs", "use verifik_conformance::suite::x;\n");
    write("api/mod.rs", "pub mod ids;\n");
    write("api/ids.rs", "pub struct Id;\n");
    write("suite/mod.rs", "pub mod a;\npub mod b;\npub use a::A;\n");
    write("suite/a.rs", "use crate::api::ids::Id;\npub struct A(Id);\n");
    write("suite/b.rs", "use super::A; // a comment naming crate::report\n");
    assert_eq!(violations(&dir), Vec::<String>::new(), "a tree that keeps the rules");
    // An added back edge: the contract layer naming the suite, through the suite's re-export.
    write("api/ids.rs", "pub struct Id;\nfn f() -> crate::suite::A { todo!() }\n");
    write("suite/a.rs", "use crate::api::ids::Id;\nuse super::{b::{self}};\npub struct A(Id);\n");
    let found = violations(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        found,
        vec![
            "api::ids imports suite::a: not down the layer table".to_owned(),
            "a circle of files: suite::a, suite::b (suite::a -> suite::b; suite::b -> suite::a)".to_owned(),
        ]
    );
}

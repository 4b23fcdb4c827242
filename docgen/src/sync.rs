//! Compares generated pages with the files under docs/, and writes them:
//! `--check` reports what is stale, `--write` makes docs/ match.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::DocsError;

/// How a file under docs/ differs from what the generator makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Staleness {
    /// The page is generated but not committed.
    Missing,
    /// Committed, with other content: the first line that differs.
    Differs {
        line: usize,
        committed: String,
        generated: String,
    },
    /// A markdown file under docs/ the generator does not make (e.g. the
    /// page of a data source that was removed).
    NotGenerated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleFile {
    pub path: PathBuf,
    pub staleness: Staleness,
}

impl fmt::Display for StaleFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.staleness {
            Staleness::Missing => write!(f, "{path}: missing"),
            Staleness::NotGenerated => write!(f, "{path}: not generated from the schema (remove it)"),
            Staleness::Differs {
                line,
                committed,
                generated,
            } => write!(
                f,
                "{path}: differs from line {line}\n    committed: {committed}\n    generated: {generated}"
            ),
        }
    }
}

/// The files under `root`/docs that differ from `pages`, in path order.
pub fn stale_files(
    root: &Path,
    pages: &BTreeMap<PathBuf, String>,
) -> Result<Vec<StaleFile>, DocsError> {
    let mut stale = Vec::new();
    for (path, generated) in pages {
        let staleness = match std::fs::read_to_string(root.join(path)) {
            Ok(committed) if committed == *generated => continue,
            Ok(committed) => first_difference(&committed, generated),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Staleness::Missing,
            Err(source) => {
                return Err(DocsError::Read {
                    path: path.clone(),
                    source,
                })
            }
        };
        stale.push(StaleFile {
            path: path.clone(),
            staleness,
        });
    }
    for path in markdown_files(root, Path::new("docs"))? {
        if !pages.contains_key(&path) {
            stale.push(StaleFile {
                path,
                staleness: Staleness::NotGenerated,
            });
        }
    }
    stale.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(stale)
}

/// Makes docs/ match `pages`: writes what is missing or differs, removes
/// markdown files not generated. Returns what it changed.
pub fn write(root: &Path, pages: &BTreeMap<PathBuf, String>) -> Result<Vec<StaleFile>, DocsError> {
    let stale = stale_files(root, pages)?;
    for file in &stale {
        let full = root.join(&file.path);
        match (&file.staleness, pages.get(&file.path)) {
            (Staleness::NotGenerated, _) | (_, None) => {
                std::fs::remove_file(&full).map_err(|source| DocsError::Remove {
                    path: file.path.clone(),
                    source,
                })?
            }
            (_, Some(content)) => {
                let io = |source| DocsError::Write {
                    path: file.path.clone(),
                    source,
                };
                if let Some(dir) = full.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                std::fs::write(&full, content).map_err(io)?;
            }
        }
    }
    Ok(stale)
}

fn first_difference(committed: &str, generated: &str) -> Staleness {
    let mut old = committed.lines();
    let mut new = generated.lines();
    let mut line = 1;
    loop {
        match (old.next(), new.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (a, b) => {
                // Both excerpts start a little before the first differing
                // character, so a long line shows where it differs.
                let from = common_prefix_chars(a.unwrap_or(""), b.unwrap_or("")).saturating_sub(30);
                return Staleness::Differs {
                    line,
                    committed: a.map_or("(end of file)".to_owned(), |l| excerpt(l, from)),
                    generated: b.map_or("(end of file)".to_owned(), |l| excerpt(l, from)),
                };
            }
        }
    }
}

fn common_prefix_chars(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Up to 80 characters of `line` from character `from`, quoted, with `...`
/// where it was cut.
fn excerpt(line: &str, from: usize) -> String {
    const WIDTH: usize = 80;
    let chars: Vec<char> = line.chars().collect();
    let start = from.min(chars.len());
    let end = (start + WIDTH).min(chars.len());
    let text: String = chars[start..end].iter().collect();
    format!(
        "{}{text:?}{}",
        if start > 0 { "..." } else { "" },
        if end < chars.len() { "..." } else { "" }
    )
}

/// Markdown files under `root`/`dir`, relative to `root`, recursively.
fn markdown_files(root: &Path, dir: &Path) -> Result<Vec<PathBuf>, DocsError> {
    let entries = match std::fs::read_dir(root.join(dir)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(DocsError::Read {
                path: dir.to_owned(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| DocsError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let relative = dir.join(entry.file_name());
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            out.extend(markdown_files(root, &relative)?);
        } else if relative.extension().is_some_and(|e| e == "md") {
            out.push(relative);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(list: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
        list.iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
            .collect()
    }

    fn put(root: &Path, path: &str, text: &str) {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    #[test]
    fn check_names_missing_differing_and_stray_files() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "docs/index.md", "# A\nsame\nold line\n");
        put(root.path(), "docs/data-sources/kept.md", "kept\n");
        put(root.path(), "docs/resources/removed.md", "gone\n");
        put(root.path(), "docs/notes.txt", "not markdown: not ours\n");
        let generated = pages(&[
            ("docs/index.md", "# A\nsame\nnew line\n"),
            ("docs/data-sources/kept.md", "kept\n"),
            ("docs/functions/f.md", "f\n"),
        ]);
        let stale = stale_files(root.path(), &generated).unwrap();
        assert_eq!(
            stale,
            vec![
                StaleFile {
                    path: "docs/functions/f.md".into(),
                    staleness: Staleness::Missing
                },
                StaleFile {
                    path: "docs/index.md".into(),
                    staleness: Staleness::Differs {
                        line: 3,
                        committed: "\"old line\"".into(),
                        generated: "\"new line\"".into()
                    }
                },
                StaleFile {
                    path: "docs/resources/removed.md".into(),
                    staleness: Staleness::NotGenerated
                },
            ]
        );
        assert_eq!(
            stale[1].to_string(),
            "docs/index.md: differs from line 3\n    committed: \"old line\"\n    generated: \"new line\""
        );
    }

    #[test]
    fn write_makes_the_check_pass_and_reports_what_it_changed() {
        let root = tempfile::tempdir().unwrap();
        put(root.path(), "docs/index.md", "old\n");
        put(root.path(), "docs/resources/removed.md", "gone\n");
        let generated = pages(&[("docs/index.md", "new\n"), ("docs/functions/f.md", "f\n")]);
        let changed = write(root.path(), &generated).unwrap();
        assert_eq!(changed.len(), 3, "{changed:?}");
        assert!(stale_files(root.path(), &generated).unwrap().is_empty());
        assert_eq!(
            std::fs::read_to_string(root.path().join("docs/functions/f.md")).unwrap(),
            "f\n"
        );
        assert!(!root.path().join("docs/resources/removed.md").exists());
        assert!(write(root.path(), &generated).unwrap().is_empty());
    }

    #[test]
    fn a_long_line_is_shown_from_just_before_its_first_difference() {
        let a = format!("{}old tail", "x".repeat(200));
        let b = format!("{}new tail", "x".repeat(200));
        match first_difference(&a, &b) {
            Staleness::Differs {
                line,
                committed,
                generated,
            } => {
                assert_eq!(line, 1);
                assert_eq!(committed, format!("...\"{}old tail\"", "x".repeat(30)));
                assert_eq!(generated, format!("...\"{}new tail\"", "x".repeat(30)));
            }
            other => panic!("{other:?}"),
        }
        match first_difference("same\n", "same\nmore\n") {
            Staleness::Differs {
                line, committed, ..
            } => assert_eq!((line, committed.as_str()), (2, "(end of file)")),
            other => panic!("{other:?}"),
        }
    }
}

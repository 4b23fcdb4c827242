//! What can stop the generator, each naming the file to look at.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },

    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },

    #[error("cannot remove {path}: {source}")]
    Remove { path: PathBuf, source: io::Error },

    /// Every page embeds an example; a page without one is refused rather
    /// than published half-empty.
    #[error("{page} has no example: create {path}")]
    MissingExample { page: String, path: PathBuf },

    #[error("{template}: unknown placeholder {{{{{name}}}}} (this page knows: {known})")]
    UnknownPlaceholder {
        template: String,
        name: String,
        known: String,
    },

    #[error("{template}: a `{{{{` without its closing `}}}}`")]
    UnclosedPlaceholder { template: String },

    /// A template that leaves out the schema (or the example) would let the
    /// page drift from the provider again, which is what generating prevents.
    #[error("{template}: must contain {{{{{name}}}}}")]
    MissingPlaceholder { template: String, name: String },

    /// A guide's page title comes from its first line.
    #[error("{template}: must start with a `# Title` line")]
    GuideTitle { template: String },
}

//! cams-docs: the provider's registry docs, generated from its schema.
//!
//! * [`site`]: which pages the provider has, and each page assembled from
//!   its schema, its example (examples/) and its template (templates/).
//! * [`schema_md`], [`function_md`]: the schema lists and function
//!   signatures, in the shape registry readers know.
//! * [`template`]: `{{placeholder}}` templates.
//! * [`sync`]: `--check` (what is stale) and `--write`.

pub mod error;
pub mod function_md;
pub mod markdown;
pub mod schema_md;
pub mod site;
pub mod sync;
pub mod template;

pub use error::DocsError;
pub use site::{generate, Catalog};
pub use sync::{stale_files, write, StaleFile, Staleness};

//! `--state FILE`: the flows, kept across restarts as one JSON document,
//! rewritten (to a temporary file, then renamed) after every change.

use std::io;
use std::path::Path;

use super::flows::FlowStore;

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("cannot read the state file {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("the state file {path} is not a flow state written by cams-emulator: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("cannot write the state file {path}: {source}")]
    Write { path: String, source: io::Error },
    #[error("the directory {directory} of the state file does not exist (or is not a directory); create it, or name a file in an existing directory")]
    NoDirectory { directory: String },
}

/// The flows in `path`; none when the file does not exist yet. Its
/// directory must exist: otherwise every later save would fail, and the
/// emulator would run on keeping nothing.
pub fn load(path: &Path) -> Result<FlowStore, StateFileError> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !directory.is_dir() {
        return Err(StateFileError::NoDirectory {
            directory: directory.display().to_string(),
        });
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(FlowStore::default()),
        Err(source) => {
            return Err(StateFileError::Read {
                path: path.display().to_string(),
                source,
            })
        }
    };
    serde_json::from_str(&text).map_err(|source| StateFileError::Parse {
        path: path.display().to_string(),
        source,
    })
}

/// Writes the flows so that a crash leaves either the old or the new file.
pub fn save(path: &Path, flows: &FlowStore) -> Result<(), StateFileError> {
    let write_error = |source| StateFileError::Write {
        path: path.display().to_string(),
        source,
    };
    let text = serde_json::to_string_pretty(flows)
        .map_err(|e| write_error(io::Error::new(io::ErrorKind::InvalidData, e)))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, text).map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::{Flow, Status};

    #[test]
    fn round_trips_and_refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(load(&path).unwrap(), FlowStore::default());
        let mut flows = FlowStore::default();
        flows.create(Flow {
            id: "1".into(),
            name: "n".into(),
            categories: vec!["OTHER".into()],
            status: Status::Published,
            endpoint_uri: String::new(),
            cust_space_id: "c".into(),
            json: Some("{}".into()),
        });
        save(&path, &flows).unwrap();
        assert_eq!(load(&path).unwrap(), flows);
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(load(&path), Err(StateFileError::Parse { .. })));
    }

    #[test]
    fn a_state_file_in_a_missing_directory_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir");
        let err = load(&missing.join("state.json")).unwrap_err();
        assert!(matches!(err, StateFileError::NoDirectory { .. }), "{err}");
        assert!(
            err.to_string().contains(&missing.display().to_string()),
            "{err}"
        );
        // A file in an existing directory that does not exist yet is fine.
        assert!(load(&dir.path().join("state.json")).is_ok());
    }
}

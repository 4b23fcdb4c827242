//! `--state FILE`: the flows and the message templates, kept across
//! restarts as one JSON document, rewritten (to a temporary file, then
//! renamed) after every change. The flows stand at the top of the
//! document (`{"flows": ...}`), as before templates existed, so older
//! state files still load; the templates are under `"templates"`.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::flows::FlowStore;
use super::templates::TemplateStore;

/// What the state file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(flatten)]
    pub flows: FlowStore,
    #[serde(default)]
    pub templates: TemplateStore,
}

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

/// The state in `path` (flows and templates); empty when the file does not exist yet. Its
/// directory must exist: otherwise every later save would fail, and the
/// emulator would run on keeping nothing.
pub fn load(path: &Path) -> Result<State, StateFileError> {
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
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
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

/// [`State`] borrowed, for writing without a copy.
#[derive(Serialize)]
struct StateRef<'a> {
    #[serde(flatten)]
    flows: &'a FlowStore,
    templates: &'a TemplateStore,
}

/// Writes the state so that a crash leaves either the old or the new file.
pub fn save(
    path: &Path,
    flows: &FlowStore,
    templates: &TemplateStore,
) -> Result<(), StateFileError> {
    let state = StateRef { flows, templates };
    let write_error = |source| StateFileError::Write {
        path: path.display().to_string(),
        source,
    };
    let text = serde_json::to_string_pretty(&state)
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
        assert_eq!(load(&path).unwrap(), State::default());
        let mut state = State::default();
        state.flows.create(Flow {
            id: "1".into(),
            name: "n".into(),
            categories: vec!["OTHER".into()],
            status: Status::Published,
            endpoint_uri: String::new(),
            cust_space_id: "c".into(),
            json: Some("{}".into()),
        });
        save(&path, &state.flows, &state.templates).unwrap();
        assert_eq!(load(&path).unwrap(), state);
        // A state file written before templates existed: flows only.
        std::fs::write(&path, r#"{"flows":{}}"#).unwrap();
        assert_eq!(load(&path).unwrap(), State::default());
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

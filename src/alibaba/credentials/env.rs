//! Where the credentials chain reads environment variables and the home
//! directory from. A trait so tests can run the chain against a map instead
//! of the real (shared, racy) process environment.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

/// The process environment as the credentials chain sees it.
pub trait Env: Send + Sync {
    /// The value of an environment variable, `None` if unset or not UTF-8.
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home directory (for `~/.aliyun/config.json`).
    fn home_dir(&self) -> Option<PathBuf>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnv;

impl Env for SystemEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        // HOME on Unix, USERPROFILE on Windows; avoids std::env::home_dir,
        // whose behaviour changed across Rust versions.
        ["HOME", "USERPROFILE"]
            .iter()
            .filter_map(std::env::var_os)
            .find(|value| !value.is_empty())
            .map(PathBuf::from)
    }
}

/// A map-backed environment, for tests and for callers that want to control
/// exactly what the chain sees.
#[derive(Clone, Default)]
pub struct MapEnv {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
}

impl MapEnv {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one variable.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the home directory.
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }
}

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }
}

impl fmt::Debug for MapEnv {
    // Variable values may be secrets: show only the names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("MapEnv")
            .field("vars", &names)
            .field("home", &self.home)
            .finish()
    }
}

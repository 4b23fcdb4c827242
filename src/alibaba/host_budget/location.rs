//! Where a budget file lives, and the checks that keep it private to the
//! user: a directory of the user's own, not writable by others, holding one
//! file per AccessKeyId named by a hash of it.

use std::fs::File;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::HostBudgetError;

/// The directory's name under `$XDG_RUNTIME_DIR`; under the shared temp
/// directory the user id is appended, so users do not collide.
const DIR_NAME: &str = "terraform-provider-cams";

/// Separates this hash from any other SHA-256 of an AccessKeyId, so the
/// file name cannot be matched against hashes published elsewhere.
const NAME_DOMAIN: &[u8] = b"terraform-provider-cams host budget v1\0";

/// The directory for budget files: `$XDG_RUNTIME_DIR/terraform-provider-cams`
/// (per user, private, cleared at logout) when that variable holds an
/// absolute path, else `terraform-provider-cams-<uid>` in the temp directory.
pub fn default_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(runtime) if runtime.is_absolute() => runtime.join(DIR_NAME),
        _ => std::env::temp_dir().join(format!("{DIR_NAME}-{}", user_id())),
    }
}

/// The budget file's name for this AccessKeyId: a hash, never the key.
pub fn file_name(access_key_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(NAME_DOMAIN)
        .chain_update(access_key_id.as_bytes())
        .finalize();
    format!("budget-{}", hex::encode(&digest[..16]))
}

#[cfg(unix)]
fn user_id() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn user_id() -> u32 {
    0
}

/// Creates `dir` (mode 0700) if needed, checks that it and the file `name`
/// in it belong to this user and are not writable by others, and opens the
/// file (created mode 0600) for reading and writing.
#[cfg(unix)]
pub(crate) fn open_private_file(dir: &Path, name: &str) -> Result<File, HostBudgetError> {
    use std::fs::{DirBuilder, OpenOptions};
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};

    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| HostBudgetError::Io { path, source }
    };
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_error(dir)(e)),
    }
    // symlink_metadata: a symbolic link planted where the directory should
    // be is refused, not followed.
    let dir_meta = std::fs::symlink_metadata(dir).map_err(io_error(dir))?;
    if !dir_meta.is_dir() {
        return Err(HostBudgetError::NotADirectory(dir.to_owned()));
    }
    check_private(dir, dir_meta.uid(), dir_meta.mode())?;

    let path = dir.join(name);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(io_error(&path))?;
    // Checked on the open file, so a swap after the directory check is
    // still caught.
    let file_meta = file.metadata().map_err(io_error(&path))?;
    if !file_meta.is_file() {
        return Err(HostBudgetError::NotARegularFile(path));
    }
    check_private(&path, file_meta.uid(), file_meta.mode())?;
    Ok(file)
}

#[cfg(not(unix))]
pub(crate) fn open_private_file(_dir: &Path, _name: &str) -> Result<File, HostBudgetError> {
    Err(HostBudgetError::Unsupported)
}

/// Refuses what another user owns or may write: they could then hold back
/// or speed up this user's calls.
#[cfg(unix)]
fn check_private(path: &Path, owner: u32, mode: u32) -> Result<(), HostBudgetError> {
    if owner != user_id() {
        return Err(HostBudgetError::ForeignOwner {
            path: path.to_owned(),
            owner,
        });
    }
    if mode & 0o022 != 0 {
        return Err(HostBudgetError::WritableByOthers {
            path: path.to_owned(),
            mode: mode & 0o7777,
        });
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn file_name_is_a_hash_not_the_key() {
        let name = file_name("LTAI5tExampleKeyId");
        assert!(name.starts_with("budget-"), "{name}");
        assert_eq!(name.len(), "budget-".len() + 32);
        assert!(!name.to_lowercase().contains("ltai"), "{name}");
        assert_eq!(name, file_name("LTAI5tExampleKeyId"), "stable");
        assert_ne!(name, file_name("LTAI5tExampleKeyId2"));
    }

    #[test]
    fn creates_a_private_directory_and_file() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("budgets");
        open_private_file(&dir, "budget-x").unwrap();
        let dir_mode = std::fs::metadata(&dir).unwrap().mode() & 0o777;
        let file_mode = std::fs::metadata(dir.join("budget-x")).unwrap().mode() & 0o777;
        assert_eq!(dir_mode & 0o077, 0, "{dir_mode:o}");
        assert_eq!(file_mode & 0o077, 0, "{file_mode:o}");
        // A second process opens the same file.
        open_private_file(&dir, "budget-x").unwrap();
    }

    #[test]
    fn refuses_a_directory_writable_by_others() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("open");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = open_private_file(&dir, "budget-x").unwrap_err();
        assert!(
            matches!(err, HostBudgetError::WritableByOthers { .. }),
            "{err}"
        );
        assert!(!dir.join("budget-x").exists(), "nothing created in it");
    }

    #[test]
    fn refuses_a_file_writable_by_others() {
        let base = tempfile::tempdir().unwrap();
        let path = base.path().join("budget-x");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let err = open_private_file(base.path(), "budget-x").unwrap_err();
        assert!(
            matches!(err, HostBudgetError::WritableByOthers { .. }),
            "{err}"
        );
    }

    #[test]
    fn refuses_symbolic_links() {
        let base = tempfile::tempdir().unwrap();
        let real = base.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = open_private_file(&link, "budget-x").unwrap_err();
        assert!(matches!(err, HostBudgetError::NotADirectory(_)), "{err}");

        std::fs::write(base.path().join("target"), "").unwrap();
        std::os::unix::fs::symlink(base.path().join("target"), real.join("budget-x")).unwrap();
        let err = open_private_file(&real, "budget-x").unwrap_err();
        assert!(matches!(err, HostBudgetError::Io { .. }), "{err}");
    }

    #[test]
    fn refuses_what_another_user_owns() {
        // Ownership cannot be given away without root; check the rule
        // itself with a foreign owner id.
        let err = check_private(Path::new("/x"), user_id().wrapping_add(1), 0o700).unwrap_err();
        assert!(matches!(err, HostBudgetError::ForeignOwner { .. }), "{err}");
        assert!(check_private(Path::new("/x"), user_id(), 0o700).is_ok());
        // The root-owned /tmp-like case: sticky and world-writable.
        let err = check_private(Path::new("/x"), user_id(), 0o1777).unwrap_err();
        assert!(
            matches!(err, HostBudgetError::WritableByOthers { .. }),
            "{err}"
        );
    }

    #[test]
    fn default_dir_prefers_the_runtime_dir() {
        // Only reads the environment; the branch taken depends on it.
        let dir = default_dir();
        match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
            Some(runtime) if runtime.is_absolute() => {
                assert_eq!(dir, runtime.join(DIR_NAME))
            }
            _ => assert!(dir.starts_with(std::env::temp_dir()), "{}", dir.display()),
        }
    }
}

//! Files only their owner may read: the data directory holds the database, the development
//! issuer's signing key, the development CA's key and the test-control admin token.

use std::{fs, io, path::Path};

/// Creates `dir` and any missing parents with mode 0700 (on Unix); an existing directory keeps
/// the mode its owner gave it.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates the file at `path` empty with mode 0600 (on Unix) unless it exists, so that what is
/// written into it later (SQLite gives its `-wal` and `-shm` files the database's mode) is never
/// readable by others, whatever the umask.
pub(crate) fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

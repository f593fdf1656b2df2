use super::*;

#[test]
fn key_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let first = DevIssuer::load_or_create(&data).unwrap();
    let token = first.mint(&user(&[SCOPE_READ]), NOW).unwrap();
    drop(first);
    let second = DevIssuer::load_or_create(&data).unwrap();
    assert_eq!(
        second.jwks(),
        DevIssuer::load_or_create(&data).unwrap().jwks()
    );
    let verifier = Verifier::new(Some(&second));
    assert_eq!(
        block_on(verifier.verify(&token, NOW)).unwrap().tenant,
        DEV_TENANT
    );
    let files: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, [DEV_KEY_FILE], "no temporary file left behind");
    let pem = std::fs::read_to_string(data.join(DEV_KEY_FILE)).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
}

#[test]
fn two_data_dirs_two_keys() {
    let f = Fixture::new();
    let other = Fixture::new();
    assert_ne!(f.dev.kid(), other.dev.kid());
    let token = other.mint(&user(&[SCOPE_READ]));
    assert!(matches!(err(&f, &token), AuthError::UnknownKey));
}

#[cfg(unix)]
#[test]
fn key_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let meta = std::fs::metadata(f.dir.path().join(DEV_KEY_FILE)).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_damaged_key_file_is_an_error_not_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DEV_KEY_FILE);
    std::fs::write(
        &path,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let e = DevIssuer::load_or_create(dir.path()).unwrap_err();
    assert!(
        matches!(&e, AuthError::Key { path: p, .. } if *p == path),
        "{e:?}"
    );
    assert!(std::error::Error::source(&e).is_some());
    let debug = format!("{:?}", Fixture::new().dev);
    assert!(debug.contains("kid") && !debug.contains("PRIVATE"));
}

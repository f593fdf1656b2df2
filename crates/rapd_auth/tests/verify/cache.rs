use super::*;

#[test]
fn repeated_token_is_rechecked_against_the_clock() {
    let f = Fixture::new();
    let token = f.mint(&user(&[SCOPE_READ]));
    let first = f.verify(&token, NOW).unwrap();
    assert_eq!(f.verify(&token, NOW + 10).unwrap(), first);
    let after = NOW + HOUR as i64 + LEEWAY_SECS + 1;
    assert!(matches!(f.verify(&token, after), Err(AuthError::Expired)));
    let before = NOW - LEEWAY_SECS - 1;
    assert!(matches!(
        f.verify(&token, before),
        Err(AuthError::NotYetValid)
    ));
    assert_eq!(f.verify(&token, NOW).unwrap(), first);
}

#[test]
fn a_cached_token_does_not_vouch_for_its_neighbours() {
    let f = Fixture::new();
    let token = f.mint(&user(&[SCOPE_READ]));
    f.verify(&token, NOW).unwrap();
    let (input, _) = token.rsplit_once('.').unwrap();
    assert!(f.verify(&format!("{input}.AAAA"), NOW).is_err());
    assert!(f.verify(&format!("{token}A"), NOW).is_err());
    assert!(f.verify(&token[..token.len() - 1], NOW).is_err());
}

//! Percent-decoding of query parameter names and values.
//!
//! `+` is a space, as Graph's front end (ASP.NET) reads a query string and as form encoders
//! (Python `requests`, curl `--data-urlencode -G`) write one; a plus sign is `%2B`, so a
//! DateTimeOffset's offset is written `2024-01-01T00:00:00%2B02:00`, as on Graph.

/// Decodes `%XX` escapes; `None` when an escape is malformed or the bytes are not UTF-8.
pub(crate) fn decode(text: &str) -> Option<String> {
    if !text.contains(['%', '+']) {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = hex(*bytes.get(i + 1)?)?;
            let low = hex(*bytes.get(i + 2)?)?;
            out.push(high << 4 | low);
            i += 3;
        } else if bytes[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_escapes_and_plus_as_space() {
        assert_eq!(decode("a%20b+c%2Bd").as_deref(), Some("a b c+d"));
        assert_eq!(decode("%24filter").as_deref(), Some("$filter"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode("é").as_deref(), Some("é"));
    }

    #[test]
    fn refuses_malformed_escapes_and_bad_utf8() {
        assert_eq!(decode("%"), None);
        assert_eq!(decode("%2"), None);
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%C3"), None);
        assert_eq!(decode("%FF"), None);
    }
}

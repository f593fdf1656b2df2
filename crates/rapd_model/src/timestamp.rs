//! `Edm.DateTimeOffset` values as Intune writes them.

use std::fmt;

use time::{OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339};

/// An instant in UTC with microsecond precision, stored as microseconds since the Unix epoch.
///
/// Intune's "no value yet" is `0001-01-01T00:00:00Z` ([`Timestamp::ZERO`]), never `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Seconds from 0001-01-01T00:00:00Z to the Unix epoch.
const YEAR_ONE_SECS: i64 = -62_135_596_800;

impl Timestamp {
    pub const ZERO: Timestamp = Timestamp(YEAR_ONE_SECS * 1_000_000);

    pub fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    pub fn as_micros(self) -> i64 {
        self.0
    }

    pub fn from_unix_secs(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000))
    }

    pub fn unix_secs(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    pub fn now() -> Timestamp {
        Timestamp::from_datetime(OffsetDateTime::now_utc())
    }

    pub fn from_datetime(dt: OffsetDateTime) -> Timestamp {
        Timestamp((dt.unix_timestamp_nanos() / 1_000) as i64)
    }

    pub fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs.saturating_mul(1_000_000)))
    }

    /// Parses an ISO 8601 / RFC 3339 date-time with any offset and any number of fraction digits
    /// (the Python SDK writes six, .NET seven).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let dt = OffsetDateTime::parse(text, &Rfc3339).ok()?;
        Some(Timestamp::from_datetime(dt))
    }

    fn to_datetime(self) -> OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(UtcOffset::UTC)
    }
}

impl Timestamp {
    /// Appends the wire text (see the `Display` impl) to `out` with plain digit arithmetic: a
    /// list page prints two timestamps per partner, and `fmt` machinery was a tenth of its cost.
    pub fn write_to(self, out: &mut Vec<u8>) {
        let dt = self.to_datetime();
        let Ok(year) = u16::try_from(dt.year()) else {
            // Years before 0 do not occur in rapd's data; keep them exact all the same.
            out.extend_from_slice(format!("{:04}", dt.year()).as_bytes());
            return write_rest(out, dt);
        };
        push_digits(out, u32::from(year), 4);
        write_rest(out, dt);
    }
}

/// `-MM-DDTHH:MM:SS[.ffffff]Z`, the fraction's trailing zeros trimmed.
fn write_rest(out: &mut Vec<u8>, dt: OffsetDateTime) {
    out.push(b'-');
    push_digits(out, u32::from(u8::from(dt.month())), 2);
    out.push(b'-');
    push_digits(out, u32::from(dt.day()), 2);
    out.push(b'T');
    push_digits(out, u32::from(dt.hour()), 2);
    out.push(b':');
    push_digits(out, u32::from(dt.minute()), 2);
    out.push(b':');
    push_digits(out, u32::from(dt.second()), 2);
    let mut micros = dt.microsecond();
    if micros != 0 {
        let mut width = 6;
        while micros.is_multiple_of(10) {
            micros /= 10;
            width -= 1;
        }
        out.push(b'.');
        push_digits(out, micros, width);
    }
    out.push(b'Z');
}

/// `value` in exactly `width` decimal digits, zero-padded (`value` has at most `width` digits).
fn push_digits(out: &mut Vec<u8>, value: u32, width: u32) {
    let mut divisor = 10u32.pow(width - 1);
    while divisor > 0 {
        out.push(b'0' + ((value / divisor) % 10) as u8);
        divisor /= 10;
    }
}

/// Writes `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`: no fraction when it is zero, otherwise the trailing
/// zeros of the six-digit fraction trimmed.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(27);
        self.write_to(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_same_text_as_the_calendar_does() {
        for micros in [0, 1, 10, 100_000, 999_999, 120_000] {
            let t = Timestamp::from_micros(1_700_000_000_000_000 + micros);
            let dt = t.to_datetime();
            let mut expected = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                dt.year(),
                u8::from(dt.month()),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            );
            if micros != 0 {
                expected.push('.');
                expected.push_str(format!("{micros:06}").trim_end_matches('0'));
            }
            expected.push('Z');
            assert_eq!(t.to_string(), expected);
        }
        assert_eq!(
            Timestamp::from_unix_secs(253_402_300_799).to_string(),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn zero_is_year_one() {
        assert_eq!(Timestamp::ZERO.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::parse("0001-01-01T00:00:00Z"),
            Some(Timestamp::ZERO)
        );
    }

    #[test]
    fn parses_offsets_and_long_fractions() {
        let t = Timestamp::parse("2016-12-31T23:58:36.6670033-08:00").unwrap();
        assert_eq!(t.to_string(), "2017-01-01T07:58:36.667003Z");
        let py = Timestamp::parse("2016-12-31T23:58:36.667003-08:00").unwrap();
        assert_eq!(t, py);
        assert!(Timestamp::parse("2016-12-31").is_none());
        assert!(Timestamp::parse("tomorrow").is_none());
    }

    #[test]
    fn round_trips() {
        let t = Timestamp::from_micros(1_700_000_000_123_400);
        assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
    }
}

//! `Edm.DateTimeOffset` values as Intune writes them.

use std::fmt;

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

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

    /// The calendar's view of the instant: the reference the tests hold [`Timestamp::write_to`] to.
    #[cfg(test)]
    fn to_datetime(self) -> OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(time::UtcOffset::UTC)
    }
}

impl Timestamp {
    /// Appends the wire text (see the `Display` impl) to `out` in plain integer arithmetic: a list
    /// page prints one or two timestamps per partner, and the `time` calendar was a tenth of its
    /// cost. An instant outside years -9999..=9999 (beyond `time`'s range) prints as the epoch, as
    /// it always has.
    pub fn write_to(self, out: &mut Vec<u8>) {
        let secs = self.0.div_euclid(1_000_000);
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        if !(-9999..=9999).contains(&year) {
            return Timestamp(0).write_to(out);
        }
        let second_of_day = secs.rem_euclid(86_400) as u32;
        let micros = self.0.rem_euclid(1_000_000) as u32;
        let mut text = *b"0000-00-00T00:00:00.000000Z";
        put_digits(&mut text[5..7], month);
        put_digits(&mut text[8..10], day);
        put_digits(&mut text[11..13], second_of_day / 3600);
        put_digits(&mut text[14..16], second_of_day / 60 % 60);
        put_digits(&mut text[17..19], second_of_day % 60);
        // The fraction without its trailing zeros, or none when it is zero.
        let mut end = 19;
        if micros != 0 {
            put_digits(&mut text[20..26], micros);
            end = 26;
            while text[end - 1] == b'0' {
                end -= 1;
            }
        }
        text[end] = b'Z';
        match u32::try_from(year) {
            Ok(year) => put_digits(&mut text[..4], year),
            // Years before 0 do not occur in rapd's data; keep them exact all the same.
            Err(_) => {
                out.extend_from_slice(format!("{year:04}").as_bytes());
                return out.extend_from_slice(&text[4..=end]);
            }
        }
        out.extend_from_slice(&text[..=end]);
    }
}

/// The proleptic Gregorian (year, month, day) of a day counted from 1970-01-01: Howard Hinnant's
/// `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html#civil_from_days>).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097) as u32;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March is 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = i64::from(year_of_era) + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `value` in decimal filling `digits`, zero-padded (`value` has at most that many digits).
fn put_digits(digits: &mut [u8], mut value: u32) {
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
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
            assert_eq!(t.to_string(), calendar_text(t));
        }
        assert_eq!(
            Timestamp::from_unix_secs(253_402_300_799).to_string(),
            "9999-12-31T23:59:59Z"
        );
    }

    /// The text `time`'s calendar gives, as `write_to` wrote it before it did its own arithmetic.
    fn calendar_text(t: Timestamp) -> String {
        let dt = t.to_datetime();
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        if dt.microsecond() != 0 {
            text.push('.');
            text.push_str(format!("{:06}", dt.microsecond()).trim_end_matches('0'));
        }
        text.push('Z');
        text
    }

    #[test]
    fn writes_the_calendar_text_across_the_whole_range() {
        let edges = [
            i64::MIN,
            i64::MAX,
            0,
            -1,
            1,
            Timestamp::ZERO.0,
            Timestamp::ZERO.0 - 1,
            // The first and last instants `time` holds, and one beyond each.
            -377_705_116_800_000_000,
            -377_705_116_800_000_001,
            253_402_300_799_999_999,
            253_402_300_800_000_000,
            // 0000-03-01, around a leap day and a century that is not a leap year.
            -62_162_035_200_000_000,
            951_782_400_000_000,
            -2_203_891_200_000_000,
        ];
        // A fixed pseudo-random walk over the representable years, so the run is repeatable.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let walk = (0..200_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 631_107_417_600_000_000) as i64 - 377_705_116_800_000_000
        });
        for micros in edges.into_iter().chain(walk) {
            let t = Timestamp::from_micros(micros);
            assert_eq!(t.to_string(), calendar_text(t), "{micros}");
        }
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

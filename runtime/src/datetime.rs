//! [`DateTime`]: an RFC 3339 date-time that round-trips WeChat Pay's form.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A date-time with its UTC offset, as WeChat Pay writes it: `2024-11-21T15:40:01+08:00`.
///
/// - Parsing ([`FromStr`], `Deserialize` from a JSON string) accepts any RFC 3339 date-time
///   (`Z`, fractional seconds, any offset) and keeps the offset that was written.
/// - Formatting ([`Display`](fmt::Display), `Serialize` as a JSON string) is always
///   `YYYY-MM-DDTHH:MM:SS±HH:MM`: whole seconds (a fraction is dropped), UTC written `+00:00`
///   (never `Z`). So a value WeChat sent comes back byte-identical.
/// - `PartialEq`/`Ord`/`Hash` compare the instant (as [`OffsetDateTime`] does):
///   `2024-11-21T15:40:01+08:00 == 2024-11-21T07:40:01+00:00`.
///
/// Wraps [`time::OffsetDateTime`]; see [`DateTime::as_offset_date_time`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(OffsetDateTime);

/// Error of [`DateTime::from_str`]: the text is not an RFC 3339 date-time.
#[derive(Debug, Clone)]
pub struct ParseDateTimeError(time::error::Parse);

impl fmt::Display for ParseDateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an RFC 3339 date-time: {}", self.0)
    }
}

impl std::error::Error for ParseDateTimeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl DateTime {
    /// Wraps an [`OffsetDateTime`] (same as `From`).
    pub const fn new(inner: OffsetDateTime) -> Self {
        Self(inner)
    }

    /// The wrapped date-time, with the offset it was parsed or built with.
    pub const fn as_offset_date_time(&self) -> &OffsetDateTime {
        &self.0
    }

    /// Unwraps into the inner [`OffsetDateTime`].
    pub const fn into_inner(self) -> OffsetDateTime {
        self.0
    }

    /// Seconds since the Unix epoch (UTC).
    pub const fn unix_timestamp(&self) -> i64 {
        self.0.unix_timestamp()
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(value: OffsetDateTime) -> Self {
        Self(value)
    }
}

impl From<DateTime> for OffsetDateTime {
    fn from(value: DateTime) -> Self {
        value.0
    }
}

impl FromStr for DateTime {
    type Err = ParseDateTimeError;

    /// Parses any RFC 3339 date-time, e.g. `2024-11-21T15:40:01+08:00` or `2024-11-21T07:40:01Z`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OffsetDateTime::parse(s, &Rfc3339)
            .map(Self)
            .map_err(ParseDateTimeError)
    }
}

impl fmt::Display for DateTime {
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM`, e.g. `2024-11-21T15:40:01+08:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = &self.0;
        let offset = dt.offset();
        let sign = if offset.is_negative() { '-' } else { '+' };
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            offset.whole_hours().unsigned_abs(),
            offset.minutes_past_hour().unsigned_abs(),
        )
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string such as 2024-11-21T15:40:01+08:00")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::DateTime;

    #[test]
    fn wechat_form_round_trips_byte_identically() {
        let s = "2024-11-21T15:40:01+08:00";
        let dt: DateTime = s.parse().unwrap();
        assert_eq!(dt.to_string(), s);
        assert_eq!(dt.as_offset_date_time().offset().whole_hours(), 8);
        let json = format!("\"{s}\"");
        let back: DateTime = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn utc_is_written_plus_zero() {
        let dt: DateTime = "2024-11-21T07:40:01Z".parse().unwrap();
        assert_eq!(dt.to_string(), "2024-11-21T07:40:01+00:00");
        let dt: DateTime = "2024-11-21T07:40:01+00:00".parse().unwrap();
        assert_eq!(dt.to_string(), "2024-11-21T07:40:01+00:00");
    }

    #[test]
    fn negative_and_half_hour_offsets_and_fractions() {
        let dt: DateTime = "2024-01-02T03:04:05.678-09:30".parse().unwrap();
        assert_eq!(dt.to_string(), "2024-01-02T03:04:05-09:30");
        let dt: DateTime = "2024-01-02T03:04:05+05:45".parse().unwrap();
        assert_eq!(dt.to_string(), "2024-01-02T03:04:05+05:45");
        assert_eq!(format!("{dt:?}"), "DateTime(2024-01-02T03:04:05+05:45)");
    }

    #[test]
    fn equality_and_order_follow_the_instant() {
        let a: DateTime = "2024-11-21T15:40:01+08:00".parse().unwrap();
        let b: DateTime = "2024-11-21T07:40:01Z".parse().unwrap();
        let c: DateTime = "2024-11-21T07:40:02Z".parse().unwrap();
        assert_eq!(a, b);
        assert!(a < c);
        assert_eq!(a.unix_timestamp(), 1_732_174_801);
        let inner: time::OffsetDateTime = a.into();
        assert_eq!(DateTime::from(inner).to_string(), "2024-11-21T15:40:01+08:00");
    }

    #[test]
    fn rejects_non_rfc3339() {
        for bad in ["2024-11-21 15:40:01", "2024-11-21", "1732174801", ""] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<DateTime>("1732174801").is_err());
        let err = "x".parse::<DateTime>().unwrap_err();
        assert!(err.to_string().starts_with("not an RFC 3339 date-time"));
    }
}

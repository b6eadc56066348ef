//! Time as the store sees it: a [`Timestamp`] given by the caller, never read from a clock.
//!
//! The library stays pure, so the time an action happens at is an input like its parameters:
//! whoever drives the store (the emulator, a test) moves
//! [`ImageStore::advance_clock`](crate::ImageStore::advance_clock) forward, and every resource
//! made after that is stamped with [`ImageStore::now`](crate::ImageStore::now). A saved
//! [`StoreState`](crate::StoreState) carries the clock, so a reloaded store stamps the same
//! times, and a journal that records each call's time replays to the same bytes.
//!
//! Milliseconds, not seconds: a progress policy of "after half a second" must be expressible,
//! while the API writes its times to the second (`2026-12-02T12:37:28Z`, its `Display`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// A point in time, in milliseconds since the Unix epoch (UTC), from the epoch to the end of
/// the year 9999 (the API's four-digit years).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(u64);

/// A time that is not one: out of range, or not written as the API writes times.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// After 9999-12-31T23:59:59.999Z, the last time a four-digit year can write.
    #[error("a time after 9999-12-31T23:59:59.999Z")]
    OutOfRange,
    /// Not a UTC time like `2026-12-02T12:37:28Z` (RFC 3339, optionally with milliseconds).
    #[error("{0:?} is not a UTC time like 2026-12-02T12:37:28Z")]
    Malformed(String),
}

/// 9999-12-31T23:59:59.999Z.
const LAST_MILLIS: u64 = 253_402_300_799_999;

impl Timestamp {
    /// 1970-01-01T00:00:00Z: the clock of a new store.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// The time `millis` milliseconds after the epoch.
    pub fn from_unix_millis(millis: u64) -> Result<Self, TimestampError> {
        if millis > LAST_MILLIS {
            return Err(TimestampError::OutOfRange);
        }
        Ok(Self(millis))
    }

    /// Milliseconds since the epoch.
    pub const fn unix_millis(self) -> u64 {
        self.0
    }

    /// The time `duration` later, or [`TimestampError::OutOfRange`].
    pub fn checked_add(self, duration: Duration) -> Result<Self, TimestampError> {
        let millis = u64::try_from(duration.as_millis()).map_err(|_| TimestampError::OutOfRange)?;
        Self::from_unix_millis(self.0.saturating_add(millis))
    }

    /// A time as the Describe actions' time filters take it, in UTC: to the minute
    /// (`2026-12-02T12:37Z`, DescribeImages `Filter.N.Value` \[D\]) or to the second and
    /// beyond (RFC 3339, DescribeTasks `StartTime` \[D\]).
    pub fn from_api(s: &str) -> Result<Self, TimestampError> {
        let to_the_minute =
            s.len() == 17 && s.ends_with('Z') && s.as_bytes().get(13) == Some(&b':');
        if to_the_minute {
            return format!("{}:00Z", &s[..16]).parse();
        }
        s.parse()
    }

    /// How long after `earlier` this is; zero when it is not after it.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    fn utc(self) -> OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .expect("every Timestamp is within the year 9999")
    }
}

/// As the API writes its times, to the second: `2026-12-02T12:37:28Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let text = self.utc().format(&format).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// RFC 3339 in UTC, with or without fractional seconds (kept to the millisecond).
impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || TimestampError::Malformed(s.to_owned());
        let parsed = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| malformed())?;
        if parsed.offset() != UtcOffset::UTC {
            return Err(malformed());
        }
        let millis = parsed.unix_timestamp_nanos() / 1_000_000;
        let millis = u64::try_from(millis).map_err(|_| malformed())?;
        Self::from_unix_millis(millis)
    }
}

/// RFC 3339 with milliseconds where there are any, so a saved store keeps its exact time.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self
            .utc()
            .format(&Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ImageStore;

    #[test]
    fn the_api_form_is_to_the_second_and_serde_keeps_milliseconds() {
        let t = Timestamp::from_unix_millis(1_796_215_048_123).unwrap();
        assert_eq!(t.to_string(), "2026-12-02T12:37:28Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2026-12-02T12:37:28.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert_eq!(
            "2026-12-02T12:37:28Z"
                .parse::<Timestamp>()
                .unwrap()
                .unix_millis(),
            1_796_215_048_000
        );
    }

    #[test]
    fn out_of_range_and_foreign_forms_are_refused() {
        assert_eq!(
            Timestamp::from_unix_millis(LAST_MILLIS + 1),
            Err(TimestampError::OutOfRange)
        );
        assert!(
            Timestamp::from_unix_millis(LAST_MILLIS)
                .unwrap()
                .to_string()
                .starts_with("9999-12-31T23:59:59")
        );
        for bad in [
            "2026-12-02 12:37:28",
            "2026-12-02T12:37:28+08:00",
            "1969-12-31T23:59:59Z",
            "",
        ] {
            assert!(
                matches!(bad.parse::<Timestamp>(), Err(TimestampError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_store_clock_never_goes_back() {
        let mut store = ImageStore::new();
        assert_eq!(store.now(), Timestamp::EPOCH);
        let later = Timestamp::from_unix_millis(5_000).unwrap();
        store.advance_clock(later);
        store.advance_clock(Timestamp::from_unix_millis(1_000).unwrap());
        assert_eq!(store.now(), later);
        assert_eq!(later.since(Timestamp::EPOCH), Duration::from_secs(5));
        assert_eq!(Timestamp::EPOCH.since(later), Duration::ZERO);
        let saved = store.to_state();
        assert_eq!(saved.clock, later);
        assert_eq!(ImageStore::from_state(saved).unwrap(), store);
    }
}

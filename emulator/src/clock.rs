//! The emulator's clock: the time each call happens at, given to the library (which reads no
//! clock) before the call. The wall clock by default; a fixed or stepped clock makes a test's
//! times, and so its progress, deterministic. Set by `--clock` and `PUT /_emulator/clock`.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ecs_image_rules::Timestamp;

/// Where the time of a call comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// `wall`: the machine's clock.
    Wall,
    /// `fixed:<time>`: always this time, until set again (or moved by
    /// `POST /_emulator/clock/advance`).
    Fixed(Timestamp),
    /// `stepped:<time>+<seconds>`: this time for the first call, then `step` later for each
    /// call after it.
    Stepped {
        /// The time of the next call.
        next: Timestamp,
        /// How much later each call is than the one before.
        step: Duration,
    },
}

impl Clock {
    /// The time of a call now; a stepped clock moves on.
    pub fn tick(&mut self) -> Timestamp {
        match self {
            Clock::Wall => {
                let millis = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                Timestamp::from_unix_millis(millis).unwrap_or(Timestamp::EPOCH)
            }
            Clock::Fixed(at) => *at,
            Clock::Stepped { next, step } => {
                let now = *next;
                *next = now.checked_add(*step).unwrap_or(now);
                now
            }
        }
    }

    /// A fixed or stepped clock moved `by` later; the wall clock cannot be moved.
    pub fn advance(&mut self, by: Duration) -> Result<(), ClockError> {
        let moved = |t: Timestamp| t.checked_add(by).map_err(|_| ClockError::OutOfRange);
        match self {
            Clock::Wall => Err(ClockError::WallClock),
            Clock::Fixed(at) => {
                *at = moved(*at)?;
                Ok(())
            }
            Clock::Stepped { next, .. } => {
                *next = moved(*next)?;
                Ok(())
            }
        }
    }
}

/// A clock that does not parse, or cannot be moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Not `wall`, `fixed:<time>` or `stepped:<time>+<seconds>`.
    #[error(
        "{0:?} is not a clock: wall, fixed:<time> or stepped:<time>+<seconds> (time like 2026-12-02T12:00:00Z)"
    )]
    Malformed(String),
    /// `advance` on the wall clock.
    #[error("the wall clock cannot be moved")]
    WallClock,
    /// A time past the year 9999.
    #[error("the clock would pass the year 9999")]
    OutOfRange,
}

impl FromStr for Clock {
    type Err = ClockError;

    fn from_str(s: &str) -> Result<Self, ClockError> {
        let bad = || ClockError::Malformed(s.to_owned());
        if s == "wall" {
            return Ok(Clock::Wall);
        }
        if let Some(time) = s.strip_prefix("fixed:") {
            return time.parse().map(Clock::Fixed).map_err(|_| bad());
        }
        let rest = s.strip_prefix("stepped:").ok_or_else(bad)?;
        let (time, step) = rest.rsplit_once('+').ok_or_else(bad)?;
        let step: f64 = step.parse().map_err(|_| bad())?;
        if !(0.0..=86_400.0).contains(&step) {
            return Err(bad());
        }
        Ok(Clock::Stepped {
            next: time.parse().map_err(|_| bad())?,
            step: Duration::from_millis((step * 1000.0).round() as u64),
        })
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clock::Wall => f.write_str("wall"),
            Clock::Fixed(at) => write!(f, "fixed:{at}"),
            Clock::Stepped { next, step } => {
                write!(f, "stepped:{next}+{}", step.as_millis() as f64 / 1000.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_parse_tick_and_move() {
        let mut fixed: Clock = "fixed:2026-12-02T12:00:00Z".parse().unwrap();
        assert_eq!(fixed.tick().to_string(), "2026-12-02T12:00:00Z");
        assert_eq!(fixed.tick().to_string(), "2026-12-02T12:00:00Z");
        fixed.advance(Duration::from_secs(90)).unwrap();
        assert_eq!(fixed.tick().to_string(), "2026-12-02T12:01:30Z");
        let mut stepped: Clock = "stepped:2026-12-02T12:00:00Z+2".parse().unwrap();
        assert_eq!(stepped.tick().to_string(), "2026-12-02T12:00:00Z");
        assert_eq!(stepped.tick().to_string(), "2026-12-02T12:00:02Z");
        assert_eq!(
            "wall"
                .parse::<Clock>()
                .unwrap()
                .advance(Duration::from_secs(1)),
            Err(ClockError::WallClock)
        );
        for bad in [
            "",
            "fixed:",
            "fixed:yesterday",
            "stepped:2026-12-02T12:00:00Z",
            "sundial",
        ] {
            assert!(bad.parse::<Clock>().is_err(), "{bad}");
        }
        assert!(Clock::Wall.tick() > Timestamp::EPOCH);
    }
}

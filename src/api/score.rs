//! Liveness scores and thresholds, kept in hundredths so that "equal to the minimum" is exact.
//!
//! The vendor prints scores with two decimals (`liveness_failed@0.45`) and the pass rule is strict
//! (`score > minScore`), so comparing floats would make the boundary case depend on rounding noise.

use std::fmt;
use std::str::FromStr;

/// A score or threshold in [0, 1] with two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(u8);

/// A number that is not a score in [0, 1].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    #[error("{0} is not a number in [0, 1]")]
    OutOfRange(f64),
    #[error("{0:?} is not a decimal score")]
    NotANumber(String),
}

impl Score {
    pub(crate) const ZERO: Score = Score(0);
    pub(crate) const ONE: Score = Score(100);

    /// Rounds to the nearest hundredth; NaN and values outside [0, 1] are errors.
    pub fn from_f64(value: f64) -> Result<Score, ScoreError> {
        if !(0.0..=1.0).contains(&value) {
            return Err(ScoreError::OutOfRange(value));
        }
        Ok(Score((value * 100.0).round() as u8))
    }

    /// Clamps into [0, 1] first: for engines whose raw output may overshoot slightly.
    pub(crate) fn saturating_from_f64(value: f64) -> Score {
        if value.is_nan() {
            return Score::ZERO;
        }
        Score((value.clamp(0.0, 1.0) * 100.0).round() as u8)
    }

    pub(crate) fn from_hundredths(hundredths: u8) -> Result<Score, ScoreError> {
        if hundredths > 100 {
            return Err(ScoreError::OutOfRange(f64::from(hundredths) / 100.0));
        }
        Ok(Score(hundredths))
    }

    pub(crate) fn hundredths(self) -> u8 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// The documented pass rule of the liveness endpoints: strictly above the minimum.
    pub(crate) fn passes(self, minimum: Score) -> bool {
        self > minimum
    }

    /// Shifts by `delta` hundredths, saturating at the ends of [0, 1].
    pub(crate) fn shifted(self, delta: i16) -> Score {
        Score((i16::from(self.0) + delta).clamp(0, 100) as u8)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl FromStr for Score {
    type Err = ScoreError;

    /// Accepts what targets print after `@`: `0.45`, `0.6`, `1`, `.5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let value: f64 = if ok {
            s.parse().map_err(|_| ScoreError::NotANumber(s.to_owned()))?
        } else {
            return Err(ScoreError::NotANumber(s.to_owned()));
        };
        Score::from_f64(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_two_decimals_like_the_vendor() {
        assert_eq!(Score::from_f64(0.45).map(|s| s.to_string()), Ok("0.45".to_owned()));
        assert_eq!(Score::from_f64(0.6).map(|s| s.to_string()), Ok("0.60".to_owned()));
        assert_eq!(Score::ONE.to_string(), "1.00");
        assert_eq!(Score::ZERO.to_string(), "0.00");
    }

    #[test]
    fn equal_to_the_minimum_fails() {
        let min = Score::from_f64(0.6).expect("in range");
        assert!(!min.passes(min));
        assert!(min.shifted(1).passes(min));
        assert!(!min.shifted(-1).passes(min));
        // 0.6049 rounds to 0.60 and therefore fails, the same decision the printed score implies.
        assert!(!Score::saturating_from_f64(0.6049).passes(min));
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!("0.45".parse::<Score>().map(Score::hundredths), Ok(45));
        assert_eq!(".5".parse::<Score>().map(Score::hundredths), Ok(50));
        assert!("1.5".parse::<Score>().is_err());
        assert!("-0.1".parse::<Score>().is_err());
        assert!("ERR_NO_FACE_DETECTED".parse::<Score>().is_err());
        assert!("NaN".parse::<Score>().is_err());
        assert!(Score::from_f64(f64::NAN).is_err());
    }
}

//! Seeded score noise and shift for the liveness engine (`--liveness-noise SD`, `--liveness-shift
//! DELTA`): what a vendor's model looks like run to run, so that the drift verdict can be measured
//! against known shifts. The noise of one presentation depends only on the seed, the image and how
//! many times that image was seen before, never on the order of requests from other clients.

use rand_core::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg64;
use sha2::{Digest as _, Sha256};

use crate::api::Score;

/// How the engine's scores are perturbed; the default changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScoreNoise {
    /// Standard deviation of the Gaussian noise added to each score.
    pub sd: f64,
    /// Standard deviation of one offset every score of the run shares (a vendor's day-to-day
    /// movement), drawn once from the seed.
    pub run_sd: f64,
    /// Added to every score before the noise.
    pub shift: f64,
    pub seed: u64,
}

impl ScoreNoise {
    pub(crate) fn is_none(&self) -> bool {
        self.sd == 0.0 && self.run_sd == 0.0 && self.shift == 0.0
    }

    /// The offset every score of this run shares.
    pub fn run_offset(&self) -> f64 {
        if self.run_sd > 0.0 { self.run_sd * standard_normal(self.seed, "the run's offset", 0) } else { 0.0 }
    }

    /// `score + shift + run offset + N(0, sd)`, clamped to [0, 1] and rounded to hundredths like every score;
    /// `occurrence` counts earlier presentations of the same image.
    pub fn apply(&self, score: Score, image_digest: &str, occurrence: u64) -> Score {
        if self.is_none() {
            return score;
        }
        let noise = if self.sd > 0.0 { self.sd * standard_normal(self.seed, image_digest, occurrence) } else { 0.0 };
        let moved = (score.as_f64() + self.shift + self.run_offset() + noise).clamp(0.0, 1.0);
        Score::from_f64(moved).unwrap_or(score)
    }
}

/// One standard normal draw (Box–Muller) from a generator seeded by the seed, the image and the
/// occurrence.
fn standard_normal(seed: u64, image_digest: &str, occurrence: u64) -> f64 {
    let key = Sha256::digest(format!("{seed}|{image_digest}|{occurrence}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&key[..8]);
    let mut rng = Pcg64::seed_from_u64(u64::from_le_bytes(bytes));
    // Uniforms in (0, 1]: 53 random bits, never zero, so the logarithm is finite.
    let mut uniform = || ((rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
    let (u1, u2) = (uniform(), uniform());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_seeded_centred_and_of_the_asked_spread() {
        let n = ScoreNoise { sd: 0.02, seed: 7, ..ScoreNoise::default() };
        let base = Score::from_f64(0.5).expect("score");
        let draws: Vec<f64> = (0..4000).map(|i| n.apply(base, "img", i).as_f64() - 0.5).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let sd = (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64).sqrt();
        assert!(mean.abs() < 0.002 && (sd - 0.02).abs() < 0.002, "mean {mean} sd {sd}");
        assert_eq!(n.apply(base, "img", 3), n.apply(base, "img", 3), "the same seed, image and occurrence");
        let shifted = ScoreNoise { shift: -0.05, seed: 1, ..ScoreNoise::default() };
        assert_eq!(shifted.apply(base, "img", 0).hundredths(), 45);
        assert_eq!(ScoreNoise::default().apply(base, "img", 0), base);
    }

    #[test]
    fn the_run_offset_is_shared_by_every_score_of_a_run_and_differs_across_runs() {
        let base = Score::from_f64(0.5).expect("score");
        let run = |seed| ScoreNoise { run_sd: 0.02, seed, ..ScoreNoise::default() };
        let moved: Vec<i64> =
            ["a", "b", "c"].iter().map(|img| i64::from(run(3).apply(base, img, 0).hundredths())).collect();
        assert!(moved.windows(2).all(|w| w[0] == w[1]), "one offset for every image: {moved:?}");
        let offsets: Vec<f64> = (0..4000).map(|seed| run(seed).run_offset()).collect();
        let mean = offsets.iter().sum::<f64>() / offsets.len() as f64;
        let sd = (offsets.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / offsets.len() as f64).sqrt();
        assert!(mean.abs() < 0.002 && (sd - 0.02).abs() < 0.002, "mean {mean} sd {sd}");
    }
}

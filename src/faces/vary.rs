//! Bona fide variation: the same live photo as another camera, room or hand would take it (lighting, a
//! small rotation, a smaller capture, sensor noise), so BPCER is estimated over more than one capture
//! per face. Every amount is drawn from a generator seeded by the face, and named in the recipe.

use image::imageops::FilterType;
use image::{DynamicImage, Rgb, RgbImage};

use super::derive::{SplitMix, clamp8, encode_jpeg, working_copy};

/// The variations, in the order the set lists them; the recipe name is the fixture id's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub(crate) enum Variation {
    Lighting,
    Rotation,
    Scale,
    SensorNoise,
}

crate::api::closed!(Variation);

impl Variation {
    /// The variation of a photo, as a JPEG at quality 90 (what a phone stores).
    pub(crate) fn apply(self, img: &DynamicImage, seed: u64) -> Vec<u8> {
        // One generator per (face, variation), so adding a variation changes no other fixture.
        let mut rng = SplitMix(seed.wrapping_mul(31).wrapping_add(self as u64 + 1));
        let src = working_copy(img);
        let out = match self {
            Variation::Lighting => lighting(&src, 0.7 + 0.6 * rng.next_f32(), 0.85 + 0.3 * rng.next_f32()),
            Variation::Rotation => {
                let degrees = 2.0 + 3.0 * rng.next_f32();
                rotate(&src, if rng.next_f32() < 0.5 { -degrees } else { degrees })
            }
            Variation::Scale => {
                let k = 0.55 + 0.25 * rng.next_f32();
                let (w, h) = ((src.width() as f32 * k) as u32, (src.height() as f32 * k) as u32);
                DynamicImage::ImageRgb8(src).resize_exact(w.max(1), h.max(1), FilterType::CatmullRom).to_rgb8()
            }
            Variation::SensorNoise => {
                let sigma = 0.01 + 0.02 * rng.next_f32();
                let mut out = src;
                for p in out.pixels_mut() {
                    p.0 = p.0.map(|c| clamp8(f32::from(c) / 255.0 + rng.noise(sigma)));
                }
                out
            }
        };
        encode_jpeg(&out, 90)
    }
}

/// Exposure and gamma: `gain · v^gamma` per channel.
fn lighting(src: &RgbImage, gain: f32, gamma: f32) -> RgbImage {
    let mut out = src.clone();
    for p in out.pixels_mut() {
        p.0 = p.0.map(|c| clamp8(gain * (f32::from(c) / 255.0).powf(gamma)));
    }
    out
}

/// A rotation about the centre, bilinear, with the edges extended so no black corners appear.
fn rotate(src: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = src.dimensions();
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let at = |x: i64, y: i64| src.get_pixel(x.clamp(0, i64::from(w) - 1) as u32, y.clamp(0, i64::from(h) - 1) as u32).0;
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (a, b, c, d) = (at(x0, y0), at(x0 + 1, y0), at(x0, y0 + 1), at(x0 + 1, y0 + 1));
        Rgb([0, 1, 2].map(|i| {
            let top = f32::from(a[i]) * (1.0 - fx) + f32::from(b[i]) * fx;
            let bottom = f32::from(c[i]) * (1.0 - fx) + f32::from(d[i]) * fx;
            (top * (1.0 - fy) + bottom * fy).round() as u8
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_by_zero_is_the_identity_and_variations_follow_their_seed() {
        let src = RgbImage::from_fn(40, 30, |x, y| Rgb([(x * 6) as u8, (y * 8) as u8, ((x * y) % 256) as u8]));
        assert_eq!(rotate(&src, 0.0), src);
        assert_eq!(lighting(&src, 1.0, 1.0), src);
        let img = DynamicImage::ImageRgb8(src);
        for &v in Variation::ALL {
            assert!(v.apply(&img, 4) == v.apply(&img, 4), "{v:?}");
        }
        assert!(Variation::SensorNoise.apply(&img, 4) != Variation::SensorNoise.apply(&img, 5));
    }
}

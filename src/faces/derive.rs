//! Deterministic derivations of the bona fide photos: simulated presentation attacks (screen replay,
//! print), quality cases (face too small, face at the border, several faces, dark, blurred) and
//! re-encodings. Same input, same bytes, every run: every random choice comes from a seeded generator.
//!
//! The recipes follow a published recipe for simulated presentation attacks (a screen's pixel grid,
//! moiré, gamma and glare; a print's halftone, contrast, cast and grain), rewritten here.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};

/// SplitMix64: a few lines of arithmetic, so grain noise is the same on every machine.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Approximately normal noise (Irwin–Hall of four uniforms), scaled to `sigma`.
    pub(crate) fn noise(&mut self, sigma: f32) -> f32 {
        let s: f32 = (0..4).map(|_| self.next_f32()).sum();
        (s - 2.0) * sigma * 1.732
    }
}

pub(crate) fn clamp8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

pub(crate) fn encode_jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    // Encoding an in-memory RGB buffer cannot fail short of running out of memory.
    let _ = JpegEncoder::new_with_quality(&mut out, quality).encode_image(img);
    out
}

pub(crate) fn encode_png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    // The same for PNG: an in-memory buffer only fails when memory does.
    let _ = img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png);
    out
}

/// Works at most this wide, like a phone camera's preview.
pub(crate) fn working_copy(img: &DynamicImage) -> RgbImage {
    let (w, h) = img.dimensions();
    if w.max(h) > 800 { img.resize(800, 800, FilterType::Triangle).to_rgb8() } else { img.to_rgb8() }
}

/// A photo shown on a screen and captured again: pixel grid, moiré, gamma lift, blue cast, glare,
/// a dark bezel, JPEG at quality 60.
pub(crate) fn screen_replay(img: &DynamicImage) -> Vec<u8> {
    encode_jpeg(&on_screen(&working_copy(img)), 60)
}

/// The photo as a camera sees it on a screen, at the source's size: pixel grid, moiré, gamma lift,
/// blue cast, glare and a dark bezel.
pub(crate) fn on_screen(src: &RgbImage) -> RgbImage {
    let (w, h) = src.dimensions();
    let grid = imageops::resize(
        &imageops::resize(src, (w / 3).max(1), (h / 3).max(1), FilterType::Triangle),
        w,
        h,
        FilterType::Nearest,
    );
    let (ang, wf, hf) = (0.35f32, w as f32, h as f32);
    let mut out = RgbImage::new(w, h);
    for (x, y, p) in grid.enumerate_pixels() {
        let (xf, yf) = (x as f32, y as f32);
        let moire = 0.5
            + 0.5
                * (std::f32::consts::TAU * (xf * ang.cos() + yf * ang.sin()) / 5.3).sin()
                * (std::f32::consts::TAU * (xf * ang.sin() - yf * ang.cos()) / 6.1).sin();
        let glare = (-(((xf - 0.7 * wf) / (0.25 * wf)).powi(2) + ((yf - 0.25 * hf) / (0.2 * hf)).powi(2))).exp();
        let cast = [0.92f32, 0.98, 1.08];
        let mut c = [0u8; 3];
        for i in 0..3 {
            let a = f32::from(p.0[i]) / 255.0 * (0.82 + 0.18 * moire);
            c[i] = clamp8(a.powf(0.8) * cast[i] + 0.25 * glare);
        }
        out.put_pixel(x, y, Rgb(c));
    }
    let out = imageops::blur(&out, 0.8);
    let bezel = (0.06 * f32::from(u16::try_from(w.max(h)).unwrap_or(u16::MAX))) as u32;
    let mut canvas = RgbImage::from_pixel(w + 2 * bezel, h + 2 * bezel, Rgb([18, 18, 20]));
    imageops::overlay(&mut canvas, &out, i64::from(bezel), i64::from(bezel));
    imageops::resize(&canvas, w, h, FilterType::Triangle)
}

/// A photo printed on paper and captured again: halftone dots, crushed contrast, a warm cast, paper
/// grain, a paper border, JPEG at quality 70.
pub(crate) fn print_attack(img: &DynamicImage, seed: u64) -> Vec<u8> {
    let out = printed(&working_copy(img), seed);
    let (w, h) = out.dimensions();
    let border = (0.05 * w.max(h) as f32) as u32;
    let mut canvas = RgbImage::from_pixel(w + 2 * border, h + 2 * border, Rgb([235, 232, 220]));
    imageops::overlay(&mut canvas, &out, i64::from(border), i64::from(border));
    encode_jpeg(&imageops::resize(&canvas, w, h, FilterType::Triangle), 70)
}

/// The printed surface itself, at the source's geometry: halftone dots, crushed contrast, a warm cast
/// and paper grain, slightly out of focus.
pub(crate) fn printed(src: &RgbImage, seed: u64) -> RgbImage {
    let (w, h) = src.dimensions();
    let mut rng = SplitMix(seed);
    let cell = 4.0f32;
    let mut out = RgbImage::new(w, h);
    for (x, y, p) in src.enumerate_pixels() {
        let dots = 0.5
            + 0.5 * (std::f32::consts::TAU * x as f32 / cell).cos() * (std::f32::consts::TAU * y as f32 / cell).cos();
        let a: [f32; 3] = [0, 1, 2].map(|i| f32::from(p.0[i]) / 255.0);
        let lum = (a[0] + a[1] + a[2]) / 3.0;
        let cast = [1.05f32, 1.0, 0.88];
        let mut c = [0u8; 3];
        for i in 0..3 {
            let v = if dots > lum { a[i] * 0.85 } else { (a[i] * 1.05).min(1.0) };
            c[i] = clamp8((0.12 + 0.76 * v) * cast[i] + rng.noise(0.02));
        }
        out.put_pixel(x, y, Rgb(c));
    }
    imageops::blur(&out, 1.1)
}

/// The whole photo shrunk to a fifth and centred on a grey canvas of the original size.
pub(crate) fn face_too_small(img: &DynamicImage) -> Vec<u8> {
    let src = working_copy(img);
    let (w, h) = src.dimensions();
    let small = imageops::resize(&src, (w / 5).max(1), (h / 5).max(1), FilterType::Triangle);
    let mut canvas = RgbImage::from_pixel(w, h, Rgb([128, 128, 128]));
    imageops::overlay(&mut canvas, &small, i64::from((w - small.width()) / 2), i64::from((h - small.height()) / 2));
    encode_jpeg(&canvas, 90)
}

/// The photo cropped so the face's box starts two pixels from the left edge.
pub(crate) fn face_at_border(img: &DynamicImage, face_x: f64) -> Vec<u8> {
    let src = working_copy(img);
    let (w, h) = src.dimensions();
    let scale = f64::from(w) / f64::from(img.width());
    let x0 = ((face_x * scale) as u32).saturating_sub(2).min(w.saturating_sub(1));
    let crop = imageops::crop_imm(&src, x0, 0, w - x0, h).to_image();
    encode_jpeg(&crop, 90)
}

/// Two photos side by side at the same height: two faces in one picture.
pub(crate) fn several_faces(a: &DynamicImage, b: &DynamicImage) -> Vec<u8> {
    let height = 480;
    let a = a.resize(10_000, height, FilterType::Triangle).to_rgb8();
    let b = b.resize(10_000, height, FilterType::Triangle).to_rgb8();
    let mut canvas = RgbImage::from_pixel(a.width() + b.width(), height, Rgb([0, 0, 0]));
    imageops::overlay(&mut canvas, &a, 0, 0);
    imageops::overlay(&mut canvas, &b, i64::from(a.width()), 0);
    encode_jpeg(&canvas, 90)
}

/// Under-exposed: every channel scaled to a fifth.
pub(crate) fn dark(img: &DynamicImage) -> Vec<u8> {
    let mut src = working_copy(img);
    for p in src.pixels_mut() {
        p.0 = p.0.map(|c| c / 5);
    }
    encode_jpeg(&src, 90)
}

/// Out of focus: a Gaussian blur of 6 % of the shorter side.
pub(crate) fn blurred(img: &DynamicImage) -> Vec<u8> {
    let src = working_copy(img);
    let sigma = 0.06 * src.width().min(src.height()) as f32;
    encode_jpeg(&imageops::blur(&src, sigma), 90)
}

/// A 640x480 JPEG selfie: the Grace Hopper fixture on a plain background, what the benchmarks send.
pub fn selfie_640x480() -> Vec<u8> {
    let Some(Ok(face)) = super::source("grace_hopper").map(image::load_from_memory) else {
        return Vec::new();
    };
    let face = face.resize(400, 470, FilterType::Triangle).to_rgb8();
    let mut canvas = RgbImage::from_pixel(640, 480, Rgb([200, 205, 210]));
    imageops::overlay(&mut canvas, &face, i64::from((640 - face.width()) / 2), i64::from((480 - face.height()) / 2));
    encode_jpeg(&canvas, 90)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, y| {
            Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
        }))
    }

    #[test]
    fn derivations_are_deterministic() {
        let img = sample();
        assert_eq!(screen_replay(&img), screen_replay(&img));
        assert_eq!(print_attack(&img, 7), print_attack(&img, 7));
        assert_ne!(print_attack(&img, 7), print_attack(&img, 8));
        assert_eq!(several_faces(&img, &img), several_faces(&img, &img));
        let mut r = SplitMix(1);
        let xs: Vec<f32> = (0..1000).map(|_| r.next_f32()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f32>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "{mean}");
    }
}

//! Attack species beyond print and screen replay, derived by seeded recipes from the bona fide photos:
//! a printed face cut out with eye holes and worn over a real head, a video frame replayed on a
//! screen with motion blur and heavy compression, a morph of two people, and an injected image whose
//! camera traces were removed. The first two are recaptures (a camera films an artefact); the last two
//! never pass in front of a camera, so they carry none of a recapture's distortion: that is what they
//! are for. The emulator's engine is calibrated on none of these: what it makes of them is measured.

use image::imageops::{self, FilterType};
use image::{DynamicImage, Rgb, RgbImage};

use super::FaceRegion;
use super::derive::{SplitMix, encode_jpeg, encode_png, on_screen, printed, working_copy};

/// A face box scaled from the source photo to its working copy.
fn scaled(face: FaceRegion, img: &DynamicImage, copy: &RgbImage) -> FaceRegion {
    let k = f64::from(copy.width()) / f64::from(img.width());
    FaceRegion { x: face.x * k, y: face.y * k, width: face.width * k, height: face.height * k }
}

/// Inside an axis-aligned ellipse given by its bounding box.
fn in_ellipse(x: f64, y: f64, x0: f64, y0: f64, w: f64, h: f64) -> bool {
    let (dx, dy) = ((x - x0 - w / 2.0) / (w / 2.0), (y - y0 - h / 2.0) / (h / 2.0));
    dx * dx + dy * dy <= 1.0
}

/// A printed face, cut out along an oval a little larger than the face box, with two eye holes the
/// wearer's own eyes show through, held over the real head: the background, hair and shoulders are
/// live, the face is paper. The print is made a tenth larger than the camera sees it (as a print
/// attack's paper, border included, is), so its halftone reaches the camera resampled. JPEG at quality 85.
pub(crate) fn cut_out(img: &DynamicImage, face: FaceRegion, seed: u64) -> Vec<u8> {
    let live = working_copy(img);
    let (w, h) = live.dimensions();
    let large = imageops::resize(&live, w + w / 10, h + h / 10, FilterType::Triangle);
    let paper = imageops::resize(&printed(&large, seed), w, h, FilterType::Triangle);
    let f = scaled(face, img, &live);
    // The mask: 1.3 face widths wide, 1.5 face heights tall, centred a little below the box's centre.
    let (mw, mh) = (1.3 * f.width, 1.5 * f.height);
    let (mx, my) = (f.x + f.width / 2.0 - mw / 2.0, f.y + 0.55 * f.height - mh / 2.0);
    let eye = |x: f64, y: f64| {
        [0.18, 0.56]
            .iter()
            .any(|ex| in_ellipse(x, y, f.x + ex * f.width, f.y + 0.28 * f.height, 0.26 * f.width, 0.18 * f.height))
    };
    let out = RgbImage::from_fn(live.width(), live.height(), |x, y| {
        let (xf, yf) = (f64::from(x), f64::from(y));
        if in_ellipse(xf, yf, mx, my, mw, mh) && !eye(xf, yf) { *paper.get_pixel(x, y) } else { *live.get_pixel(x, y) }
    });
    encode_jpeg(&out, 85)
}

/// A frame of a video of the person, played on a screen and filmed: the screen's grid, moiré and glare,
/// a horizontal motion blur of 4 to 8 pixels (the phone moves), and compression at JPEG quality 35.
pub(crate) fn video_replay(img: &DynamicImage, seed: u64) -> Vec<u8> {
    let frame = on_screen(&working_copy(img));
    let length = 4 + (SplitMix(seed).next_f32() * 5.0) as u32;
    encode_jpeg(&motion_blur(&frame, length.min(8)), 35)
}

/// A box filter along rows: the image smeared over `length` pixels, as by a camera moving sideways
/// during the exposure.
fn motion_blur(src: &RgbImage, length: u32) -> RgbImage {
    let (w, h) = src.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let (mut sum, mut n) = ([0u32; 3], 0u32);
        for dx in 0..length {
            let xx = (x + dx).saturating_sub(length / 2).min(w - 1);
            let p = src.get_pixel(xx, y).0;
            for i in 0..3 {
                sum[i] += u32::from(p[i]);
            }
            n += 1;
        }
        Rgb(sum.map(|s| ((s + n / 2) / n) as u8))
    })
}

/// Two people blended into one face: the partner's photo scaled and moved so its face box lies on the
/// base's, then mixed half and half inside the base's frame (a morph as a fraudster makes one for a
/// document, without landmark warping). JPEG at quality 90.
pub(crate) fn morph(
    base: &DynamicImage,
    base_face: FaceRegion,
    partner: &DynamicImage,
    partner_face: FaceRegion,
) -> Vec<u8> {
    let a = working_copy(base);
    let fa = scaled(base_face, base, &a);
    let k = fa.width / partner_face.width;
    let (pw, ph) = ((f64::from(partner.width()) * k).round() as u32, (f64::from(partner.height()) * k).round() as u32);
    let b = partner.resize_exact(pw.max(1), ph.max(1), FilterType::Triangle).to_rgb8();
    let (ox, oy) = (fa.x - partner_face.x * k, fa.y - partner_face.y * k);
    let out = RgbImage::from_fn(a.width(), a.height(), |x, y| {
        let p = *a.get_pixel(x, y);
        let (bx, by) = (f64::from(x) - ox, f64::from(y) - oy);
        if bx < 0.0 || by < 0.0 || bx >= f64::from(pw) || by >= f64::from(ph) {
            return p;
        }
        let q = b.get_pixel(bx as u32, by as u32);
        Rgb([0, 1, 2].map(|i| (u16::from(p.0[i]) + u16::from(q.0[i])).div_ceil(2) as u8))
    });
    encode_jpeg(&out, 90)
}

/// An image fed to the application instead of the camera's stream, with the camera's traces removed:
/// sensor noise and compression blocks smoothed away (a Gaussian of 1.2 pixels), edges restored with an
/// unsharp mask, the colours a touch more saturated, delivered losslessly as PNG.
pub(crate) fn injection(img: &DynamicImage) -> Vec<u8> {
    let smooth = imageops::blur(&working_copy(img), 1.2);
    let sharp = imageops::unsharpen(&smooth, 1.5, 4);
    let out = RgbImage::from_fn(sharp.width(), sharp.height(), |x, y| {
        let p = sharp.get_pixel(x, y).0.map(f32::from);
        let grey = (p[0] + p[1] + p[2]) / 3.0;
        Rgb(p.map(|c| (grey + 1.1 * (c - grey)).clamp(0.0, 255.0).round() as u8))
    });
    encode_png(&out)
}

#[cfg(test)]
mod tests {
    use image::GenericImageView;

    use super::*;

    fn sample() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(96, 80, |x, y| {
            Rgb([(x * 2) as u8, (y * 3) as u8, ((x + y) % 255) as u8])
        }))
    }

    #[test]
    fn recipes_are_deterministic_and_keep_the_geometry() {
        let img = sample();
        let face = FaceRegion { x: 30.0, y: 20.0, width: 30.0, height: 30.0 };
        assert!(cut_out(&img, face, 3) == cut_out(&img, face, 3));
        let outputs: std::collections::BTreeSet<Vec<u8>> = (1..8).map(|seed| video_replay(&img, seed)).collect();
        assert!(outputs.len() > 1, "the blur length follows the seed");
        for bytes in [cut_out(&img, face, 3), video_replay(&img, 1), morph(&img, face, &img, face), injection(&img)] {
            let out = image::load_from_memory(&bytes).expect("decodes");
            assert_eq!(out.dimensions(), (96, 80));
        }
    }

    #[test]
    fn a_morph_of_a_photo_with_itself_is_the_photo_and_the_blur_keeps_flat_rows() {
        let img = sample();
        let face = FaceRegion { x: 30.0, y: 20.0, width: 30.0, height: 30.0 };
        let same = image::load_from_memory(&morph(&img, face, &img, face)).expect("decodes").to_rgb8();
        let orig = img.to_rgb8();
        let worst =
            same.pixels().zip(orig.pixels()).flat_map(|(a, b)| (0..3).map(move |i| a.0[i].abs_diff(b.0[i]))).max();
        assert!(worst.is_some_and(|d| d <= 12), "JPEG at 90 only: {worst:?}");
        let flat = RgbImage::from_pixel(20, 4, Rgb([40, 80, 120]));
        assert_eq!(motion_blur(&flat, 6), flat);
    }
}

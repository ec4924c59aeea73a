//! `cargo bench --bench liveness`: what the emulator's liveness engine costs per image, split into
//! decode, face detection and cue scoring, for a 640x480 JPEG selfie (the fixture face on a plain
//! background). Prints the median and the 90th percentile of each stage over the iterations.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::{Duration, Instant};

use verifik_conformance::api::{DataUri, ImageMediaType};
use verifik_conformance::emulator::liveness::decode;
use verifik_conformance::emulator::pad::{PadEngine, cues, detect::FaceDetector};

const ITERATIONS: usize = 40;

fn selfie() -> Vec<u8> {
    verifik_conformance::faces::derive::selfie_640x480()
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!("{name:<10} median {:>8.2} ms   p90 {:>8.2} ms", at(0.5).as_secs_f64() * 1e3, at(0.9).as_secs_f64() * 1e3);
}

fn main() {
    let bytes = selfie();
    let uri = DataUri::new(ImageMediaType::Jpeg, bytes.clone());
    let detector = FaceDetector::new().expect("model loads");
    let (mut dec, mut det, mut score) = (Vec::new(), Vec::new(), Vec::new());
    let mut found = 0;
    for _ in 0..ITERATIONS {
        let t = Instant::now();
        let decoded = decode(&uri).expect("decodes");
        dec.push(t.elapsed());
        let t = Instant::now();
        let faces = detector.detect(&decoded.image);
        det.push(t.elapsed());
        let t = Instant::now();
        if let Ok(face) = PadEngine::quality(&faces, 640, 480) {
            found += 1;
            std::hint::black_box(PadEngine::score(&cues::measure(&decoded.image, &face)));
        }
        score.push(t.elapsed());
    }
    let total: Vec<Duration> = dec.iter().zip(&det).zip(&score).map(|((a, b), c)| *a + *b + *c).collect();
    println!(
        "liveness engine, 640x480 JPEG selfie ({} bytes), {ITERATIONS} iterations, face judged in {found}",
        bytes.len()
    );
    report("decode", dec);
    report("detect", det);
    report("score", score);
    report("total", total);
}

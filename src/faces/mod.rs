//! The fixture face set: the photos of `fixtures/` (listed with their licences in
//! `fixtures/manifest.json`) and the variants derived from them by [`derive`]: simulated attacks,
//! quality cases and re-encodings. Every fixture carries the outcome the emulator is expected to give;
//! every derived one the SHA-256 recorded in the manifest, so drift in generation is caught.

mod class;
pub mod derive;
pub(crate) mod species;
pub(crate) mod vary;

use std::fmt;

use image::ImageFormat;
use serde::{Deserialize, Serialize};

use crate::api::{DataUri, ImageMediaType, QualityCode};
pub use class::{Class, Expected, FixtureSet, Species};

/// The manifest, embedded.
pub(crate) const MANIFEST: &str = include_str!("../../fixtures/manifest.json");

/// The photos the manifest lists, embedded so the binary carries its own fixture set.
const SOURCES: &[(&str, &[u8])] = &[
    ("astronaut", include_bytes!("../../fixtures/faces/astronaut.png")),
    ("camera", include_bytes!("../../fixtures/faces/camera.png")),
    ("grace_hopper", include_bytes!("../../fixtures/faces/grace_hopper.jpg")),
    ("obama", include_bytes!("../../fixtures/faces/obama.jpg")),
    ("biden", include_bytes!("../../fixtures/faces/biden.jpg")),
    ("obama2", include_bytes!("../../fixtures/faces/obama2.jpg")),
    ("obama3", include_bytes!("../../fixtures/faces/obama3.jpg")),
    ("solvay1927", include_bytes!("../../fixtures/faces/solvay1927.png")),
    ("coffee", include_bytes!("../../fixtures/non-faces/coffee.png")),
    ("chelsea", include_bytes!("../../fixtures/non-faces/chelsea.png")),
    ("rocket", include_bytes!("../../fixtures/non-faces/rocket.jpg")),
];

/// One image of the set.
#[derive(Clone)]
pub struct Fixture {
    pub id: String,
    pub class: Class,
    /// The half of the set the person belongs to; `None` for group and non-face photos.
    pub set: Option<FixtureSet>,
    pub expected: Expected,
    pub media_type: ImageMediaType,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Fixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:?}, {} bytes, sha256 {})", self.id, self.class, self.bytes.len(), self.sha256())
    }
}

impl Fixture {
    pub(crate) fn sha256(&self) -> String {
        crate::api::sha256_hex(&self.bytes)
    }

    pub(crate) fn data_uri(&self) -> String {
        DataUri::new(self.media_type, self.bytes.clone()).encode()
    }
}

/// One entry of the manifest's `fixtures` list.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceEntry {
    pub id: String,
    pub file: String,
    pub licence: String,
    pub source: String,
    pub class: String,
    pub sha256: String,
    /// The person on the photo (several photos may show one person).
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub set: Option<FixtureSet>,
    /// The face's box in pixels, annotated once for the photos that derived crops are cut from, so
    /// that no fixture depends on the engine it is used to test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<FaceRegion>,
}

/// A face's box in a source photo, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaceRegion {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// One entry of the manifest's `derived` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedEntry {
    pub id: String,
    pub from: String,
    pub recipe: String,
    pub class: Class,
    pub expected: Expected,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub fixtures: Vec<SourceEntry>,
    #[serde(default)]
    pub derived: Vec<DerivedEntry>,
}

pub fn manifest() -> Result<Manifest, serde_json::Error> {
    serde_json::from_str(MANIFEST)
}

/// The embedded manifest, parsed once: the set's builder looks a photo up for every fixture.
fn parsed() -> Option<&'static Manifest> {
    static PARSED: std::sync::OnceLock<Option<Manifest>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| manifest().ok()).as_ref()
}

fn media_type(bytes: &[u8]) -> ImageMediaType {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => ImageMediaType::Png,
        _ => ImageMediaType::Jpeg,
    }
}

/// A source photo's embedded bytes, by manifest id.
pub(crate) fn source(id: &str) -> Option<&'static [u8]> {
    SOURCES.iter().find(|(i, _)| *i == id).map(|(_, b)| *b)
}

/// The bona fide photos the attacks and re-encodings are derived from.
pub(crate) const BONA_FIDE: [&str; 7] = ["astronaut", "camera", "grace_hopper", "obama", "biden", "obama2", "obama3"];

/// A photo's face box, from the manifest's annotation.
fn face_of(id: &str) -> Option<FaceRegion> {
    parsed()?.fixtures.iter().find(|f| f.id == id)?.face
}

/// The morphs: each pair of different people of one half of the set, the first the base.
pub(crate) const MORPHS: [(&str, &str); 6] = [
    ("grace_hopper", "obama"),
    ("grace_hopper", "obama2"),
    ("grace_hopper", "obama3"),
    ("astronaut", "biden"),
    ("astronaut", "camera"),
    ("camera", "biden"),
];

/// The whole set, built once per process: deriving it costs seconds, and tests ask for it repeatedly.
pub fn set() -> &'static [Fixture] {
    static SET: std::sync::OnceLock<Vec<Fixture>> = std::sync::OnceLock::new();
    SET.get_or_init(build)
}

/// Builds the whole set: sources first, then every derivation, in a fixed order.
pub fn build() -> Vec<Fixture> {
    let mut out = Vec::new();
    let fixture = |id: String, class: Class, expected: Expected, bytes: Vec<u8>| {
        let set = set_of(&id);
        // An evaluation photo's outcome is what the run measures, not what the engine was tuned to.
        let expected = match (set, class) {
            (
                Some(FixtureSet::Evaluation),
                Class::BonaFide | Class::Reencoded | Class::Variation | Class::Attack(_),
            ) => Expected::Judged,
            // What the engine makes of a species it was not calibrated on is measured, on both halves.
            (_, Class::Attack(species)) if !species.is_calibrated() => Expected::Judged,
            _ => expected,
        };
        Fixture { id, class, set, expected, media_type: media_type(&bytes), bytes }
    };
    for (id, bytes) in SOURCES {
        let (class, expected) = match *id {
            "solvay1927" => (Class::Group, Expected::Quality(QualityCode::MultipleFacesDetected)),
            "coffee" | "chelsea" | "rocket" => (Class::NonFace, Expected::Quality(QualityCode::NoFaceDetected)),
            _ => (Class::BonaFide, Expected::Pass),
        };
        out.push(fixture((*id).to_owned(), class, expected, bytes.to_vec()));
    }
    for (seed, id) in BONA_FIDE.iter().enumerate() {
        let Some(img) = source(id).and_then(|b| image::load_from_memory(b).ok()) else { continue };
        let rgb = img.to_rgb8();
        out.push(fixture(format!("{id}/png"), Class::Reencoded, Expected::Pass, derive::encode_png(&rgb)));
        out.push(fixture(format!("{id}/jpeg-q50"), Class::Reencoded, Expected::Pass, derive::encode_jpeg(&rgb, 50)));
        // Heavy compression adds 8-pixel blocks, a periodic cue: these land nearer the threshold.
        out.push(fixture(format!("{id}/jpeg-q30"), Class::Reencoded, Expected::Pass, derive::encode_jpeg(&rgb, 30)));
        out.push(fixture(
            format!("{id}/screen-replay"),
            Class::Attack(Species::ScreenReplay),
            Expected::Reject,
            derive::screen_replay(&img),
        ));
        out.push(fixture(
            format!("{id}/print"),
            Class::Attack(Species::Print),
            Expected::Reject,
            derive::print_attack(&img, seed as u64 + 1),
        ));
    }
    let load = |id: &str| source(id).and_then(|b| image::load_from_memory(b).ok());
    if let (Some(grace), Some(obama)) = (load("grace_hopper"), load("obama")) {
        out.push(fixture(
            "grace_hopper/too-small".into(),
            Class::Quality,
            Expected::Quality(QualityCode::FaceTooSmall),
            derive::face_too_small(&grace),
        ));
        out.push(fixture(
            "obama/too-small".into(),
            Class::Quality,
            Expected::Quality(QualityCode::FaceTooSmall),
            derive::face_too_small(&obama),
        ));
        out.push(fixture(
            "grace_hopper/at-border".into(),
            Class::Quality,
            Expected::Quality(QualityCode::FaceCloseToBorder),
            derive::face_at_border(&grace, face_of("grace_hopper").map_or(0.0, |b| b.x)),
        ));
        out.push(fixture(
            "obama/at-border".into(),
            Class::Quality,
            Expected::Quality(QualityCode::FaceCloseToBorder),
            derive::face_at_border(&obama, face_of("obama").map_or(0.0, |b| b.x)),
        ));
        out.push(fixture(
            "grace_hopper+obama/several".into(),
            Class::Quality,
            Expected::Quality(QualityCode::MultipleFacesDetected),
            derive::several_faces(&grace, &obama),
        ));
        out.push(fixture("grace_hopper/dark".into(), Class::Quality, Expected::Reject, derive::dark(&grace)));
        out.push(fixture("obama/dark".into(), Class::Quality, Expected::Reject, derive::dark(&obama)));
        out.push(fixture("grace_hopper/blurred".into(), Class::Quality, Expected::Reject, derive::blurred(&grace)));
    }
    for (seed, id) in BONA_FIDE.iter().enumerate() {
        let Some(img) = load(id) else { continue };
        let seed = seed as u64 + 1;
        for &v in vary::Variation::ALL {
            out.push(fixture(format!("{id}/{}", v.as_str()), Class::Variation, Expected::Pass, v.apply(&img, seed)));
        }
        if let Some(face) = face_of(id) {
            let bytes = species::cut_out(&img, face, seed);
            out.push(fixture(format!("{id}/cut-out"), Class::Attack(Species::CutOut), Expected::Reject, bytes));
        }
        let bytes = species::video_replay(&img, seed);
        out.push(fixture(format!("{id}/video-replay"), Class::Attack(Species::VideoReplay), Expected::Reject, bytes));
        let bytes = species::injection(&img);
        out.push(fixture(format!("{id}/injection"), Class::Attack(Species::Injection), Expected::Reject, bytes));
    }
    for (a, b) in MORPHS {
        let (Some(base), Some(partner), Some(fa), Some(fb)) = (load(a), load(b), face_of(a), face_of(b)) else {
            continue;
        };
        let bytes = species::morph(&base, fa, &partner, fb);
        out.push(fixture(format!("{a}+{b}/morph"), Class::Attack(Species::Morph), Expected::Reject, bytes));
    }
    out
}

/// The attack presentations of the set (print, then screen replay, for each bona fide face in turn),
/// derived one at a time as they are asked for: a behaviour that stops at the first refused attack
/// pays for no more than it shows.
pub(crate) fn attack_presentations() -> impl Iterator<Item = Fixture> {
    BONA_FIDE.iter().enumerate().flat_map(|(seed, id)| {
        let img = source(id).and_then(|b| image::load_from_memory(b).ok());
        let print = img.clone().map(|img| {
            let bytes = derive::print_attack(&img, seed as u64 + 1);
            (format!("{id}/print"), Species::Print, bytes)
        });
        let replay = img.map(|img| (format!("{id}/screen-replay"), Species::ScreenReplay, derive::screen_replay(&img)));
        [print, replay].into_iter().flatten().map(|(id, species, bytes)| Fixture {
            set: set_of(&id),
            id,
            class: Class::Attack(species),
            expected: Expected::Reject,
            media_type: media_type(&bytes),
            bytes,
        })
    })
}

/// The set of the person a fixture shows, from the manifest entry of the photo it is derived from.
pub(crate) fn set_of(id: &str) -> Option<FixtureSet> {
    let source = id.split(['/', '+']).next().unwrap_or(id);
    parsed()?.fixtures.iter().find(|f| f.id == source)?.set
}

/// The manifest entries the derived fixtures should have.
pub fn derived_entries(set: &[Fixture]) -> Vec<DerivedEntry> {
    set.iter()
        .filter(|f| f.id.contains('/'))
        .map(|f| {
            let (from, recipe) = f.id.split_once('/').unwrap_or((&f.id, ""));
            DerivedEntry {
                id: f.id.clone(),
                from: from.to_owned(),
                recipe: recipe.to_owned(),
                class: f.class,
                expected: f.expected,
                sha256: f.sha256(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each photo the binary embeds is the file the manifest describes: same id, same digest (a
    /// recompressed file's own digest; `package_sha256` is the registry's), and the model too.
    #[test]
    fn embedded_sources_and_model_match_the_manifest_digests() {
        let m = manifest().expect("manifest parses");
        assert_eq!(m.fixtures.len(), SOURCES.len(), "every manifest entry is embedded, and nothing else");
        for e in &m.fixtures {
            let bytes = source(&e.id).unwrap_or_else(|| panic!("{} is not embedded", e.id));
            assert_eq!(crate::api::sha256_hex(bytes), e.sha256, "{}", e.id);
        }
        let raw: serde_json::Value = serde_json::from_str(MANIFEST).expect("manifest parses");
        let model = include_bytes!("../../fixtures/models/seeta_fd_frontal_v1.0.bin");
        assert_eq!(Some(crate::api::sha256_hex(model).as_str()), raw["model"]["sha256"].as_str());
    }
}

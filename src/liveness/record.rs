//! Recording a liveness run: every fixture, times each `os`, times `--repeat`, each through a fresh
//! registration, with its decision, score (parsed from `liveness_failed@<score>`, or read back from the
//! validation after a pass; never invented: a pass without a readable score is kept as censored),
//! failure kind and latency. Then the metrics of ISO/IEC 30107-3 over the samples.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::cause::ErrorCause;
pub use super::metrics::Metrics;
use super::metrics::{metrics, of_set};
pub use super::sample::{Decision, Sample};
use crate::api::{Os, PrefixedMessage, Score};
use crate::faces::{Expected, Fixture};
use crate::suite::Ctx;
use crate::target::{Call, ProvisionError, StateParams, TargetError};

/// The name a liveness run's set-ups are held under.
const LIVENESS: crate::suite::BehaviourId = crate::suite::BehaviourId("LIVENESS-RUN");

/// The run file format this build writes; files without the field are version 1 and stay readable.
/// Version 3 added the artefact counts (`apcer_artefacts`, `bpcer_artefacts`, `persons`) and moved
/// the headline and the claims onto them.
pub(crate) const FORMAT_VERSION: u32 = 3;

fn first_format() -> u32 {
    1
}

/// The machine-readable run file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    #[serde(default = "first_format")]
    pub format_version: u32,
    pub suite: String,
    pub created_at: String,
    /// The target without secrets: a base URL, or the embedded emulator.
    pub target: String,
    /// SHA-256 prefix of the target and the threshold it disclosed, so runs of different targets are
    /// told apart.
    pub fingerprint: String,
    /// The seed the run used (the emulator's score noise draws from it).
    pub seed: u64,
    /// The threshold the target disclosed (`minimumScore` of a score failure); `None` when it
    /// disclosed none: never a default presented as the target's.
    pub threshold: Option<f64>,
    /// Where the threshold comes from, or why it is unknown.
    #[serde(default)]
    pub threshold_source: String,
    /// SHA-256 prefix over the presented fixtures' digests, in order.
    #[serde(default)]
    pub fixture_set: Option<String>,
    pub repeat: u32,
    pub samples: Vec<Sample>,
    /// The metrics of the evaluation half: photos of people the engine was not calibrated on.
    pub metrics: Metrics,
    /// The same metrics over the calibration half, shown on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_metrics: Option<Metrics>,
}

fn parse_failure(body: &serde_json::Value) -> (Decision, Option<f64>, Option<String>) {
    let message = body["message"].as_str().unwrap_or_default();
    match PrefixedMessage::parse(message) {
        Some(m) if m.code == "liveness_failed" => match m.detail {
            Some(d) if d.starts_with("ERR_") => (Decision::QualityReject, None, Some(d.to_owned())),
            Some(d) => match d.parse::<Score>() {
                Ok(s) => (Decision::ScoreReject, Some(s.as_f64()), None),
                Err(_) => (Decision::Error, None, Some(format!("unparsed liveness detail {d:?}"))),
            },
            None => (Decision::Error, None, Some("liveness_failed without detail".into())),
        },
        _ => (Decision::Error, None, Some(format!("code {}", body["code"]))),
    }
}

/// Presents one fixture once; never fails, an unusable answer is recorded as `Error`.
fn present(ctx: &Ctx, fixture: &Fixture, os: Os, repeat: u32, threshold: &mut Option<f64>) -> Sample {
    let sample = Sample {
        fixture: fixture.id.clone(),
        class: fixture.class,
        set: fixture.set,
        os,
        repeat,
        decision: Decision::Error,
        score: None,
        censored: false,
        detail: None,
        cause: None,
        latency_ms: 0.0,
    };
    let sample = judge(ctx, fixture, os, sample, threshold);
    ctx.release(LIVENESS);
    sample
}

fn judge(ctx: &Ctx, fixture: &Fixture, os: Os, mut sample: Sample, threshold: &mut Option<f64>) -> Sample {
    // A liveness run measures scores; what its set-up answers leak is the conformance run's to judge
    // (and whatever it prints passes the redactor all the same).
    let reg = match ctx.provision(LIVENESS, &StateParams::default()) {
        Ok((r, _leaks)) => r,
        Err(why) => {
            let transport =
                matches!(&why, ProvisionError::Target(e) if e.is_transport() || matches!(e, TargetError::Down(_)));
            sample.cause = Some(if transport { ErrorCause::Transport } else { ErrorCause::SetUp });
            sample.detail = Some(format!("set-up failed: {why}"));
            return sample;
        }
    };
    let call = Call::post(crate::api::CENTRAL_PATH, json!({"image": fixture.data_uri(), "os": os, "force": true}))
        .bearer(&reg.token);
    let x = match ctx.send(&call) {
        Ok(x) => x,
        Err(e) => {
            sample.cause = Some(ErrorCause::Transport);
            sample.detail = Some(e.to_string());
            return sample;
        }
    };
    sample.latency_ms = x.elapsed.as_secs_f64() * 1000.0;
    if x.status == 200 {
        sample.decision = Decision::Pass;
        let bv = x.json()["data"]["biometricValidation"].clone();
        let embedded = bv["livenessScore"].as_f64();
        let id = bv.as_str().or_else(|| bv["_id"].as_str()).map(str::to_owned);
        let read = match (embedded, id) {
            (Some(s), _) => Some(s),
            (None, Some(id)) => {
                ctx.send(&Call::get(format!("/v2/biometric-validations/{id}")).bearer(&reg.token)).ok().and_then(|r| {
                    r.json()["data"]["livenessScore"]
                        .as_f64()
                        .or_else(|| r.json()["data"]["biometricData"]["livenessScore"].as_f64())
                })
            }
            (None, None) => None,
        };
        sample.score = read.filter(|s| (0.0..=1.0).contains(s));
        sample.censored = sample.score.is_none();
    } else if x.status == 409 {
        let (decision, score, detail) = parse_failure(x.json());
        (sample.decision, sample.score, sample.detail) = (decision, score, detail);
        if decision == Decision::Error {
            sample.cause = Some(ErrorCause::Other);
        }
        if let Some(min) = x.json()["minimumScore"].as_f64() {
            threshold.get_or_insert(min);
        }
    } else {
        sample.cause = Some(ErrorCause::of_status(x.status));
        sample.detail = Some(format!("answered {}", x.status.as_u16()));
    }
    sample
}

/// Records a run over `fixtures` on the target of `ctx`.
pub fn record(ctx: &Ctx, fixtures: &[Fixture], os: &[Os], repeat: u32, target: String) -> RunFile {
    let mut threshold = None;
    let mut samples = Vec::new();
    for r in 0..repeat {
        for f in fixtures {
            for o in os {
                samples.push(present(ctx, f, *o, r, &mut threshold));
            }
        }
    }
    let threshold_source = match threshold {
        Some(_) => "disclosed by the target (minimumScore of a score failure)".to_owned(),
        None => "unknown: no score failure of the target carried minimumScore".to_owned(),
    };
    let shown = threshold.map_or("unknown".to_owned(), |t| t.to_string());
    let fingerprint = crate::api::short_digest(format!("{target}|{shown}").as_bytes());
    let digests: String = fixtures.iter().map(Fixture::sha256).collect();
    RunFile {
        format_version: FORMAT_VERSION,
        suite: format!("verifik-conformance {}", env!("CARGO_PKG_VERSION")),
        created_at: crate::api::now_iso(),
        target,
        fingerprint,
        seed: ctx.settings.seed,
        threshold,
        threshold_source,
        fixture_set: Some(crate::api::short_digest(digests.as_bytes())),
        repeat,
        metrics: metrics(&of_set(&samples, false)),
        calibration_metrics: Some(metrics(&of_set(&samples, true))),
        samples,
    }
}

/// Whether a sample agrees with what the emulator is expected to answer for its fixture.
pub fn meets(expected: Expected, sample: &Sample) -> bool {
    match expected {
        Expected::Pass => sample.decision == Decision::Pass,
        Expected::ScoreReject => sample.decision == Decision::ScoreReject,
        Expected::Quality(code) => {
            sample.decision == Decision::QualityReject && sample.detail.as_deref() == Some(code.as_str())
        }
        Expected::Reject => matches!(sample.decision, Decision::ScoreReject | Decision::QualityReject),
        Expected::Judged => sample.decision != Decision::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_parsed_into_decisions() {
        assert_eq!(
            parse_failure(&json!({"code": "liveness_failed", "message": "409:liveness_failed@0.45"})),
            (Decision::ScoreReject, Some(0.45), None)
        );
        let q =
            parse_failure(&json!({"code": "liveness_failed", "message": "409:liveness_failed@ERR_NO_FACE_DETECTED"}));
        assert_eq!((q.0, q.2.as_deref()), (Decision::QualityReject, Some("ERR_NO_FACE_DETECTED")));
        assert_eq!(
            parse_failure(&json!({"code": "person_already_set", "message": "409:person_already_set"})).0,
            Decision::Error
        );
    }

    #[test]
    fn run_files_of_the_first_format_stay_readable() {
        // As version 1 wrote them: no format_version, a threshold that was always a number, no
        // fixture set digest, no error causes, none of the ISO sweep figures.
        let v1 = json!({
            "suite": "verifik-conformance 0.1.0", "created_at": "2026-11-27T10:00:00.000Z", "target": "embedded emulator",
            "fingerprint": "0123456789abcdef", "seed": 0, "threshold": 0.6, "repeat": 1,
            "samples": [{"fixture": "obama", "class": "bona_fide", "os": "IOS", "repeat": 0, "decision": "pass",
                         "score": 0.87, "censored": false, "detail": null, "latency_ms": 12.5}],
            "metrics": {"apcer": {}, "bpcer": null, "bona_fide_non_response": null, "attack_non_response": null}
        });
        let run: RunFile = serde_json::from_value(v1).expect("a version 1 run file reads");
        assert_eq!((run.format_version, run.threshold, run.samples[0].cause), (1, Some(0.6), None));
        assert!(run.metrics.operating_points.is_empty() && run.fixture_set.is_none());
    }
}

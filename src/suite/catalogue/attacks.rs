//! BV-409-LIVENESS-FAILED on a target without provider states: the fixture set's attack presentations,
//! one after another, until the target refuses one by its score; the score is checked against the
//! flow's `minScore` read with the client token, when it can be.

use reqwest::StatusCode;
use serde_json::json;

use crate::api::{ErrorBody, ErrorCode, Os, Reader, Score};
use crate::suite::finding::Check;
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::target::{Call, Exchange, Provisioned, StateParams};

/// The score after `@` parses, and is at or below the flow's minimum when that can be read.
pub(super) fn score_at_or_below(p: &mut Probe<'_>, x: &Exchange, e: &ErrorBody, minimum: Result<Score, String>) {
    p.check(oracle::liveness::score_in_message(e), Some(x));
    match minimum {
        Ok(minimum) => p.check(oracle::liveness::score_at_or_below(e, minimum), Some(x)),
        Err(why) if e.failed_score().is_some() => p.skip_check(Check::ScoreBelowMinimum, why),
        Err(_) => {}
    }
}

/// The flow's `minScore`, read with the client token; why not, otherwise.
fn flow_minimum(p: &mut Probe<'_>, reg: &Provisioned) -> Result<Result<Score, String>, Stop> {
    let (Some(client), Some(flow)) = (reg.client_token.as_deref(), reg.project_flow.as_deref()) else {
        return Ok(Err("the flow's minScore cannot be read without a client token".into()));
    };
    let x = p.send(&Call::get("/v2/project-flows").bearer(client))?;
    let flows = Reader::new("the project flows list", x.body.as_ref()).and_then(|r| r.array("/data"));
    let Some(flows) = p.read(flows, Some(&x)) else { return Ok(Err("the project flows list is unreadable".into())) };
    let found = flows.iter().find(|f| f.get("_id").and_then(|v| v.as_str()) == Some(flow));
    let Some(found) = found else { return Ok(Err(format!("the client token does not see flow {flow}"))) };
    let r = Reader::new("the project flow", Some(found)).map_err(|m| Stop::Fail(m.to_string()))?;
    let min = ["/liveness/minScore", "/onboardingSettings/liveness/livenessMinScore"]
        .iter()
        .find_map(|pointer| r.opt_f64(pointer).ok().flatten());
    Ok(match min.map(Score::from_f64) {
        Some(Ok(score)) => Ok(score),
        Some(Err(e)) => Err(format!("the flow's minScore is not a score: {e}")),
        None => Err("the flow shows no minScore".into()),
    })
}

/// Without provider states: the fixture set's attack presentations, one after another, until the
/// target refuses one by its score.
pub(super) fn liveness_failed_by_attacks(p: &mut Probe<'_>) -> Result<(), Stop> {
    // Which attack is refused depends on the target: there is no one representative answer.
    p.no_snapshot();
    let mut reg = p.provision(&StateParams::default())?;
    let minimum = flow_minimum(p, &reg)?;
    let mut passed = Vec::new();
    for attack in crate::faces::attack_presentations() {
        let text = attack.data_uri();
        if let Some(har) = &p.ctx.target.har {
            har.name_image(&text, &attack.id);
        }
        let x = p.central_as(&reg.token, json!({"image": text, "os": Os::Desktop}))?;
        if x.status == StatusCode::OK {
            // The attack passed and the registration now has a person: the next one needs a fresh one.
            passed.push(attack.id);
            reg = p.provision(&StateParams::default())?;
            continue;
        }
        let Some(e) = p.read(x.error(), Some(&x)) else { return Ok(()) };
        if e.known_code() == Some(ErrorCode::LivenessFailed) && e.failed_score().is_none() {
            continue; // a quality failure: not judged, and no attempt used
        }
        p.check(oracle::error_is(&x, StatusCode::CONFLICT, ErrorCode::LivenessFailed), Some(&x));
        score_at_or_below(p, &x, &e, minimum);
        return Ok(());
    }
    Err(Stop::Skip(format!(
        "every attack presentation of the fixture set passed or was not judged by the target's liveness check ({} passed)",
        passed.len()
    )))
}

//! Setting up App Registrations on a target, in the condition a behaviour needs.
//!
//! Two ways, chosen by probing: the provider-state endpoint (the emulator, or a self-hosted server that
//! implements it) can set up anything; the public API (a client token and a project flow) can create
//! fresh registrations, move their status through `sync`, and link a person by a first validation.
//! What neither can do is refused with the reason, and the behaviour is skipped with it.

use serde_json::{Value, json};

use super::client::{Call, Target};
use crate::api::{ObjectId, RegistrationStatus};

/// What a behaviour may need from the target beyond the endpoint itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// Any way at all to obtain a registration token.
    Registration,
    /// The provider-state endpoint: scripted scores, expiries, balances, EXPIRED status.
    ProviderStates,
    /// A client token, to read credits and registrations.
    ClientToken,
}

/// One step of a scripted liveness outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptStep {
    Score(f64),
    Quality(&'static str),
}

/// The condition of a registration to set up; `Default` is a fresh one in `STARTED`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateParams {
    pub status: RegistrationStatus,
    pub collection: bool,
    pub person_set: bool,
    pub token_expires_in: Option<i64>,
    pub token_not_before_in: Option<i64>,
    pub liveness_script: Vec<ScriptStep>,
    pub credits: Option<i64>,
    pub min_score: Option<f64>,
    pub attempt_limit: Option<u32>,
    /// A validly signed token for a registration that does not exist.
    pub phantom: bool,
}

impl Default for StateParams {
    fn default() -> Self {
        StateParams {
            status: RegistrationStatus::Started,
            collection: true,
            person_set: false,
            token_expires_in: None,
            token_not_before_in: None,
            liveness_script: Vec::new(),
            credits: None,
            min_score: None,
            attempt_limit: None,
            phantom: false,
        }
    }
}

impl StateParams {
    fn to_json(&self) -> Value {
        let mut p = json!({"status": self.status, "collection": self.collection, "personSet": self.person_set});
        if self.phantom {
            p["phantom"] = json!(true);
        }
        let script: Vec<Value> = self
            .liveness_script
            .iter()
            .map(|s| match s {
                ScriptStep::Score(x) => json!(x),
                ScriptStep::Quality(q) => json!(q),
            })
            .collect();
        if !script.is_empty() {
            p["livenessScript"] = Value::Array(script);
        }
        let optional = [
            ("tokenExpiresIn", self.token_expires_in.map(|v| json!(v))),
            ("tokenNotBeforeIn", self.token_not_before_in.map(|v| json!(v))),
            ("credits", self.credits.map(|v| json!(v))),
            ("minScore", self.min_score.map(|v| json!(v))),
            ("attemptLimit", self.attempt_limit.map(|v| json!(v))),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                p[key] = v;
            }
        }
        json!({"state": "app registration", "params": p})
    }

    /// Why the public API cannot produce this state, if it cannot.
    fn public_api_refusal(&self) -> Option<String> {
        let needs = |what: &str| Some(format!("{what} can only be set up through provider states"));
        if self.token_expires_in.is_some() || self.token_not_before_in.is_some() {
            return needs("a token with a chosen expiry or not-before");
        }
        if !self.liveness_script.is_empty() {
            return needs("a scripted liveness score");
        }
        if self.credits.is_some() {
            return needs("a chosen credit balance");
        }
        if self.min_score.is_some() || self.attempt_limit.is_some() {
            return needs("a flow with chosen liveness settings");
        }
        if self.phantom {
            return needs("a signed token of a registration that does not exist");
        }
        if self.status == RegistrationStatus::Expired {
            return needs("the status EXPIRED");
        }
        None
    }
}

/// A registration that was set up, and the tokens to use it.
#[derive(Debug, Clone)]
pub struct Provisioned {
    pub registration: String,
    pub token: String,
    pub client_token: Option<String>,
    pub person: Option<String>,
    pub biometric_validation: Option<String>,
}

/// How registrations are set up on this target.
#[derive(Debug, Clone)]
pub enum Provisioner {
    ProviderStates,
    PublicApi {
        client_token: String,
        flows: Vec<FlowChoice>,
    },
    /// Neither: behaviours that need a registration are skipped.
    Unavailable(String),
}

/// A project flow the client token can see, and whether its project has a collection.
#[derive(Debug, Clone)]
pub struct FlowChoice {
    pub project: String,
    pub flow: String,
    pub has_collection: bool,
}

/// The path of the provider-state endpoint.
pub const PROVIDER_STATES: &str = "/__conformance/provider-states";

impl Provisioner {
    /// Probes the target: a provider-state set-up that answers with a token wins; otherwise the client
    /// token's flows are listed.
    pub async fn detect(target: &Target, client_token: Option<&str>, project_flow: Option<&str>) -> Provisioner {
        let probe = Call::post(PROVIDER_STATES, StateParams::default().to_json());
        if let Ok(x) = target.send(&probe).await
            && x.status == 200
            && x.json()["data"]["token"].is_string()
        {
            return Provisioner::ProviderStates;
        }
        let Some(client_token) = client_token else {
            return Provisioner::Unavailable(
                "the target has no provider states and no client token was given (--client-token or VERIFIK_CLIENT_TOKEN)".into(),
            );
        };
        match list_flows(target, client_token).await {
            Ok(mut flows) => {
                if let Some(wanted) = project_flow {
                    flows.retain(|f| f.flow == wanted);
                }
                if flows.is_empty() {
                    return Provisioner::Unavailable("the client token sees no (matching) project flow".into());
                }
                Provisioner::PublicApi { client_token: client_token.to_owned(), flows }
            }
            Err(why) => Provisioner::Unavailable(why),
        }
    }

    pub fn has(&self, capability: Capability) -> bool {
        match (self, capability) {
            (Provisioner::Unavailable(_), _) => false,
            (Provisioner::ProviderStates, _) => true,
            (Provisioner::PublicApi { .. }, Capability::ProviderStates) => false,
            (Provisioner::PublicApi { .. }, _) => true,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Provisioner::ProviderStates => "provider states".into(),
            Provisioner::PublicApi { .. } => "public API (client token)".into(),
            Provisioner::Unavailable(why) => format!("none ({why})"),
        }
    }

    /// Sets up a registration in the condition `params` describes, or says why it cannot.
    pub async fn registration(&self, target: &Target, params: &StateParams, face: &str) -> Result<Provisioned, String> {
        match self {
            Provisioner::Unavailable(why) => Err(why.clone()),
            Provisioner::ProviderStates => {
                let x = target.send(&Call::post(PROVIDER_STATES, params.to_json())).await.map_err(|e| e.to_string())?;
                let d = &x.json()["data"];
                match (x.status, d["token"].as_str(), d["appRegistrationId"].as_str()) {
                    (200, Some(token), Some(id)) => Ok(Provisioned {
                        registration: id.to_owned(),
                        token: token.to_owned(),
                        client_token: d["clientToken"].as_str().map(str::to_owned),
                        person: d["person"].as_str().map(str::to_owned),
                        biometric_validation: d["biometricValidation"].as_str().map(str::to_owned),
                    }),
                    _ => Err(format!("the provider-state set-up failed: {}", x.summary())),
                }
            }
            Provisioner::PublicApi { client_token, flows } => {
                if let Some(why) = params.public_api_refusal() {
                    return Err(why);
                }
                let flow = flows.iter().find(|f| f.has_collection == params.collection).ok_or_else(|| {
                    format!(
                        "the client token sees no project flow whose project {} a collection",
                        if params.collection { "has" } else { "lacks" }
                    )
                })?;
                let email = format!("conformance+{}@example.com", ObjectId::generate());
                let body = json!({"project": flow.project, "projectFlow": flow.flow, "email": email});
                let x = target
                    .send(&Call::post("/v2/app-registrations", body).bearer(client_token))
                    .await
                    .map_err(|e| e.to_string())?;
                let d = &x.json()["data"];
                let (Some(token), Some(id)) = (d["token"].as_str(), d["appRegistration"]["_id"].as_str()) else {
                    return Err(format!("creating an App Registration failed: {}", x.summary()));
                };
                let mut p = Provisioned {
                    registration: id.to_owned(),
                    token: token.to_owned(),
                    client_token: Some(client_token.clone()),
                    person: None,
                    biometric_validation: None,
                };
                if params.person_set {
                    let call = Call::post(
                        "/v2/biometric-validations/app-registration",
                        json!({"image": face, "os": "DESKTOP"}),
                    )
                    .bearer(&p.token);
                    let x = target.send(&call).await.map_err(|e| e.to_string())?;
                    if x.status != 200 {
                        return Err(format!("linking a person by a first validation failed: {}", x.summary()));
                    }
                    p.person = x.json()["data"]["person"].as_str().map(str::to_owned);
                    p.biometric_validation = x.json()["data"]["biometricValidation"].as_str().map(str::to_owned);
                }
                if let Some((step, status)) = sync_step(params.status) {
                    let path = format!("/v2/app-registrations/{id}/sync");
                    let call = Call::new(reqwest::Method::PUT, path).bearer(&p.token);
                    let call =
                        Call { body: super::client::Body::Json(json!({"step": step, "status": status})), ..call };
                    let x = target.send(&call).await.map_err(|e| e.to_string())?;
                    if x.status != 200 {
                        return Err(format!("moving the registration to {status} failed: {}", x.summary()));
                    }
                }
                Ok(p)
            }
        }
    }
}

/// The sync step that sets each status, per the vendor's sync page.
fn sync_step(status: RegistrationStatus) -> Option<(&'static str, RegistrationStatus)> {
    use RegistrationStatus::*;
    match status {
        Started | Expired => None,
        Ongoing => Some(("liveness", Ongoing)),
        CompletedWithoutKyc => Some(("skipKYC", CompletedWithoutKyc)),
        Completed | Failed | NeedsManualVerification => Some(("end", status)),
    }
}

async fn list_flows(target: &Target, client_token: &str) -> Result<Vec<FlowChoice>, String> {
    let flows = target.send(&Call::get("/v2/project-flows").bearer(client_token)).await.map_err(|e| e.to_string())?;
    let projects = target.send(&Call::get("/v2/projects").bearer(client_token)).await.map_err(|e| e.to_string())?;
    if flows.status != 200 || projects.status != 200 {
        return Err(format!(
            "listing flows and projects with the client token failed: {} / {}",
            flows.summary(),
            projects.summary()
        ));
    }
    let empty = Vec::new();
    let projects = projects.json()["data"].as_array().unwrap_or(&empty);
    Ok(flows.json()["data"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|f| {
            let project = f["project"].as_str()?;
            let has_collection = projects.iter().any(|p| p["_id"] == project && !p["assignedCollection"].is_null());
            Some(FlowChoice { project: project.to_owned(), flow: f["_id"].as_str()?.to_owned(), has_collection })
        })
        .collect())
}

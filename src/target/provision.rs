//! Setting up App Registrations on a target, in the condition a behaviour needs.
//!
//! Two ways, chosen by probing: the provider-state endpoint (the emulator, or a self-hosted server that
//! implements it) can set up anything; the public API (a client token and a project flow) can create
//! fresh registrations, move their status through `sync`, and link a person by a first validation.
//! What neither can do is refused with the reason, and the behaviour is skipped with it.

use reqwest::StatusCode;
use serde_json::json;

use super::client::{Call, Target};
use crate::api::provider_state::SetupResponse;
pub use crate::api::provider_state::{PATH as PROVIDER_STATES, ScriptStep, StateParams};
use crate::api::{ObjectId, Reader, RegistrationStatus, RegistrationView};

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

impl Provisioner {
    /// Probes the target: a provider-state set-up that answers with a token wins; otherwise the client
    /// token's flows are listed.
    pub async fn detect(target: &Target, client_token: Option<&str>, project_flow: Option<&str>) -> Provisioner {
        let probe = Call::post(PROVIDER_STATES, setup_body(&StateParams::default()));
        if let Ok(x) = target.send(&probe).await
            && x.status == StatusCode::OK
            && x.body.clone().is_some_and(|b| serde_json::from_value::<SetupResponse>(b).is_ok())
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
                let x =
                    target.send(&Call::post(PROVIDER_STATES, setup_body(params))).await.map_err(|e| e.to_string())?;
                let decoded = x.body.clone().map(serde_json::from_value::<SetupResponse>);
                match (x.status, decoded) {
                    (StatusCode::OK, Some(Ok(SetupResponse { data }))) => Ok(Provisioned {
                        registration: data.app_registration_id,
                        token: data.token,
                        client_token: Some(data.client_token),
                        person: data.person,
                        biometric_validation: data.biometric_validation,
                    }),
                    (StatusCode::OK, Some(Err(e))) => Err(format!("the provider-state answer does not decode: {e}")),
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
                let created = Reader::new("the created App Registration", x.body.as_ref())
                    .and_then(|r| Ok((r.str("/data/token")?, r.str("/data/appRegistration/_id")?)));
                let (token, id) = match (x.status, created) {
                    (StatusCode::OK, Ok(found)) => found,
                    (StatusCode::OK, Err(missing)) => return Err(format!("creating an App Registration: {missing}")),
                    _ => return Err(format!("creating an App Registration failed: {}", x.summary())),
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
                    if x.status != StatusCode::OK {
                        return Err(format!("linking a person by a first validation failed: {}", x.summary()));
                    }
                    let linked = RegistrationView::read("the first validation's 200", x.body.as_ref())
                        .map_err(|missing| format!("linking a person: {missing}"))?;
                    p.person = linked.person;
                    p.biometric_validation = linked.biometric_validation;
                }
                if let Some((step, status)) = sync_step(params.status) {
                    let path = format!("/v2/app-registrations/{id}/sync");
                    let call = Call::new(reqwest::Method::PUT, path).bearer(&p.token);
                    let call =
                        Call { body: super::client::Body::Json(json!({"step": step, "status": status})), ..call };
                    let x = target.send(&call).await.map_err(|e| e.to_string())?;
                    if x.status != StatusCode::OK {
                        return Err(format!("moving the registration to {status} failed: {}", x.summary()));
                    }
                }
                Ok(p)
            }
        }
    }
}

fn setup_body(params: &StateParams) -> serde_json::Value {
    serde_json::to_value(params.request()).unwrap_or_default()
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
    if flows.status != StatusCode::OK || projects.status != StatusCode::OK {
        return Err(format!(
            "listing flows and projects with the client token failed: {} / {}",
            flows.summary(),
            projects.summary()
        ));
    }
    let flows = Reader::new("the project flows list", flows.body.as_ref()).and_then(|r| r.array("/data"));
    let projects = Reader::new("the projects list", projects.body.as_ref()).and_then(|r| r.array("/data"));
    let (flows, projects) = match (flows, projects) {
        (Ok(f), Ok(p)) => (f, p),
        (Err(missing), _) | (_, Err(missing)) => return Err(missing.to_string()),
    };
    // A flow whose project or id is unreadable cannot be used; a project is collection-less only when
    // it says so with `assignedCollection: null` or leaves it out.
    Ok(flows
        .iter()
        .filter_map(|f| {
            let f = Reader::new("a project flow", Some(f)).ok()?;
            let project = f.str("/project").ok()?;
            let has_collection = projects.iter().any(|p| {
                let p = Reader::new("a project", Some(p));
                p.is_ok_and(|p| {
                    p.str("/_id") == Ok(project) && p.reference("/assignedCollection").ok().flatten().is_some()
                })
            });
            Some(FlowChoice { project: project.to_owned(), flow: f.str("/_id").ok()?.to_owned(), has_collection })
        })
        .collect())
}

//! Setting up App Registrations on a target, in the condition a behaviour needs.
//!
//! Two ways, chosen by probing: the provider-state endpoint (the emulator, or a self-hosted server that
//! implements it) can set up anything; the public API (a client token and a project flow) can create
//! fresh registrations, move their status through `sync`, and link a person by a first validation.
//! What neither can do is refused with the reason, and the behaviour is skipped with it.

use reqwest::StatusCode;
use serde_json::json;

use std::sync::{Arc, Mutex};

use super::client::{Call, Target, TargetError};
use crate::api::provider_state::SetupResponse;
pub use crate::api::provider_state::{PATH as PROVIDER_STATES, ScriptStep, StateParams};
use crate::api::{ObjectId, Reader, RegistrationStatus, RegistrationView};

/// What a behaviour may need from the target beyond the endpoint itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// A fresh registration token, by any means (provider states, the public API, handed-in tokens).
    Registration,
    /// A registration in another condition: a person linked, another status, a project without a
    /// collection (provider states or the public API).
    SetUp,
    /// The provider-state endpoint: scripted scores, expiries, balances, EXPIRED status.
    ProviderStates,
    /// A client token, to read credits and registrations.
    ClientToken,
}

/// Why a registration could not be set up.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProvisionError {
    /// The target cannot produce this state; a behaviour that needs it is skipped with the reason.
    #[error("{0}")]
    Unavailable(String),
    /// The set-up was attempted and went wrong; a behaviour that needs it fails.
    #[error("the set-up failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Target(#[from] TargetError),
}

/// Registration tokens handed in by the user (`--registration-token`): each serves behaviours one at a
/// time and is spent by its first 200.
#[derive(Debug, Default)]
pub struct TokenPool {
    tokens: Mutex<Vec<(String, TokenState)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenState {
    Free,
    Leased,
    Spent,
}

impl TokenPool {
    pub(crate) fn new(tokens: Vec<String>) -> TokenPool {
        TokenPool { tokens: Mutex::new(tokens.into_iter().map(|t| (t, TokenState::Free)).collect()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, TokenState)>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn checkout(&self) -> Result<String, ProvisionError> {
        let mut tokens = self.lock();
        let n = tokens.len();
        match tokens.iter_mut().find(|(_, s)| *s == TokenState::Free) {
            Some((t, s)) => {
                *s = TokenState::Leased;
                Ok(t.clone())
            }
            None => Err(ProvisionError::Unavailable(format!(
                "needs 1 more registration token: the {n} handed in (--registration-token) are spent or in use"
            ))),
        }
    }

    /// A lease ends: the token serves the next behaviour unless a 200 spent it.
    pub(crate) fn release(&self, token: &str) {
        for (t, s) in self.lock().iter_mut() {
            if t == token && *s == TokenState::Leased {
                *s = TokenState::Free;
            }
        }
    }

    pub(crate) fn spend(&self, token: &str) {
        for (t, s) in self.lock().iter_mut() {
            if t == token {
                *s = TokenState::Spent;
            }
        }
    }

    pub(crate) fn unspent(&self) -> usize {
        self.lock().iter().filter(|(_, s)| *s != TokenState::Spent).count()
    }
}

/// The registration id a handed-in JWT names in its claims, read without verifying it.
fn claimed_registration(token: &str) -> Option<String> {
    use base64::Engine as _;
    let claims = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let r = Reader::new("the token's claims", Some(&v)).ok()?;
    ["/appRegistrationId", "/appRegistration", "/_id"].iter().find_map(|p| r.str(p).ok().map(str::to_owned))
}

/// A registration that was set up, and the tokens to use it.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The registration's id; empty when a handed-in token does not name it.
    pub registration: String,
    pub token: String,
    pub client_token: Option<String>,
    pub person: Option<String>,
    pub biometric_validation: Option<String>,
    /// The project flow the registration was created in, when known.
    pub project_flow: Option<String>,
}

/// How registrations are set up on this target.
#[derive(Debug, Clone)]
pub enum Provisioner {
    ProviderStates,
    PublicApi {
        client_token: String,
        flows: Vec<FlowChoice>,
    },
    /// Registration tokens handed in by the user, and nothing else.
    HandedIn(Arc<TokenPool>),
    /// None of these: behaviours that need a registration are skipped.
    Unavailable(String),
    /// The target did not answer the set-up probes: behaviours that need a registration fail.
    Unreachable(TargetError),
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
    pub(crate) async fn detect(
        target: &Target,
        client_token: Option<&str>,
        project_flow: Option<&str>,
        handed_in: &[String],
    ) -> Provisioner {
        let probe = Call::post(PROVIDER_STATES, setup_body(&StateParams::default()));
        if let Ok(x) = target.send(&probe).await
            && x.status == StatusCode::OK
            && x.body.clone().is_some_and(|b| serde_json::from_value::<SetupResponse>(b).is_ok())
        {
            return Provisioner::ProviderStates;
        }
        let Some(client_token) = client_token else {
            if !handed_in.is_empty() {
                return Provisioner::HandedIn(Arc::new(TokenPool::new(handed_in.to_vec())));
            }
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
            Err(ProvisionError::Target(e)) => Provisioner::Unreachable(e),
            Err(why) => Provisioner::Unavailable(why.to_string()),
        }
    }

    /// Why the set-up probes got no answer, when they did not.
    pub(crate) fn unreachable(&self) -> Option<&TargetError> {
        match self {
            Provisioner::Unreachable(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn has(&self, capability: Capability) -> bool {
        match (self, capability) {
            (Provisioner::Unavailable(_) | Provisioner::Unreachable(_), _) => false,
            (Provisioner::ProviderStates, _) => true,
            (Provisioner::PublicApi { .. }, Capability::ProviderStates) => false,
            (Provisioner::PublicApi { .. }, _) => true,
            (Provisioner::HandedIn(_), c) => c == Capability::Registration,
        }
    }

    /// A central-endpoint 200 answered to `token`: a handed-in token is spent.
    pub(crate) fn spent(&self, token: &str) {
        if let Provisioner::HandedIn(pool) = self {
            pool.spend(token);
        }
    }

    /// A behaviour that leased `token` has ended.
    pub(crate) fn release(&self, token: &str) {
        if let Provisioner::HandedIn(pool) = self {
            pool.release(token);
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Provisioner::ProviderStates => "provider states".into(),
            Provisioner::PublicApi { .. } => "public API (client token)".into(),
            Provisioner::HandedIn(pool) => format!("handed-in registration tokens ({} unspent)", pool.unspent()),
            Provisioner::Unavailable(why) => format!("none ({why})"),
            Provisioner::Unreachable(e) => format!("none (the target did not answer: {e})"),
        }
    }

    /// Sets up a registration in the condition `params` describes, or says why it cannot.
    pub(crate) async fn registration(
        &self,
        target: &Target,
        params: &StateParams,
        face: &str,
    ) -> Result<Provisioned, ProvisionError> {
        use ProvisionError::{Failed, Unavailable};
        match self {
            Provisioner::Unavailable(why) => Err(Unavailable(why.clone())),
            Provisioner::Unreachable(e) => Err(ProvisionError::Target(e.clone())),
            Provisioner::HandedIn(pool) => {
                if *params != StateParams::default() {
                    return Err(Unavailable(
                        "handed-in registration tokens give fresh registrations only; this state needs provider states or a client token".into(),
                    ));
                }
                let token = pool.checkout()?;
                Ok(Provisioned {
                    registration: claimed_registration(&token).unwrap_or_default(),
                    token,
                    client_token: None,
                    person: None,
                    biometric_validation: None,
                    project_flow: None,
                })
            }
            Provisioner::ProviderStates => {
                let x = target.send(&Call::post(PROVIDER_STATES, setup_body(params))).await?;
                let decoded = x.body.clone().map(serde_json::from_value::<SetupResponse>);
                match (x.status, decoded) {
                    (StatusCode::OK, Some(Ok(SetupResponse { data }))) => Ok(Provisioned {
                        registration: data.app_registration_id,
                        token: data.token,
                        client_token: Some(data.client_token),
                        person: data.person,
                        biometric_validation: data.biometric_validation,
                        project_flow: Some(data.project_flow),
                    }),
                    (StatusCode::OK, Some(Err(e))) => {
                        Err(Failed(format!("the provider-state answer does not decode: {e}")))
                    }
                    _ => Err(Failed(format!("the provider-state set-up was refused: {}", x.summary().redacted()))),
                }
            }
            Provisioner::PublicApi { client_token, flows } => {
                if let Some(why) = params.public_api_refusal() {
                    return Err(Unavailable(why));
                }
                let flow = flows.iter().find(|f| f.has_collection == params.collection).ok_or_else(|| {
                    Unavailable(format!(
                        "the client token sees no project flow whose project {} a collection",
                        if params.collection { "has" } else { "lacks" }
                    ))
                })?;
                let email = format!("conformance+{}@example.com", ObjectId::generate());
                let body = json!({"project": flow.project, "projectFlow": flow.flow, "email": email});
                let x = target.send(&Call::post("/v2/app-registrations", body).bearer(client_token)).await?;
                let created = Reader::new("the created App Registration", x.body.as_ref())
                    .and_then(|r| Ok((r.str("/data/token")?, r.str("/data/appRegistration/_id")?)));
                let (token, id) = match (x.status, created) {
                    (StatusCode::OK, Ok(found)) => found,
                    (StatusCode::OK, Err(missing)) => {
                        return Err(Failed(format!("creating an App Registration: {missing}")));
                    }
                    _ => {
                        return Err(Failed(format!(
                            "creating an App Registration was refused: {}",
                            x.summary().redacted()
                        )));
                    }
                };
                let mut p = Provisioned {
                    registration: id.to_owned(),
                    token: token.to_owned(),
                    client_token: Some(client_token.clone()),
                    person: None,
                    biometric_validation: None,
                    project_flow: Some(flow.flow.clone()),
                };
                if params.person_set {
                    let call =
                        Call::post(crate::api::CENTRAL_PATH, json!({"image": face, "os": "DESKTOP"})).bearer(&p.token);
                    let x = target.send(&call).await?;
                    if x.status != StatusCode::OK {
                        return Err(Failed(format!(
                            "linking a person by a first validation: {}",
                            x.summary().redacted()
                        )));
                    }
                    let linked = RegistrationView::read("the first validation's 200", x.body.as_ref())
                        .map_err(|missing| Failed(format!("linking a person: {missing}")))?;
                    p.person = linked.person;
                    p.biometric_validation = linked.biometric_validation;
                }
                if let Some((step, status)) = sync_step(params.status) {
                    let path = format!("/v2/app-registrations/{id}/sync");
                    let call = Call::new(reqwest::Method::PUT, path).bearer(&p.token);
                    let call =
                        Call { body: super::client::Body::Json(json!({"step": step, "status": status})), ..call };
                    let x = target.send(&call).await?;
                    if x.status != StatusCode::OK {
                        return Err(Failed(format!("moving the registration to {status}: {}", x.summary().redacted())));
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

async fn list_flows(target: &Target, client_token: &str) -> Result<Vec<FlowChoice>, ProvisionError> {
    let flows = target.send(&Call::get("/v2/project-flows").bearer(client_token)).await?;
    let projects = target.send(&Call::get("/v2/projects").bearer(client_token)).await?;
    if flows.status != StatusCode::OK || projects.status != StatusCode::OK {
        return Err(ProvisionError::Unavailable(format!(
            "listing flows and projects with the client token failed: {} / {}",
            flows.summary().redacted(),
            projects.summary().redacted()
        )));
    }
    let flows = Reader::new("the project flows list", flows.body.as_ref()).and_then(|r| r.array("/data"));
    let projects = Reader::new("the projects list", projects.body.as_ref()).and_then(|r| r.array("/data"));
    let (flows, projects) = match (flows, projects) {
        (Ok(f), Ok(p)) => (f, p),
        (Err(missing), _) | (_, Err(missing)) => return Err(ProvisionError::Unavailable(missing.to_string())),
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

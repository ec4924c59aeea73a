//! The emulator's records, as loaded from the store, and how each one is rendered on the wire.
//!
//! Field names follow the vendor's object pages (`_id`, camelCase, ISO-8601 with milliseconds and `Z`).

use serde_json::{Map, Value, json};

use crate::api::{Os, RegistrationStatus, Score};

/// Search mode of a project flow's liveness settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "UPPERCASE")]
pub(crate) enum SearchMode {
    Fast,
    Accurate,
}

crate::api::closed!(SearchMode);

/// The liveness part of an onboarding project flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LivenessSettings {
    pub min_score: Score,
    pub search_mode: SearchMode,
    pub search_min_score: Score,
    pub attempt_limit: u32,
}

impl LivenessSettings {
    /// The endpoint page's defaults (0.6, ACCURATE, 0.9) and the front end's attempt limit (3).
    pub(crate) fn documented_defaults() -> LivenessSettings {
        LivenessSettings {
            min_score: Score::from_hundredths(60).unwrap_or(Score::ZERO),
            search_mode: SearchMode::Accurate,
            search_min_score: Score::from_hundredths(90).unwrap_or(Score::ONE),
            attempt_limit: 3,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub id: String,
    pub client: String,
    pub name: String,
    pub collection: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Project {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "_id": self.id,
            "client": self.client,
            "name": self.name,
            "status": "active",
            "assignedCollection": self.collection,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ProjectFlow {
    pub id: String,
    pub client: String,
    pub project: String,
    pub name: String,
    pub liveness: LivenessSettings,
    pub created_at: String,
    pub updated_at: String,
}

impl ProjectFlow {
    /// Both the v3 `liveness` block and the v2 `onboardingSettings.liveness` block, because the
    /// vendor's front end reads either.
    pub(crate) fn to_json(&self) -> Value {
        let l = &self.liveness;
        json!({
            "_id": self.id,
            "client": self.client,
            "project": self.project,
            "name": self.name,
            "type": "onboarding",
            "status": "active",
            "version": 1,
            "liveness": {
                "minScore": l.min_score.as_f64(),
                "searchMode": l.search_mode.as_str(),
                "searchMinScore": l.search_min_score.as_f64(),
                "attemptLimit": l.attempt_limit,
            },
            "onboardingSettings": {
                "steps": {"signUpForm": "mandatory", "liveness": "mandatory"},
                "liveness": {
                    "livenessMinScore": l.min_score.as_f64(),
                    "searchMode": l.search_mode.as_str(),
                    "searchMinScore": l.search_min_score.as_f64(),
                    "maxAttempts": l.attempt_limit,
                },
            },
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub id: String,
    pub client: String,
    pub project: String,
    pub project_flow: String,
    pub status: RegistrationStatus,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country_code: Option<String>,
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language: String,
    pub current_step: String,
    pub information_validation: Option<String>,
    pub biometric_validation: Option<String>,
    pub person: Option<String>,
    pub assigned_collection: Option<String>,
    pub failed_attempts: u32,
    pub attempt_limit: u32,
    pub created_at: String,
    pub updated_at: String,
}

impl Registration {
    pub(crate) fn remaining_attempts(&self) -> u32 {
        self.attempt_limit.saturating_sub(self.failed_attempts)
    }

    /// Exactly the keys of the endpoint page's 200 example, in its order; absent contact fields are
    /// left out rather than sent as null.
    pub(crate) fn to_documented_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("_id".into(), json!(self.id));
        m.insert("client".into(), json!(self.client));
        m.insert("project".into(), json!(self.project));
        m.insert("projectFlow".into(), json!(self.project_flow));
        m.insert("status".into(), json!(self.status));
        insert_some(&mut m, "email", &self.email);
        insert_some(&mut m, "countryCode", &self.country_code);
        insert_some(&mut m, "phone", &self.phone);
        m.insert("biometricValidation".into(), json!(self.biometric_validation));
        m.insert("person".into(), json!(self.person));
        m.insert("informationValidation".into(), json!(self.information_validation));
        m.insert("assignedCollection".into(), json!(self.assigned_collection));
        m.insert("createdAt".into(), json!(self.created_at));
        m.insert("updatedAt".into(), json!(self.updated_at));
        Value::Object(m)
    }

    /// The fuller object of the retrieve and create pages.
    pub(crate) fn to_full_json(&self) -> Value {
        let mut v = self.to_documented_json();
        if let Value::Object(m) = &mut v {
            insert_some(m, "fullName", &self.full_name);
            insert_some(m, "firstName", &self.first_name);
            insert_some(m, "lastName", &self.last_name);
            m.insert("language".into(), json!(self.language));
            m.insert("currentStep".into(), json!(self.current_step));
            m.insert("redFlags".into(), json!(0));
        }
        v
    }
}

fn insert_some(m: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        m.insert(key.into(), json!(v));
    }
}

#[derive(Debug, Clone)]
pub(crate) struct InformationValidation {
    pub id: String,
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl InformationValidation {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "_id": self.id,
            "fullName": self.full_name,
            "firstName": self.first_name,
            "lastName": self.last_name,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id: String,
    pub client: String,
    pub name: String,
    pub collection: String,
    pub app_registration: String,
    pub active: bool,
    pub liveness_score: Score,
    pub created_at: String,
    pub updated_at: String,
}

impl Person {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "_id": self.id,
            "client": self.client,
            "name": self.name,
            "collections": [self.collection],
            "appRegistration": self.app_registration,
            "status": if self.active { "active" } else { "inactive" },
            "livenessScore": self.liveness_score.as_f64(),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct BiometricValidation {
    pub id: String,
    pub client: String,
    pub project: String,
    pub project_flow: String,
    pub app_registration: String,
    pub person: String,
    pub os: Os,
    pub liveness_score: Score,
    pub minimum_score: Score,
    pub image_digest: String,
    pub replaced: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl BiometricValidation {
    /// The score sits both at the top level (where the vendor's front end reads it) and in
    /// `biometricData` (where the object page documents it).
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "_id": self.id,
            "client": self.client,
            "project": self.project,
            "projectFlow": self.project_flow,
            "appRegistration": self.app_registration,
            "person": self.person,
            "type": "onboarding",
            "status": if self.replaced { "expired" } else { "completed" },
            "os": self.os,
            "livenessScore": self.liveness_score.as_f64(),
            "biometricData": {
                "livenessScore": self.liveness_score.as_f64(),
                "imageDigest": self.image_digest,
            },
            "verificationResults": {
                "livenessDetection": "passed",
                "minimumScore": self.minimum_score.as_f64(),
            },
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Credit {
    pub id: String,
    pub client: String,
    pub amount: i64,
    pub category: CreditCategory,
    pub description: String,
    /// The biometric validation a usage credit paid for.
    pub reference: Option<String>,
    pub created_at: String,
}

pub use crate::api::CreditCategory;

impl Credit {
    /// A usage record names the validation it paid for (`biometricValidation`), an emulator addition
    /// the suite's credit checks use where a target offers it.
    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "_id": self.id,
            "client": self.client,
            "amount": self.amount,
            "category": self.category.as_str(),
            "status": "approved",
            "currency": "USD",
            "description": self.description,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        });
        if let (Some(bv), Value::Object(m)) = (&self.reference, &mut v) {
            m.insert("biometricValidation".into(), Value::String(bv.clone()));
        }
        v
    }
}

pub use crate::api::now_iso;

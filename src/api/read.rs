//! Typed reading of what a target answers. Every accessor returns `Result<_, Missing>`: a field that a
//! check depends on and that is absent, `null` where a value is required, or of the wrong type is
//! reported as exactly that, never replaced by a default. (Indexing a `serde_json::Value` by a missing
//! key yields `Null`, which is how defaults used to slip into verdicts.)

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::{CreditCategory, ErrorBody, FailureKind, RegistrationStatus};

/// A field a reader needed and did not get.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {} {problem}", if pointer.is_empty() { "the body" } else { pointer.as_str() })]
pub struct Missing {
    /// What was being read, e.g. `the credits list`.
    pub what: &'static str,
    /// JSON Pointer of the field.
    pub pointer: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("is absent")]
    Absent,
    #[error("is {found}, not {expected}")]
    WrongType { expected: &'static str, found: &'static str },
    #[error("is not valid: {0}")]
    Invalid(String),
}

/// The JSON type of a value, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON document read by pointer, naming itself in every `Missing`.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    what: &'static str,
    root: &'a Value,
}

impl<'a> Reader<'a> {
    /// `body` is `None` when the response did not parse as JSON.
    pub(crate) fn new(what: &'static str, body: Option<&'a Value>) -> Result<Reader<'a>, Missing> {
        match body {
            Some(root) => Ok(Reader { what, root }),
            None => Err(Missing { what, pointer: String::new(), problem: Problem::Absent }),
        }
    }

    fn missing(&self, pointer: &str, problem: Problem) -> Missing {
        Missing { what: self.what, pointer: pointer.to_owned(), problem }
    }

    fn wrong(&self, pointer: &str, expected: &'static str, found: &Value) -> Missing {
        self.missing(pointer, Problem::WrongType { expected, found: type_name(found) })
    }

    /// The value at `pointer`; absent and `null` are both "absent".
    pub(crate) fn value(&self, pointer: &str) -> Result<&'a Value, Missing> {
        match self.root.pointer(pointer) {
            None | Some(Value::Null) => Err(self.missing(pointer, Problem::Absent)),
            Some(v) => Ok(v),
        }
    }

    /// `None` for absent or `null`; `Err` only for a value of another type.
    fn optional(&self, pointer: &str) -> Option<&'a Value> {
        self.root.pointer(pointer).filter(|v| !v.is_null())
    }

    pub(crate) fn str(&self, pointer: &str) -> Result<&'a str, Missing> {
        let v = self.value(pointer)?;
        v.as_str().ok_or_else(|| self.wrong(pointer, "a string", v))
    }

    pub(crate) fn opt_str(&self, pointer: &str) -> Result<Option<&'a str>, Missing> {
        match self.optional(pointer) {
            None => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| self.wrong(pointer, "a string", v)),
        }
    }

    pub(crate) fn u64(&self, pointer: &str) -> Result<u64, Missing> {
        let v = self.value(pointer)?;
        v.as_u64().ok_or_else(|| self.wrong(pointer, "a whole number of zero or more", v))
    }

    pub(crate) fn opt_u64(&self, pointer: &str) -> Result<Option<u64>, Missing> {
        match self.optional(pointer) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| self.wrong(pointer, "a whole number of zero or more", v)),
        }
    }

    pub(crate) fn opt_f64(&self, pointer: &str) -> Result<Option<f64>, Missing> {
        match self.optional(pointer) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| self.wrong(pointer, "a number", v)),
        }
    }

    pub(crate) fn array(&self, pointer: &str) -> Result<&'a [Value], Missing> {
        let v = self.value(pointer)?;
        v.as_array().map(Vec::as_slice).ok_or_else(|| self.wrong(pointer, "an array", v))
    }

    /// A string field parsed into a closed vocabulary.
    pub(crate) fn parse<T: FromStr>(&self, pointer: &str) -> Result<T, Missing>
    where
        T::Err: fmt::Display,
    {
        let s = self.str(pointer)?;
        s.parse().map_err(|e: T::Err| self.missing(pointer, Problem::Invalid(e.to_string())))
    }

    pub(crate) fn opt_parse<T: FromStr>(&self, pointer: &str) -> Result<Option<T>, Missing>
    where
        T::Err: fmt::Display,
    {
        match self.opt_str(pointer)? {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|e: T::Err| self.missing(pointer, Problem::Invalid(e.to_string()))),
        }
    }

    /// A reference to another record: its id, or a populated object with `_id`; `None` when unset.
    pub(crate) fn reference(&self, pointer: &str) -> Result<Option<String>, Missing> {
        match self.optional(pointer) {
            None => Ok(None),
            Some(Value::String(id)) => Ok(Some(id.clone())),
            Some(Value::Object(_)) => self.str(&format!("{pointer}/_id")).map(|id| Some(id.to_owned())),
            Some(v) => Err(self.wrong(pointer, "an id or an object with _id", v)),
        }
    }
}

impl ErrorBody {
    /// Reads an error body; `code` and `message` are required, the liveness extras are typed when present.
    pub(crate) fn read(body: Option<&Value>) -> Result<ErrorBody, Missing> {
        let r = Reader::new("the error body", body)?;
        Ok(ErrorBody {
            code: r.str("/code")?.to_owned(),
            message: r.str("/message")?.to_owned(),
            failure_kind: r.opt_parse::<FailureKind>("/failureKind")?,
            failure_reason: r.opt_str("/failureReason")?.map(str::to_owned),
            liveness_score: r.opt_f64("/livenessScore")?,
            minimum_score: r.opt_f64("/minimumScore")?,
            remaining_attempts: r.opt_u64("/remainingAttempts")?.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            status: r.opt_u64("/status")?.map(|n| u16::try_from(n).unwrap_or(u16::MAX)),
        })
    }
}

/// An App Registration as the central endpoint's 200 (`data`) or the retrieve route shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationView {
    pub id: String,
    pub status: RegistrationStatus,
    pub person: Option<String>,
    pub biometric_validation: Option<String>,
}

impl RegistrationView {
    pub(crate) fn read(what: &'static str, body: Option<&Value>) -> Result<RegistrationView, Missing> {
        let r = Reader::new(what, body)?;
        Ok(RegistrationView {
            id: r.str("/data/_id")?.to_owned(),
            status: r.parse("/data/status")?,
            person: r.reference("/data/person")?,
            biometric_validation: r.reference("/data/biometricValidation")?,
        })
    }
}

/// One page of `GET /v2/credits`, in the list envelope the credits page documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditPage {
    pub records: Vec<CreditRecord>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRecord {
    pub id: String,
    pub category: CreditCategory,
    /// The validation a usage record paid for, where the target names it.
    pub biometric_validation: Option<String>,
}

impl CreditPage {
    pub(crate) fn read(body: Option<&Value>) -> Result<CreditPage, Missing> {
        let r = Reader::new("the credits list", body)?;
        let records = r
            .array("/data")?
            .iter()
            .enumerate()
            .map(|(i, record)| {
                let one = Reader { what: "the credits list", root: record };
                let at = |field: &str| format!("/data/{i}/{field}");
                let id = one.str("/_id").map_err(|m| Missing { pointer: at("_id"), ..m })?;
                let category = one.parse("/category").map_err(|m| Missing { pointer: at("category"), ..m })?;
                let bv = one
                    .reference("/biometricValidation")
                    .map_err(|m| Missing { pointer: at("biometricValidation"), ..m })?;
                Ok(CreditRecord { id: id.to_owned(), category, biometric_validation: bv })
            })
            .collect::<Result<Vec<_>, Missing>>()?;
        Ok(CreditPage {
            records,
            page: r.u64("/pagination/page")?,
            per_page: r.u64("/pagination/perPage")?,
            total: r.u64("/pagination/total")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_null_and_wrong_types_are_named() {
        let v = json!({"pagination": {"page": 1, "perPage": 100}, "data": []});
        let e = CreditPage::read(Some(&v)).expect_err("total is absent");
        assert_eq!(e.to_string(), "the credits list: /pagination/total is absent");
        let v = json!({"pagination": {"page": 1, "perPage": 100, "total": "3"}, "data": []});
        let e = CreditPage::read(Some(&v)).expect_err("total is a string");
        assert_eq!(
            e.to_string(),
            "the credits list: /pagination/total is a string, not a whole number of zero or more"
        );
        let e = ErrorBody::read(Some(&json!({"code": "x", "message": null}))).expect_err("null message");
        assert_eq!(e.problem, Problem::Absent);
        assert!(ErrorBody::read(None).is_err_and(|e| e.to_string() == "the error body: the body is absent"));
    }

    #[test]
    fn reads_references_either_way() {
        let v = json!({"data": {"_id": "a", "status": "STARTED", "person": {"_id": "p"}, "biometricValidation": "b"}});
        let r = RegistrationView::read("the 200 body", Some(&v)).expect("readable");
        assert_eq!((r.person.as_deref(), r.biometric_validation.as_deref()), (Some("p"), Some("b")));
        let v = json!({"data": {"_id": "a", "status": "started"}});
        assert!(RegistrationView::read("x", Some(&v)).is_err_and(|e| matches!(e.problem, Problem::Invalid(_))));
        let v = json!({"data": {"_id": "a", "status": "STARTED", "person": 7}});
        assert!(RegistrationView::read("x", Some(&v)).is_err());
    }

    #[test]
    fn credit_records_are_typed() {
        let v = json!({"data": [{"_id": "c1", "category": "usage", "biometricValidation": "b1"}, {"_id": "c2", "category": "usage"}],
            "pagination": {"page": 1, "perPage": 100, "total": 2}});
        let page = CreditPage::read(Some(&v)).expect("readable");
        assert_eq!(page.records[0].biometric_validation.as_deref(), Some("b1"));
        assert_eq!(page.records[1].category, CreditCategory::Usage);
        let v =
            json!({"data": [{"_id": "c1", "category": "gift"}], "pagination": {"page": 1, "perPage": 1, "total": 1}});
        assert!(CreditPage::read(Some(&v)).is_err_and(|e| e.pointer == "/data/0/category"));
    }
}

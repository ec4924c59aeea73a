//! The JSON Schemas of `schemas/`, embedded in the binary so the suite judges remote targets without
//! its source tree. All are draft 2020-12, cross-reference each other by `$id`, are compiled once with
//! format assertion on, and never fetch anything from the network.

use std::collections::BTreeMap;

use jsonschema::{Registry, Validator};
use serde_json::Value;

/// Every schema file: its name in `schemas/` and its text.
pub const FILES: &[(&str, &str)] = &[
    ("common.json", include_str!("../schemas/common.json")),
    ("app-registration-request.json", include_str!("../schemas/app-registration-request.json")),
    ("app-registration-200.json", include_str!("../schemas/app-registration-200.json")),
    ("error-documented.json", include_str!("../schemas/error-documented.json")),
    ("error-generic.json", include_str!("../schemas/error-generic.json")),
    ("provider-state-request.json", include_str!("../schemas/provider-state-request.json")),
    ("provider-state-response.json", include_str!("../schemas/provider-state-response.json")),
];

/// The base every `$id` starts with.
pub(crate) const ID_BASE: &str = "https://verifik-conformance.test/schemas/";

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schema {name} is not valid JSON")]
    Json {
        name: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("schema {name} does not compile: {message}")]
    Compile { name: &'static str, message: String },
}

/// One reason an instance does not match a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON Pointer into the instance.
    pub pointer: String,
    pub message: String,
}

/// The compiled schemas, by file name.
pub struct SchemaSet {
    validators: BTreeMap<&'static str, Validator>,
    documents: BTreeMap<&'static str, Value>,
}

impl SchemaSet {
    pub fn load() -> Result<SchemaSet, SchemaError> {
        let mut documents = BTreeMap::new();
        for (name, text) in FILES {
            let doc: Value = serde_json::from_str(text).map_err(|source| SchemaError::Json { name, source })?;
            documents.insert(*name, doc);
        }
        let compile = |name: &'static str, message: String| SchemaError::Compile { name, message };
        let mut registry = Registry::new();
        for (name, doc) in &documents {
            registry =
                registry.add(format!("{ID_BASE}{name}"), doc.clone()).map_err(|e| compile(name, e.to_string()))?;
        }
        let registry = registry.prepare().map_err(|e| compile("(registry)", e.to_string()))?;
        let mut validators = BTreeMap::new();
        for name in documents.keys() {
            let root = serde_json::json!({ "$ref": format!("{ID_BASE}{name}") });
            let v = jsonschema::options()
                .should_validate_formats(true)
                .with_registry(&registry)
                .build(&root)
                .map_err(|e| compile(name, e.to_string()))?;
            validators.insert(*name, v);
        }
        Ok(SchemaSet { validators, documents })
    }

    /// Every violation of `name` by `instance`; an unknown schema name is a harness bug.
    pub fn check(&self, name: &str, instance: &Value) -> Vec<SchemaViolation> {
        let Some(v) = self.validators.get(name) else {
            return vec![SchemaViolation { pointer: String::new(), message: format!("no schema named {name}") }];
        };
        v.iter_errors(instance)
            .map(|e| SchemaViolation { pointer: e.instance_path().to_string(), message: e.to_string() })
            .collect()
    }

    /// The `examples` a schema carries, for self-tests.
    /// The parsed text of one schema file.
    pub(crate) fn document(&self, name: &str) -> Option<&Value> {
        self.documents.get(name)
    }

    pub fn examples(&self, name: &str) -> Vec<Value> {
        self.documents.get(name).and_then(|d| d["examples"].as_array()).cloned().unwrap_or_default()
    }

    #[cfg(test)]
    fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.validators.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_compiles_and_its_examples_validate() {
        let set = SchemaSet::load().expect("schemas load");
        assert_eq!(set.names().count(), FILES.len());
        for name in set.names() {
            for example in set.examples(name) {
                assert_eq!(set.check(name, &example), vec![], "{name} example {example}");
            }
        }
    }

    #[test]
    fn violations_carry_a_pointer() {
        let set = SchemaSet::load().expect("schemas load");
        let bad = json!({"state": "app registration", "params": {"status": "DONE", "credits": -1}});
        let found = set.check("provider-state-request.json", &bad);
        let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert!(pointers.contains(&"/params/status") && pointers.contains(&"/params/credits"), "{found:?}");
        assert!(!set.check("provider-state-request.json", &json!({"state": "x"})).is_empty());
    }
}

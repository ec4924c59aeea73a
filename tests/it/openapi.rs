//! `schemas/openapi.yaml` (JSON syntax, which is YAML 1.2) is a valid OpenAPI 3.1 document, refers only
//! to the suite's own schemas, and every example in it validates against the schema it sits under.

use serde_json::Value;
use verifik_conformance::schemas::{FILES, SchemaSet};

const OPENAPI: &str = include_str!("../../schemas/openapi.yaml");
const OAS_31: &str = include_str!("../../schemas/vendor/oas-3.1-schema.json");

fn oas_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(OAS_31).expect("the OAS 3.1 schema parses");
    jsonschema::options().build(&schema).expect("the OAS 3.1 schema compiles")
}

/// Every (schema names, example) pair under a media type.
fn examples(doc: &Value) -> Vec<(Vec<String>, Value)> {
    let mut out = Vec::new();
    let mut media: Vec<&Value> = Vec::new();
    for op in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|m| m.as_object().into_iter().flat_map(|m| m.values()))
    {
        media.extend(op["requestBody"]["content"].as_object().into_iter().flat_map(|c| c.values()));
        for response in op["responses"].as_object().into_iter().flat_map(|r| r.values()) {
            media.extend(response["content"].as_object().into_iter().flat_map(|c| c.values()));
        }
    }
    for m in media {
        let schema = &m["schema"];
        let refs: Vec<String> = match schema["anyOf"].as_array() {
            Some(any) => any.iter().filter_map(|s| s["$ref"].as_str().map(str::to_owned)).collect(),
            None => schema["$ref"].as_str().map(str::to_owned).into_iter().collect(),
        };
        for e in m["examples"].as_object().into_iter().flat_map(|e| e.values()) {
            out.push((refs.clone(), e["value"].clone()));
        }
    }
    out
}

#[test]
fn the_spec_is_valid_openapi_3_1() {
    let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.yaml is JSON");
    let v = oas_validator();
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = doc.clone();
    broken.as_object_mut().expect("object").remove("info");
    assert!(!v.is_valid(&broken), "the meta-schema check can fail");
}

#[test]
fn every_example_validates_against_its_schema() {
    let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.yaml is JSON");
    let schemas = SchemaSet::load().expect("schemas load");
    let found = examples(&doc);
    assert!(found.len() >= 14, "{} examples", found.len());
    for (refs, example) in &found {
        assert!(!refs.is_empty(), "an example without a schema: {example}");
        for r in refs {
            assert!(FILES.iter().any(|(name, _)| name == r), "{r} is not one of the suite's schemas");
        }
        assert!(refs.iter().any(|r| schemas.check(r, example).is_empty()), "{example} matches none of {refs:?}");
    }
    let wrong = serde_json::json!({"code": "person_already_set", "message": "person_already_set"});
    assert!(!schemas.check("error-documented.json", &wrong).is_empty(), "an example can fail its schema");
}

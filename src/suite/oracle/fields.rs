//! Undocumented fields: every field of a central-endpoint response that the JSON Schemas in `schemas/`
//! do not name. Users of OpenAPI validators know this as "strict mode". A schema that declares
//! `"additionalProperties": true` is open on purpose (a populated record of another resource), and
//! an object schema that names no properties at all constrains nothing here.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::schemas::SchemaSet;

/// A schema and the file it sits in, so that relative `$ref`s resolve.
#[derive(Clone, Copy)]
struct At<'a> {
    file: &'a str,
    schema: &'a Value,
}

fn resolve<'a>(set: &'a SchemaSet, at: At<'a>) -> At<'a> {
    let Some(reference) = at.schema.get("$ref").and_then(Value::as_str) else { return at };
    let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let file = if file.is_empty() { at.file } else { file.rsplit('/').next().unwrap_or(file) };
    let Some(doc) = set.document(file) else { return at };
    match doc.pointer(fragment) {
        Some(schema) => resolve(set, At { file, schema }),
        None => at,
    }
}

/// The properties an object schema names (through `anyOf`, `oneOf` and `allOf` too), and whether it
/// is open.
fn named<'a>(set: &'a SchemaSet, at: At<'a>, props: &mut BTreeMap<&'a str, Vec<At<'a>>>) -> bool {
    let at = resolve(set, at);
    let mut open = at.schema.get("additionalProperties") == Some(&Value::Bool(true));
    if let Some(p) = at.schema.get("properties").and_then(Value::as_object) {
        for (k, schema) in p {
            props.entry(k.as_str()).or_default().push(At { file: at.file, schema });
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for branch in at.schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            open |= named(set, At { file: at.file, schema: branch }, props);
        }
    }
    open
}

fn walk(set: &SchemaSet, ats: &[At<'_>], instance: &Value, pointer: &str, out: &mut Vec<String>) {
    match instance {
        Value::Object(m) => {
            let mut props = BTreeMap::new();
            let mut open = false;
            for at in ats {
                open |= named(set, *at, &mut props);
            }
            if props.is_empty() {
                return;
            }
            for (k, v) in m {
                let here = format!("{pointer}/{k}");
                match props.get(k.as_str()) {
                    Some(sub) => walk(set, sub, v, &here, out),
                    None if !open => out.push(here),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            let subs: Vec<At<'_>> = ats
                .iter()
                .map(|at| resolve(set, *at))
                .filter_map(|at| at.schema.get("items").map(|schema| At { file: at.file, schema }))
                .collect();
            for (i, v) in items.iter().enumerate() {
                walk(set, &subs, v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The JSON Pointers of the fields of `instance` that schema `name` does not name.
pub(crate) fn undocumented(set: &SchemaSet, name: &str, instance: &Value) -> Vec<String> {
    let Some(doc) = set.document(name) else { return Vec::new() };
    let mut out = Vec::new();
    walk(set, &[At { file: name, schema: doc }], instance, "", &mut out);
    out
}

/// `instance` without the fields `name` does not name: what snapshots compare, so that an extra field
/// is this oracle's finding (a warning against the vendor) and not a snapshot difference as well.
pub(crate) fn documented_part(set: &SchemaSet, name: &str, instance: &Value) -> Value {
    let mut v = instance.clone();
    for pointer in undocumented(set, name, instance) {
        let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", &pointer));
        if let Some(Value::Object(m)) = v.pointer_mut(parent) {
            m.shift_remove(key);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_what_the_schemas_do_not() {
        let set = SchemaSet::load().expect("schemas load");
        let ok = set.examples("app-registration-200.json").remove(0);
        assert_eq!(undocumented(&set, "app-registration-200.json", &ok), Vec::<String>::new());
        let mut extra = ok.clone();
        extra["data"]["debugScore"] = json!(0.9);
        extra["trace"] = json!("x");
        assert_eq!(undocumented(&set, "app-registration-200.json", &extra), ["/data/debugScore", "/trace"]);
        assert_eq!(documented_part(&set, "app-registration-200.json", &extra), ok);
        // A populated person is another resource's record: open on purpose.
        let mut populated = ok.clone();
        populated["data"]["person"] = json!({"_id": "674de8df21c72be3cc42b8a9", "name": "x"});
        assert_eq!(undocumented(&set, "app-registration-200.json", &populated), Vec::<String>::new());
        let err =
            json!({"code": "liveness_failed", "message": "409:liveness_failed@0.4", "livenessScore": 0.4, "why": 1});
        assert_eq!(undocumented(&set, "error-documented.json", &err), ["/why"]);
        let err = json!({"code": "UNAUTHORIZED", "message": "Authentication required", "status": 401});
        assert_eq!(undocumented(&set, "error-generic.json", &err), Vec::<String>::new());
    }
}

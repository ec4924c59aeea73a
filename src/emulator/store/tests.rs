//! The store on its own, in memory: migrations, seeding, the success transaction's preconditions,
//! replacement under `force`, the credit ledger, attempts and scripted answers.

use super::*;
use crate::api::QualityCode;

fn seeded() -> (Connection, Seeded) {
    let mut conn = Connection::open_in_memory().expect("in memory");
    migrate(&mut conn).expect("migrates");
    let s = seed(&mut conn, None, SEED_CREDITS).expect("seeds");
    (conn, s)
}

/// A registration in `status` in the seeded client's flow whose project has a collection.
fn registration_in(conn: &mut Connection, client: &str, status: RegistrationStatus) -> Registration {
    let all = flows(conn, client).expect("flows");
    let flow = all
        .iter()
        .find(|f| project(conn, &f.project).ok().flatten().is_some_and(|p| p.collection.is_some()))
        .expect("a flow with a collection");
    let new = NewRegistration {
        client: client.to_owned(),
        project: flow.project.clone(),
        project_flow: flow.id.clone(),
        email: Some("someone@example.com".into()),
        phone: None,
        country_code: None,
        full_name: None,
        first_name: None,
        last_name: None,
        language: None,
    };
    create_registration(conn, new, status).expect("created").0
}

fn success(reg: &Registration, force: bool) -> Success {
    Success {
        registration: reg.id.clone(),
        force,
        require_active: true,
        require_balance: true,
        os: Os::Ios,
        score: Score::from_hundredths(87).expect("a score"),
        minimum: Score::from_hundredths(60).expect("a score"),
        image_digest: "digest".into(),
    }
}

#[test]
fn migrations_are_tracked_and_a_newer_schema_is_refused() {
    let mut conn = Connection::open_in_memory().expect("in memory");
    migrate(&mut conn).expect("migrates");
    migrate(&mut conn).expect("a second time is a no-op");
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
    assert_eq!(v, MIGRATIONS.len() as i64);
    conn.pragma_update(None, "user_version", 99).expect("set");
    assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { found: 99, .. })));
}

#[test]
fn seeding_once_gives_a_client_with_its_balance_and_a_given_token_replaces_the_stored_one() {
    let (mut conn, first) = seeded();
    assert!(first.token_was_generated && first.client_token.starts_with("vkc_") && first.client_token.len() == 44);
    assert_eq!(balance(&conn, &first.client).expect("balance"), SEED_CREDITS);
    assert_eq!(flows(&conn, &first.client).expect("flows").len(), 2);
    assert_eq!(jwt_secret(&conn).expect("secret").len(), 64);
    let again = seed(&mut conn, None, SEED_CREDITS).expect("seeds again");
    assert_eq!(
        (again.client.as_str(), again.client_token.as_str()),
        (first.client.as_str(), first.client_token.as_str())
    );
    let given = seed(&mut conn, Some("vkc_given"), SEED_CREDITS).expect("seeds with a token");
    assert_eq!(client_by_token(&conn, "vkc_given").expect("lookup"), Some(given.client));
    assert_eq!(client_by_token(&conn, &first.client_token).expect("lookup"), None);
}

#[test]
fn a_success_links_a_person_once_and_force_replaces_it_charging_each_time() {
    let (mut conn, s) = seeded();
    let reg = registration_in(&mut conn, &s.client, RegistrationStatus::Started);
    let Commit::Registered(after) = commit_success(&mut conn, &success(&reg, false)).expect("commits") else {
        panic!("not registered")
    };
    let first_person = after.person.clone().expect("a person");
    assert!(matches!(commit_success(&mut conn, &success(&reg, false)).expect("answers"), Commit::PersonAlreadySet));
    let Commit::Registered(forced) = commit_success(&mut conn, &success(&reg, true)).expect("commits") else {
        panic!("not registered")
    };
    assert_ne!(forced.person.as_deref(), Some(first_person.as_str()));
    assert_eq!(active_persons(&conn, &reg.id).expect("count"), 1);
    assert_eq!(balance(&conn, &s.client).expect("balance"), SEED_CREDITS - 2);
    let (usage, total) = credits(&conn, &s.client, Some(CreditCategory::Usage), 1, 100).expect("credits");
    assert_eq!((usage.len(), total), (2, 2));
    let validation =
        biometric_validation(&conn, forced.biometric_validation.as_deref().unwrap_or_default()).expect("read");
    assert!(validation.is_some_and(|v| v.person == forced.person.clone().unwrap_or_default()));
}

#[test]
fn inactive_and_unknown_registrations_and_an_empty_balance_are_refused_in_the_transaction() {
    let (mut conn, s) = seeded();
    let done = registration_in(&mut conn, &s.client, RegistrationStatus::Completed);
    assert!(matches!(commit_success(&mut conn, &success(&done, false)).expect("answers"), Commit::NotFound));
    let mut unknown = done.clone();
    unknown.id = ObjectId::generate().to_string();
    assert!(matches!(commit_success(&mut conn, &success(&unknown, false)).expect("answers"), Commit::NotFound));
    let reg = registration_in(&mut conn, &s.client, RegistrationStatus::Started);
    insert_credit(&conn, &s.client, SEED_CREDITS, CreditCategory::Usage, "drain", None).expect("drained");
    assert!(matches!(commit_success(&mut conn, &success(&reg, false)).expect("answers"), Commit::PaymentRequired));
}

#[test]
fn score_failures_use_attempts_until_failed_and_scripts_answer_in_order() {
    let (mut conn, s) = seeded();
    let reg = registration_in(&mut conn, &s.client, RegistrationStatus::Started);
    let failure = |assessment| Failure {
        registration: reg.id.clone(),
        assessment,
        os: Os::Android,
        image_digest: "digest".into(),
        charge: false,
    };
    let quality = record_failure(&mut conn, &failure(Assessment::Quality(QualityCode::NoFaceDetected))).expect("ok");
    assert_eq!(quality.map(|r| r.failed_attempts), Some(0), "a quality failure uses no attempt");
    let mut last = None;
    for _ in 0..reg.attempt_limit {
        last = record_failure(&mut conn, &failure(Assessment::Scored(Score::from_hundredths(40).expect("a score"))))
            .expect("ok");
    }
    assert_eq!(last.map(|r| r.status), Some(RegistrationStatus::Failed));
    assert_eq!(failures(&conn, &reg.id).expect("failures").len(), 1 + reg.attempt_limit as usize);
    assert_eq!(balance(&conn, &s.client).expect("balance"), SEED_CREDITS, "failures are free");
    let script = [
        Assessment::Scored(Score::from_hundredths(90).expect("a score")),
        Assessment::Quality(QualityCode::FaceTooSmall),
    ];
    set_script(&conn, &reg.id, &script).expect("scripted");
    assert_eq!(pop_script(&mut conn, &reg.id).expect("pop"), Some(script[0]));
    assert_eq!(pop_script(&mut conn, &reg.id).expect("pop"), Some(script[1]));
    assert_eq!(pop_script(&mut conn, &reg.id).expect("pop"), None);
}

#[test]
fn generated_ids_never_repeat() {
    let ids: std::collections::BTreeSet<String> = (0..10_000).map(|_| new_id()).collect();
    assert_eq!(ids.len(), 10_000);
}

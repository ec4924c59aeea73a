-- The emulator's schema: migration 1 (PRAGMA user_version 0 -> 1). A later change is a new file,
-- listed after this one in MIGRATIONS.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE clients (
    id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, seeded INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE collections (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), code TEXT NOT NULL,
    name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE projects (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), name TEXT NOT NULL,
    collection_id TEXT REFERENCES collections(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE project_flows (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id),
    project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,
    min_score INTEGER NOT NULL, search_mode TEXT NOT NULL, search_min_score INTEGER NOT NULL,
    attempt_limit INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE app_registrations (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id),
    project_id TEXT NOT NULL REFERENCES projects(id), project_flow_id TEXT NOT NULL REFERENCES project_flows(id),
    status TEXT NOT NULL, email TEXT, phone TEXT, country_code TEXT, full_name TEXT, first_name TEXT,
    last_name TEXT, language TEXT NOT NULL, current_step TEXT NOT NULL, information_validation_id TEXT,
    biometric_validation_id TEXT, person_id TEXT, assigned_collection_id TEXT,
    failed_attempts INTEGER NOT NULL, attempt_limit INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE information_validations (
    id TEXT PRIMARY KEY, app_registration_id TEXT NOT NULL, full_name TEXT, first_name TEXT, last_name TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE persons (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, app_registration_id TEXT NOT NULL, collection_id TEXT NOT NULL,
    name TEXT NOT NULL, active INTEGER NOT NULL, liveness_score INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX persons_by_registration ON persons(app_registration_id);
CREATE TABLE biometric_validations (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, project_id TEXT NOT NULL, project_flow_id TEXT NOT NULL,
    app_registration_id TEXT NOT NULL, person_id TEXT NOT NULL, os TEXT NOT NULL,
    liveness_score INTEGER NOT NULL, minimum_score INTEGER NOT NULL, image_digest TEXT NOT NULL,
    replaced INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE failed_biometric_validations (
    id TEXT PRIMARY KEY, app_registration_id TEXT NOT NULL, failure_kind TEXT NOT NULL,
    failure_reason TEXT NOT NULL, liveness_score INTEGER, os TEXT NOT NULL, image_digest TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE credits (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), amount INTEGER NOT NULL,
    category TEXT NOT NULL, description TEXT NOT NULL, reference TEXT, created_at TEXT NOT NULL);
CREATE INDEX credits_by_client ON credits(client_id, category);
CREATE TABLE liveness_script (
    app_registration_id TEXT NOT NULL, seq INTEGER NOT NULL, score INTEGER, quality TEXT,
    PRIMARY KEY (app_registration_id, seq));

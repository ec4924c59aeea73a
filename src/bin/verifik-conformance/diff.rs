//! `verifik-conformance diff`: the same seeded cases against two sides, each run as `run` would run it
//! (its own set-up, budget and rate), `--runs` times to learn its noise, or read from recorded answers;
//! then compared request by request (`verifik_conformance::diff`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser as _;
use verifik_conformance::diff::{self, SideAnswers, SideRun, report};
use verifik_conformance::suite::{Behaviour, catalogue, plan, runner};

use crate::cli::{DiffArgs, SideFlags};

use super::{fail, fresh_seed, run_settings, target_spec};

/// Where a side's answers come from.
enum Source {
    /// The embedded emulator or a base URL, run with these flags.
    Live(Box<SideFlags>),
    /// Directories of recorded answers.
    Recorded(Vec<PathBuf>),
}

struct SideSpec {
    name: &'static str,
    source: Source,
    /// How reports name it.
    label: String,
    /// The flags as given, credentials replaced by the variables that hold them.
    shown_flags: String,
}

/// The flags as a reproduction may show them: a token given on the command line becomes the
/// environment variable `run` reads it from.
fn shown(words: &[&str]) -> String {
    let mut out = Vec::new();
    let mut hide_next: Option<&str> = None;
    for w in words {
        if let Some(var) = hide_next.take() {
            out.push(format!("\"${var}\""));
            continue;
        }
        let var = |flag: &str| match flag {
            "--client-token" => Some("VERIFIK_CLIENT_TOKEN"),
            "--registration-token" => Some("VERIFIK_REGISTRATION_TOKENS"),
            _ => None,
        };
        match w.split_once('=') {
            Some((flag, _)) if var(flag).is_some() => {
                out.push(format!("{flag}=\"${}\"", var(flag).unwrap_or_default()))
            }
            _ if var(w).is_some() => {
                hide_next = var(w);
                out.push((*w).to_owned());
            }
            _ => out.push((*w).to_owned()),
        }
    }
    out.join(" ")
}

fn side(name: &'static str, values: &[String], flags: Option<&str>) -> Result<SideSpec, String> {
    let text = flags.unwrap_or_default();
    if text.contains(['"', '\'', '\\']) {
        return Err(format!(
            "--{name}-args is split at spaces and takes no quotes: put a path with spaces in a file's place, or use the flag's environment variable"
        ));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let live = |url: Option<&String>| -> Result<SideSpec, String> {
        if words.iter().any(|w| *w == "--base-url" || w.starts_with("--base-url=")) {
            return Err(format!("--{name}-args names a --base-url: give the URL as --{name}"));
        }
        let mut f = SideFlags::try_parse_from(&words)
            .map_err(|e| format!("--{name}-args: {}", e.render().to_string().lines().next().unwrap_or_default()))?;
        // A URL in the environment (`VERIFIK_BASE_URL`) is `run`'s default, never a side's.
        f.target.base_url = url.cloned();
        if let Some(problem) = f.target.problems() {
            return Err(format!("--{name}: {problem}"));
        }
        let label = match url {
            Some(u) => u.clone(),
            None if f.target.deviations.is_empty() => "the embedded emulator".to_owned(),
            None => format!(
                "the embedded emulator, deviating: {}",
                f.target.deviations.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        Ok(SideSpec { name, source: Source::Live(Box::new(f)), label, shown_flags: shown(&words) })
    };
    match values {
        [one] if one == "emulator" => live(None),
        [one] if one.starts_with("http://") || one.starts_with("https://") => live(Some(one)),
        dirs => {
            if let Some(bad) = dirs.iter().find(|d| !Path::new(d).is_dir()) {
                return Err(format!(
                    "--{name} {bad:?} is neither `emulator`, an http(s) URL nor a directory of recorded answers \
                     (only directories may be given more than once)"
                ));
            }
            if flags.is_some() {
                return Err(format!("--{name}-args applies to a live side; --{name} names recorded answers"));
            }
            let label = format!("recorded answers ({})", dirs.join(", "));
            Ok(SideSpec {
                name,
                source: Source::Recorded(dirs.iter().map(PathBuf::from).collect()),
                label,
                shown_flags: String::new(),
            })
        }
    }
}

/// Whether `only` selects `b` (everything when empty).
fn chosen(only: &[String], id: &str, trial: &str) -> bool {
    only.is_empty() || only.iter().any(|o| o == id || o == trial)
}

/// The recorded runs of a side, with the seed and cases they were recorded with.
fn recorded(dirs: &[PathBuf], only: &[String]) -> Result<(Vec<SideRun>, u64, u32), String> {
    let mut runs = Vec::new();
    let mut made: Option<(u64, u32)> = None;
    for d in dirs {
        let (index, mut run) = diff::recorded_run(d)?;
        if made.is_some_and(|m| m != (index.seed, index.cases)) {
            return Err("the recorded directories of one side were made with different --seed or --cases".into());
        }
        made = Some((index.seed, index.cases));
        run.ran.retain(|id| chosen(only, id, &catalogue_trial(id).unwrap_or_default()));
        run.sequences.retain(|id, _| run.ran.contains(id));
        runs.push(run);
    }
    let (seed, cases) = made.unwrap_or_default();
    Ok((runs, seed, cases))
}

fn catalogue_trial(id: &str) -> Option<String> {
    catalogue::all().iter().find(|b| b.id.0 == id).map(|b| b.trial_name())
}

/// `--runs` runs of a live side.
fn live(s: &SideSpec, flags: &SideFlags, a: &DiffArgs, seed: u64, cases: u32) -> Result<Vec<SideRun>, String> {
    let only = |b: &Behaviour| chosen(&a.only, b.id.0, &b.trial_name());
    let selected: Vec<_> = catalogue::all().into_iter().filter(|b| only(b)).collect();
    let limits = plan::Limits {
        credits: flags.budget_credits,
        validations: flags
            .budget_validations
            .or(flags.target.is_remote().then_some(crate::cli::DEFAULT_REMOTE_VALIDATIONS)),
    };
    let chosen_refs: Vec<&Behaviour> = selected.iter().collect();
    let left_out: std::collections::HashMap<String, String> =
        plan::choose(&chosen_refs, cases, limits).left_out.into_iter().map(|(b, why)| (b.trial_name(), why)).collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut runs = Vec::new();
    for i in 1..=a.runs {
        let t = &flags.target;
        let spec = match &t.base_url {
            // Snapshots stay out of the source tree: a diff judges answers, not snapshots.
            None => verifik_conformance::embedded::spec_elsewhere(t.deviations.clone(), t.noise.score_noise(seed)),
            Some(_) => target_spec(t, flags.emulator_profile, seed)?,
        };
        let mut settings = run_settings(&flags.target, seed, cases, false);
        settings.keep_answers = true;
        settings.left_out = left_out.clone();
        settings.record_observed = a.keep.as_ref().map(|d| d.join(format!("{}-{i}", s.name)));
        let result = runner::run_quietly(spec, settings, &only, threads);
        let c = &result.conclusion;
        errln!(
            "{} run {i} of {}: {} requests; {} passed, {} failed, {} skipped ({})",
            s.name,
            a.runs,
            result.requests,
            c.num_passed,
            c.num_failed,
            c.num_ignored,
            result.target
        );
        if let Some(cause) = &result.down {
            errln!("warning: {} run {i}: the target stopped answering: {cause}", s.name);
        }
        if let Some(Err(e)) = &result.observed_written {
            return Err(e.clone());
        }
        runs.push(diff::side_run(result.sequences.unwrap_or_default(), &result.records));
    }
    Ok(runs)
}

fn usage(a: &DiffArgs) -> Option<String> {
    if a.runs == 0 {
        return Some("--runs must be at least 1".into());
    }
    if a.cases == Some(0) {
        return Some("--cases must be at least 1".into());
    }
    let known: Vec<String> = catalogue::all().iter().flat_map(|b| [b.id.0.to_owned(), b.trial_name()]).collect();
    if let Some(o) = a.only.iter().find(|o| !known.contains(o)) {
        return Some(format!("--only {o:?} names no behaviour (see `run --list`)"));
    }
    super::unwritable(a.reports.files(), a.reports.html.iter().chain(&a.keep))
}

pub(crate) fn diff(a: &DiffArgs) -> ExitCode {
    if let Some(problem) = usage(a) {
        return fail(2, &problem);
    }
    let sides = match (side("left", &a.left, a.left_args.as_deref()), side("right", &a.right, a.right_args.as_deref()))
    {
        (Ok(l), Ok(r)) => [l, r],
        (Err(e), _) | (_, Err(e)) => return fail(2, &e),
    };
    // Recorded sides fix the seed and cases: both sides must answer the same cases.
    let mut answers: [Option<Vec<SideRun>>; 2] = [None, None];
    let mut made: Option<(u64, u32)> = None;
    for (k, s) in sides.iter().enumerate() {
        if let Source::Recorded(dirs) = &s.source {
            match recorded(dirs, &a.only) {
                Ok((runs, seed, cases)) => {
                    if made.is_some_and(|m| m != (seed, cases)) {
                        return fail(2, "the two recorded sides were made with different --seed or --cases");
                    }
                    made = Some((seed, cases));
                    answers[k] = Some(runs);
                }
                Err(e) => return fail(2, &e),
            }
        }
    }
    if let (Some((seed, cases)), true) = (made, a.seed.is_some() || a.cases.is_some())
        && (a.seed.is_some_and(|s| s != seed) || a.cases.is_some_and(|c| c != cases))
    {
        return fail(
            2,
            &format!(
                "the recorded answers were made with --seed {seed} --cases {cases}: drop --seed/--cases or give those"
            ),
        );
    }
    let seed = a.seed.or(made.map(|m| m.0)).unwrap_or_else(fresh_seed);
    let cases = a.cases.or(made.map(|m| m.1)).unwrap_or(verifik_conformance::suite::DEFAULT_CASES);
    errln!("verifik-conformance diff: seed {seed} (replay with --seed {seed}), {cases} cases per property");
    for (k, s) in sides.iter().enumerate() {
        if let Source::Live(flags) = &s.source {
            match live(s, flags, a, seed, cases) {
                Ok(runs) => answers[k] = Some(runs),
                Err(e) => return fail(2, &e),
            }
        }
    }
    let [l, r] = answers.map(|a| SideAnswers { runs: a.unwrap_or_default() });
    let c = diff::compare(&l, &r);
    let heading = report::Heading {
        sides: [sides[0].label.clone(), sides[1].label.clone()],
        seed,
        cases,
        reproduce: [reproduce(&sides[0], seed, cases), reproduce(&sides[1], seed, cases)],
    };
    out!("{}", report::text(&c, &heading));
    let written =
        a.reports.paths().write(|| report::junit(&c), || report::ndjson(&c, &heading), || report::html(&c, &heading));
    if let Err((path, e)) = written {
        return fail(2, &format!("cannot write {}: {e}", path.display()));
    }
    if c.agrees() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The command that runs one behaviour of a side again, `{trial}` where its name goes.
fn reproduce(s: &SideSpec, seed: u64, cases: u32) -> String {
    let flags = if s.shown_flags.is_empty() { String::new() } else { format!(" {}", s.shown_flags) };
    match &s.source {
        Source::Live(f) => match &f.target.base_url {
            Some(url) => format!(
                "verifik-conformance run --base-url {url}{flags} --seed {seed} --cases {cases} --exact {{trial}}"
            ),
            None => format!("verifik-conformance run{flags} --seed {seed} --cases {cases} --exact {{trial}}"),
        },
        Source::Recorded(_) => format!(
            "(recorded) against the target it was recorded from: verifik-conformance run --base-url URL --seed {seed} --cases {cases} --exact {{trial}}"
        ),
    }
}

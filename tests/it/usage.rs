//! Usage errors: bad flags and values of every command are refused before anything is sent, with exit
//! 2 and a line that names what is wrong.

use crate::cli::{bin, run, temp, text};

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--base-url", "not a url"][..],
        &["--base-url", "ftp://x"],
        &["--rate", "0"],
        &["--cases", "0"],
        &["--junit", "/nonexistent-dir/x.xml"],
        &["--deviate", "nope"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
    }
    let o = run(&["run", "--base-url", "http://127.0.0.1:1", "--deviate", "ignore-force"]);
    assert_eq!(o.status.code(), Some(2), "deviations need the embedded emulator");
}

#[test]
fn target_flags_are_checked_before_anything_is_sent_for_run_and_liveness() {
    let out = temp("flags");
    let out = out.to_str().expect("utf-8");
    for flags in [&["--rate", "1e-20"][..], &["--rate=-1"], &["--rate", "-1"], &["--rate", "NaN"], &["--timeout", "0"]]
    {
        for command in [&["run"][..], &["liveness", "--out", out]] {
            let o = bin().args(command).args(flags).output().expect("the binary runs");
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{command:?} {flags:?}: {}", text(&o));
            assert!(stderr.contains("error"), "{command:?} {flags:?}: the message goes to stderr: {}", text(&o));
            assert!(!text(&o).contains("panicked"), "{command:?} {flags:?}");
        }
    }
}

#[test]
fn emulate_checks_its_score_flags() {
    for flags in [&["--liveness-noise", "NaN"][..], &["--liveness-shift", "1.5"]] {
        let o = bin().args(["emulate", "--listen", "127.0.0.1:0"]).args(flags).output().expect("the binary runs");
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {}", text(&o));
    }
}

/// Flags of this session's features refuse bad values before anything runs, with exit 2 and a line
/// that names the flag.
#[test]
fn new_flags_refuse_bad_values_with_exit_2() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["emulate", "--listen", "127.0.0.1:0", "--liveness-run-noise", "0.9"],
            "--liveness-run-noise 0.9 is not between 0 and 0.5",
        ),
        (&["run", "--base-url", "http://127.0.0.1:9", "--accept-snapshots"], "--accept-snapshots rewrites snapshots/"),
        (&["history", "--out", "/tmp/x", "--rebase-at", "0", "/tmp/none"], "--rebase-at counts runs from 1"),
        (
            &["history", "--out", "/tmp/x", "--false-alarm-rate", "0.9", "/tmp/none"],
            "--false-alarm-rate 0.9 is not between",
        ),
        (&["compare", "--run-noise", "-1", "/tmp/none-a.json", "/tmp/none-b.json"], ""),
        (&["run", "--observed", "/tmp/verifik-no-such-observed-dir"], "cannot read"),
    ];
    for (args, said) in cases {
        let o = bin().args(args).output().expect("the binary runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(said), "{args:?}: {}", text(&o));
    }
}

//! `--junit FILE`: one test case per behaviour, with the violations as the failure text and the skip
//! reason on skipped ones.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::suite::Outcome;
use crate::suite::runner::RunResult;

pub(crate) fn render(result: &RunResult) -> String {
    let mut suite = TestSuite::new("verifik-conformance");
    for r in &result.records {
        let status = match &r.outcome {
            // A known deviation is reported as an expected failure is by pytest's JUnit: skipped, with
            // the reason saying it is known.
            Outcome::Passed { known, .. } if !known.is_empty() => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("known deviation: {}", known[0].message));
                s.set_description(known.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
                s
            }
            Outcome::Passed { .. } => TestCaseStatus::success(),
            Outcome::Skipped(reason) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.clone());
                s
            }
            Outcome::Failed { violations, .. } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(violations.first().map(|v| v.message.to_string()).unwrap_or_default());
                s.set_description(violations.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
                s
            }
        };
        let mut case = TestCase::new(r.name.clone(), status);
        case.set_time(r.elapsed);
        let mut props = quick_junit::Property::new("seed", result.seed.to_string());
        props.name = "seed".into();
        case.properties.push(props);
        suite.add_test_case(case);
    }
    let mut report = Report::new("verifik-conformance");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

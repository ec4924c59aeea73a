//! Consistency of what is read back: a credits page's total agrees with the records it lists, no
//! record appears twice, a category filter is honoured; and the records that different successful
//! validations create have different ids.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Finding};
use crate::api::{CreditCategory, CreditPage};

/// A page of a list: how many records it must hold given its total, and no record id twice.
pub(crate) fn credit_page(page: &CreditPage, category: Option<CreditCategory>) -> Option<Finding> {
    let before = page.page.saturating_sub(1).saturating_mul(page.per_page);
    let expected = page.total.saturating_sub(before).min(page.per_page);
    let listed = page.records.len() as u64;
    if listed != expected {
        return Some(Finding::new(
            Check::ListTotalAgrees,
            format!(
                "page {} of {} per page lists {listed} records, but a total of {} means {expected}",
                page.page, page.per_page, page.total
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = page.records.iter().find(|r| !seen.insert(r.id.as_str())) {
        return Some(Finding::new(Check::ListIdsUnique, format!("record {} is listed more than once", twice.id)));
    }
    let stray = category.and_then(|c| page.records.iter().find(|r| r.category != c).map(|r| (c, r)));
    stray.map(|(c, r)| {
        Finding::new(
            Check::ListFilter,
            format!("record {} is {} in a list filtered on {}", r.id, r.category.as_str(), c.as_str()),
        )
    })
}

/// The ids that successful validations named, so that two of them never share one.
#[derive(Debug, Default)]
pub(crate) struct CreatedIds {
    /// (field, id) -> the registration whose 200 named it first.
    seen: BTreeMap<(&'static str, String), String>,
}

impl CreatedIds {
    /// Records the person and validation one 200 created for `registration`; a repeated id is a finding.
    pub(crate) fn created(
        &mut self,
        registration: &str,
        person: Option<&str>,
        validation: Option<&str>,
    ) -> Option<Finding> {
        let mut finding = None;
        for (field, id) in [("person", person), ("biometricValidation", validation)] {
            let Some(id) = id else { continue };
            if let Some(first) = self.seen.get(&(field, id.to_owned())) {
                let whose = if first == registration {
                    "an earlier success of the same registration".to_owned()
                } else {
                    format!("registration {first}")
                };
                finding.get_or_insert(Finding::new(
                    Check::DistinctIds,
                    format!("{field} {id} of this 200 (registration {registration}) was already created for {whose}"),
                ));
            } else {
                self.seen.insert((field, id.to_owned()), registration.to_owned());
            }
        }
        finding
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CreditRecord;

    fn page(ids: &[&str], page: u64, per_page: u64, total: u64) -> CreditPage {
        let records = ids
            .iter()
            .map(|id| CreditRecord {
                id: (*id).to_owned(),
                category: CreditCategory::Usage,
                biometric_validation: None,
            })
            .collect();
        CreditPage { records, page, per_page, total }
    }

    #[test]
    fn totals_duplicates_and_filters() {
        assert_eq!(credit_page(&page(&["a", "b"], 1, 100, 2), Some(CreditCategory::Usage)), None);
        assert_eq!(credit_page(&page(&["a", "b"], 2, 2, 3), None).map(|f| f.check), Some(Check::ListTotalAgrees));
        assert_eq!(credit_page(&page(&["c"], 2, 2, 3), None), None);
        assert_eq!(credit_page(&page(&["a", "a"], 1, 100, 2), None).map(|f| f.check), Some(Check::ListIdsUnique));
        assert_eq!(credit_page(&page(&["a"], 1, 100, 2), None).map(|f| f.check), Some(Check::ListTotalAgrees));
        let mut p = page(&["a"], 1, 100, 1);
        p.records[0].category = CreditCategory::Purchase;
        assert_eq!(credit_page(&p, Some(CreditCategory::Usage)).map(|f| f.check), Some(Check::ListFilter));
    }

    #[test]
    fn ids_of_different_successes_differ() {
        let mut ids = CreatedIds::default();
        assert_eq!(ids.created("r1", Some("p1"), Some("v1")), None);
        assert_eq!(ids.created("r2", Some("p2"), Some("v2")), None);
        let f = ids.created("r3", Some("p3"), Some("v1")).expect("reused validation id");
        let m = f.message.peek();
        assert!(m.contains("biometricValidation v1") && m.contains("registration r1"), "{m}");
        assert!(ids.created("r1", Some("p1"), None).is_some_and(|f| f.message.peek().contains("same registration")));
    }
}

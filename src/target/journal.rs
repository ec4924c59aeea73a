//! The journal: the raw requests one behaviour (or one generated case) made on this thread, with the
//! answers, kept in memory only so that a failure can be turned into a reproduction. Secrets and
//! images live here as they were sent; nothing in this module writes anything anywhere.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use super::client::Call;
use super::exchange::Exchange;

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub call: Call,
    pub response: Option<serde_json::Value>,
}

static SEQ: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static JOURNAL: RefCell<Option<Vec<Entry>>> = const { RefCell::new(None) };
    static CAPTURED: RefCell<Option<Vec<(Call, Exchange)>>> = const { RefCell::new(None) };
}

/// Runs `f` and returns, with its result, every exchange it made on this thread whole (headers and
/// all): how the set-up's answers reach the privacy oracle.
pub(crate) fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<(Call, Exchange)>) {
    let outer = CAPTURED.with(|c| c.borrow_mut().replace(Vec::new()));
    let result = f();
    let captured = CAPTURED.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer)).unwrap_or_default();
    (result, captured)
}

/// Starts a fresh journal on this thread; what an earlier one held is dropped.
pub(crate) fn begin() {
    JOURNAL.with(|j| *j.borrow_mut() = Some(Vec::new()));
}

/// Ends this thread's journal and returns what it held.
pub(crate) fn take() -> Vec<Entry> {
    JOURNAL.with(|j| j.borrow_mut().take()).unwrap_or_default()
}

/// The entries so far, the journal kept running.
pub(crate) fn entries() -> Vec<Entry> {
    JOURNAL.with(|j| j.borrow().clone()).unwrap_or_default()
}

/// Numbers an exchange and, when a journal is running on this thread, keeps the request with it.
pub(super) fn record(call: &Call, x: &Exchange) -> u64 {
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    CAPTURED.with(|c| {
        if let Some(all) = c.borrow_mut().as_mut() {
            all.push((call.clone(), x.clone()));
        }
    });
    JOURNAL.with(|j| {
        if let Some(entries) = j.borrow_mut().as_mut() {
            entries.push(Entry { seq, call: call.clone(), response: x.body.clone() });
        }
    });
    seq
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_running_journal_keeps_entries() {
        let x = Exchange::synthetic(reqwest::StatusCode::OK, serde_json::json!({"data": {"token": "t"}}));
        let call = Call::get("/v2/credits");
        take();
        let first = record(&call, &x);
        assert!(take().is_empty(), "no journal was running");
        begin();
        let second = record(&call, &x);
        assert!(second > first);
        assert_eq!(entries().len(), 1);
        let kept = take();
        assert_eq!((kept.len(), kept[0].seq), (1, second));
        assert!(take().is_empty());
    }
}

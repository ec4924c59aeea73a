//! Redaction: how tokens and images appear in failure messages and reports. They never appear as
//! themselves; a token is named by its kind and decoded header and claims (never the signature), an
//! image by its size and digest.

use base64::Engine as _;
use serde_json::Value;

use crate::api::short_digest;

/// A token as reports show it: `JWT {"alg":"HS256"} {"exp":...}` or `opaque token (N chars)`.
pub(crate) fn token(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let decode = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    };
    if let [h, c, sig] = parts.as_slice()
        && let (Some(header), Some(claims)) = (decode(h), decode(c))
    {
        let claims = redact_value(&claims);
        return format!("JWT header {header} claims {claims} (signature {} chars)", sig.len());
    }
    format!("opaque token ({} chars, sha256 {})", token.len(), short_digest(token.as_bytes()))
}

/// An `image` field value as reports show it.
pub(crate) fn image(text: &str) -> String {
    // Only the data URI header is shown, and only when it is short enough to hold no payload.
    let head = match text.find(',') {
        Some(i) if i <= 60 && text.starts_with("data:") => &text[..=i],
        _ => "",
    };
    format!("{head}<{} chars, sha256 {}>", text.len(), short_digest(text.as_bytes()))
}

/// A JSON value with every long string that could be a token or image data replaced by its summary.
pub(crate) fn redact_value(v: &Value) -> Value {
    match v {
        Value::String(s) if looks_secret(s) => {
            Value::String(if s.starts_with("data:") || s.len() > 200 { image(s) } else { token(s) })
        }
        Value::Array(a) => Value::Array(a.iter().map(redact_value).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("image" | "token" | "clientToken" | "accessToken", Value::String(s)) if k == "image" => {
                            Value::String(image(s))
                        }
                        ("image" | "token" | "clientToken" | "accessToken", Value::String(s)) => {
                            Value::String(token(s))
                        }
                        _ => redact_value(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn looks_secret(s: &str) -> bool {
    s.starts_with("data:") || s.starts_with("eyJ") || s.len() > 200
}

/// Whether `haystack` and `needle` share any `run` consecutive bytes. Any shared run of `run` bytes
/// covers a whole half-run window of the longer text that starts at a multiple of `run / 2`, so only
/// those windows are indexed, every window of the shorter text is rolled over them (Rabin-Karp), and a
/// hit is extended both ways to see whether it reaches `run`. Exact, and linear in both lengths: a
/// megabyte of response against a submitted selfie costs a few tens of thousands of look-ups.
pub fn shares_run(haystack: &str, needle: &str, run: usize) -> bool {
    let (a, b) = (haystack.as_bytes(), needle.as_bytes());
    let half = run / 2;
    if half == 0 || a.len() < run || b.len() < run {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    const BASE: u64 = 1_000_003;
    let top = (1..half).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let hash = |w: &[u8]| w.iter().fold(0u64, |acc, b| acc.wrapping_mul(BASE).wrapping_add(u64::from(*b)));
    let mut aligned: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
    for k in (0..=long.len() - half).step_by(half) {
        aligned.entry(hash(&long[k..k + half])).or_default().push(k);
    }
    let reaches = |i: usize, k: usize| {
        let mut left = 0;
        while left < run && i > left && k > left && short[i - left - 1] == long[k - left - 1] {
            left += 1;
        }
        let mut right = half;
        while left + right < run
            && i + right < short.len()
            && k + right < long.len()
            && short[i + right] == long[k + right]
        {
            right += 1;
        }
        left + right >= run
    };
    let mut hv = hash(&short[..half]);
    for i in 0..=short.len() - half {
        if i > 0 {
            let (out, inc) = (short[i - 1], short[i + half - 1]);
            hv = hv.wrapping_sub(u64::from(out).wrapping_mul(top)).wrapping_mul(BASE).wrapping_add(u64::from(inc));
        }
        if let Some(ks) = aligned.get(&hv)
            && ks.iter().any(|&k| long[k..k + half] == short[i..i + half] && reaches(i, k))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_show_header_and_claims_but_never_the_signature() {
        let t = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl";
        let shown = token(t);
        assert!(shown.contains("\"alg\":\"HS256\"") && shown.contains("\"exp\":1"), "{shown}");
        assert!(!shown.contains("c2lnbmF0dXJl"), "{shown}");
        assert!(!token("demo-secret").contains("demo-secret"));
    }

    #[test]
    fn images_keep_only_their_head() {
        let shown = image("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ");
        assert!(shown.starts_with("data:image/jpeg;base64,<"), "{shown}");
        assert!(!shown.contains("/9j/"), "{shown}");
        let v = redact_value(&json!({"image": "AAAA/9j/", "os": "IOS", "nested": [{"token": "abc"}]}));
        assert!(!v.to_string().contains("/9j/") && !v.to_string().contains("\"abc\""), "{v}");
    }

    #[test]
    fn finds_shared_runs_only_of_full_length() {
        let needle: String = (0..500).map(|i| char::from(b'A' + (i * 7 % 26) as u8)).collect();
        let inside = format!("quoted: {} and more", &needle[123..123 + 64]);
        assert!(shares_run(&inside, &needle, 64));
        let short = format!("quoted: {}", &needle[123..123 + 63]);
        assert!(!shares_run(&short, &needle, 64));
        assert!(!shares_run(&"x".repeat(200), &needle, 64));
        assert!(shares_run(&needle, &needle, 64));
        // Every offset, in both directions, and repetitive texts.
        for start in [0, 1, 31, 32, 33, 100, 436] {
            let inside = format!("{}{}{}", "-".repeat(start % 7), &needle[start..start + 64], "-".repeat(3));
            assert!(shares_run(&inside, &needle, 64), "offset {start}");
            assert!(shares_run(&needle, &inside, 64), "offset {start}, swapped");
            assert!(!shares_run(&inside[..inside.len() - 4], &needle, 64) || start % 7 > 0, "offset {start}");
        }
        assert!(shares_run(&"A".repeat(1000), &format!("xx{}yy", "A".repeat(64)), 64));
        assert!(!shares_run(&"A".repeat(1000), &format!("xx{}yy", "A".repeat(63)), 64));
    }
}

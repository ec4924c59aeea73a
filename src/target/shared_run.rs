//! Whether two texts share a run of at least `run` consecutive bytes: how the privacy oracle finds a
//! credential or a piece of a submitted image in an answer. Exact, and cheap on the longer text, which
//! may be a megabyte of whatever a broken target sent: that text is only sampled.
//!
//! Any shared run of `run` bytes contains a whole 8-byte gram of the longer text that starts at a
//! multiple of `run - 7`. So every gram of the shorter text is indexed (one pass), only those aligned
//! grams of the longer text are looked up (an eighth of its bytes, or less, for runs of 64), and a hit
//! is extended both ways to see whether it reaches `run`.

/// The bytes one look-up reads.
const GRAM: usize = 8;

/// Where a shared run starts in each text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedRun {
    pub in_a: usize,
    pub in_b: usize,
}

/// The first shared run of at least `run` bytes that the sampling meets, if any. Runs shorter than a
/// gram are compared directly.
pub fn find(a: &[u8], b: &[u8], run: usize) -> Option<SharedRun> {
    if run == 0 || a.len() < run || b.len() < run {
        return None;
    }
    if run < GRAM {
        return naive(a, b, run);
    }
    if a.len() <= b.len() {
        Index::new(a).sampled(b, run).map(|(p, k)| SharedRun { in_a: p, in_b: k })
    } else {
        Index::new(b).sampled(a, run).map(|(p, k)| SharedRun { in_a: k, in_b: p })
    }
}

/// `find` with `b` already indexed, for a text searched for again and again (a submitted image,
/// indexed once for all the answers to it). Exact either way round; cheapest when `index` holds the
/// shorter text.
pub fn find_indexed(a: &[u8], index: &Index, run: usize) -> Option<SharedRun> {
    if run < GRAM || a.len() < run || index.text.len() < run {
        return find(a, &index.text, run);
    }
    index.sampled(a, run).map(|(p, k)| SharedRun { in_a: k, in_b: p })
}

/// Whether `a` and `b` share any `run` consecutive bytes.
pub fn shares_run(a: &str, b: &str, run: usize) -> bool {
    find(a.as_bytes(), b.as_bytes(), run).is_some()
}

fn naive(a: &[u8], b: &[u8], run: usize) -> Option<SharedRun> {
    a.windows(run)
        .enumerate()
        .find_map(|(i, w)| b.windows(run).position(|v| v == w).map(|j| SharedRun { in_a: i, in_b: j }))
}

fn gram(bytes: &[u8], at: usize) -> u64 {
    let mut g = [0u8; GRAM];
    g.copy_from_slice(&bytes[at..at + GRAM]);
    u64::from_le_bytes(g)
}

/// Every gram of one text, chained by hash: `head[h]` is the last position (plus one) whose gram hashes
/// to `h`, `next[p]` the one before it.
pub struct Index {
    text: Vec<u8>,
    grams: Vec<u64>,
    head: Vec<u32>,
    next: Vec<u32>,
    bits: u32,
}

impl Index {
    pub fn new(text: &[u8]) -> Index {
        let n = (text.len() + 1).saturating_sub(GRAM);
        let bits = (2 * n).next_power_of_two().trailing_zeros().max(4);
        let mut head = vec![0u32; 1 << bits];
        let mut next = vec![0u32; n];
        let mut grams = Vec::with_capacity(n);
        let mut g = if n > 0 { gram(text, 0) } else { 0 };
        for p in 0..n {
            if p > 0 {
                g = (g >> 8) | (u64::from(text[p + GRAM - 1]) << 56);
            }
            grams.push(g);
            let h = slot(g, bits);
            next[p] = head[h];
            head[h] = p as u32 + 1;
        }
        Index { text: text.to_vec(), grams, head, next, bits }
    }

    /// The text this indexes.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Looks up the aligned grams of `other`; returns (position here, position in `other`) of a run
    /// of `run` bytes the two share.
    fn sampled(&self, other: &[u8], run: usize) -> Option<(usize, usize)> {
        let stride = run - GRAM + 1;
        // What decides a sample: the bytes a left extension (up to `run - GRAM`) and a right one (up to
        // `run`) can read. A sample whose context equals the previous one's ends the same way (a miss),
        // which keeps a long repetitive answer as cheap as a varied one.
        let reach = |k: usize| (k >= run - GRAM && k + run <= other.len()).then(|| &other[k + GRAM - run..k + run]);
        let mut k = 0;
        while k + GRAM <= other.len() {
            let same_as_before = k >= stride && matches!((reach(k - stride), reach(k)), (Some(x), Some(y)) if x == y);
            if !same_as_before && let Some(hit) = self.extend_from(other, k, run) {
                return Some(hit);
            }
            k += stride;
        }
        None
    }

    fn extend_from(&self, other: &[u8], k: usize, run: usize) -> Option<(usize, usize)> {
        let q = gram(other, k);
        let mut link = self.head[slot(q, self.bits)];
        while link != 0 {
            let p = link as usize - 1;
            link = self.next[p];
            if self.grams[p] != q {
                continue;
            }
            let (t, o) = (self.text.as_slice(), other);
            let mut left = 0;
            while left < run - GRAM && p > left && k > left && t[p - left - 1] == o[k - left - 1] {
                left += 1;
            }
            let mut right = GRAM;
            while left + right < run && p + right < t.len() && k + right < o.len() && t[p + right] == o[k + right] {
                right += 1;
            }
            if left + right >= run {
                return Some((p - left, k - left));
            }
        }
        None
    }
}

fn slot(g: u64, bits: u32) -> usize {
    (g.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for start in [0, 1, 31, 32, 33, 56, 57, 58, 100, 436] {
            let inside = format!("{}{}{}", "-".repeat(start % 7), &needle[start..start + 64], "-".repeat(3));
            assert!(shares_run(&inside, &needle, 64), "offset {start}");
            assert!(shares_run(&needle, &inside, 64), "offset {start}, swapped");
            assert!(!shares_run(&inside[..inside.len() - 4], &needle, 64) || start % 7 > 0, "offset {start}");
        }
        assert!(shares_run(&"A".repeat(1000), &format!("xx{}yy", "A".repeat(64)), 64));
        assert!(!shares_run(&"A".repeat(1000), &format!("xx{}yy", "A".repeat(63)), 64));
        assert!(shares_run("ab", "xaby", 2) && !shares_run("ab", "ba", 2));
    }

    /// The sampled search agrees with comparing every pair of windows, on texts over a small alphabet
    /// (many partial matches) with runs of every length from 1 to 40, both ways round.
    #[test]
    fn agrees_with_the_quadratic_search() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for round in 0..400 {
            let alphabet = 2 + next(3);
            let la = 1 + next(120) as usize;
            let lb = 1 + next(120) as usize;
            let a: Vec<u8> = (0..la).map(|_| b'a' + next(alphabet) as u8).collect();
            let b: Vec<u8> = (0..lb).map(|_| b'a' + next(alphabet) as u8).collect();
            let run = 1 + next(40) as usize;
            let expected = naive(&a, &b, run).is_some();
            let found = find(&a, &b, run);
            assert_eq!(found.is_some(), expected, "round {round}: run {run}, {a:?} / {b:?}");
            if let Some(SharedRun { in_a, in_b }) = found {
                assert_eq!(a[in_a..in_a + run], b[in_b..in_b + run], "round {round}: the positions it names");
            }
            let indexed = find_indexed(&a, &Index::new(&b), run);
            assert_eq!(indexed.is_some(), expected, "round {round}: run {run} against an index, {a:?} / {b:?}");
        }
    }
}

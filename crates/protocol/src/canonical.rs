//! RFC 8785 (JCS) canonical JSON, written straight from a `serde_json::Value`.
//!
//! Every digest and ledger hash goes through here, and audit export and verify hash
//! millions of values. `serde_json_canonicalizer` (the reference this module is tested
//! against, byte for byte) buffers and re-parses every object key, which made
//! canonicalization the largest cost of an audit export. Here a value is written in one
//! pass: object members sorted by UTF-16 code units, numbers in ECMAScript form
//! (`ryu-js`), strings escaped as JSON requires (serde_json's escaping is JCS's).

use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// RFC 8785 canonical bytes of any serializable value.
///
/// Panics only for values JSON cannot hold (a map with non-string keys), which none of
/// the protocol's types have; non-finite floats become `null` as serde_json makes them.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let value = serde_json::to_value(value).expect("canonical JSON of a serializable value");
    canonical_value(&value)
}

/// RFC 8785 canonical bytes of a JSON value (no intermediate copy).
pub fn canonical_value(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value);
    out
}

/// Append the canonical form of `value` to `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    // Maps iterate in code point order, which equals UTF-16 order unless a key mixes
    // astral characters with U+E000..U+FFFF; the sort then fixes that case in O(n).
    members.sort_by(|a, b| utf16_order(a.0, b.0));
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

fn utf16_order(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// JSON has one number type, the IEEE double; JCS prints it as ECMAScript does.
fn write_number(out: &mut Vec<u8>, n: &Number) {
    match n.as_f64() {
        Some(f) => write_f64(out, f),
        None => out.extend_from_slice(b"null"),
    }
}

/// A number in canonical form (integers too: JSON numbers are doubles); non-finite
/// values, which JSON cannot hold, print as `null`.
pub fn write_f64(out: &mut Vec<u8>, f: f64) {
    if f.is_finite() {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(f).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// A JSON string as RFC 8785 section 3.2.2.2 escapes it: `"`, `\` and control characters
/// only, with the short forms where JSON has them and lowercase `\u00xx` otherwise.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // Most strings (digests, ids, JWS, timestamps) need no escaping; finding that out a
    // word at a time is several times faster than escaping byte by byte.
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Whether any byte is `"`, `\\` or a control character (below 0x20). Checked 64 bytes
/// at a time without branching inside a block, which the compiler turns into vector
/// instructions.
fn needs_escape(bytes: &[u8]) -> bool {
    let special = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let block: &[u8; 64] = block.try_into().expect("64 bytes");
        if block.iter().fold(false, |found, &b| found | special(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| special(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use serde_json::json;

    fn reference(v: &Value) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(v).unwrap()
    }

    fn random_string(rng: &mut impl Rng) -> String {
        const POOL: &[char] = &[
            'a',
            'B',
            'z',
            '0',
            ' ',
            '"',
            '\\',
            '/',
            '\u{0}',
            '\u{1f}',
            '\n',
            '\t',
            '\u{7f}',
            '\u{80}',
            'é',
            '€',
            '\u{e000}',
            '\u{fffd}',
            '\u{ffff}',
            '😀',
            '\u{10000}',
            '\u{1d11e}',
            '\u{2028}',
        ];
        let len = rng.gen_range(0..6);
        (0..len)
            .map(|_| POOL[rng.gen_range(0..POOL.len())])
            .collect()
    }

    fn random_value(rng: &mut impl Rng, depth: u32) -> Value {
        match rng.gen_range(0..if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(rng.gen()),
            2 => json!(rng.gen_range(-1_000_000i64..1_000_000)),
            3 => {
                let f = match rng.gen_range(0..5) {
                    0 => rng.gen::<f64>() * 1e-9,
                    1 => rng.gen::<f64>() * 1e25,
                    2 => (rng.gen_range(-1000i64..1000) as f64) / 8.0,
                    3 => f64::from_bits(rng.gen::<u64>() & 0x7fef_ffff_ffff_ffff),
                    _ => rng.gen_range(i64::MIN..i64::MAX) as f64,
                };
                json!(f)
            }
            4 => Value::String(random_string(rng)),
            5 => Value::Array(
                (0..rng.gen_range(0..4))
                    .map(|_| random_value(rng, depth + 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..rng.gen_range(0..6))
                    .map(|_| (random_string(rng), random_value(rng, depth + 1)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn the_word_at_a_time_escape_check_agrees_with_the_byte_check() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let bytes: Vec<u8> = (0..=255u8).collect();
        for _ in 0..20_000 {
            let len = rng.gen_range(0..200);
            let s: Vec<u8> = (0..len)
                .map(|_| match rng.gen_range(0..40) {
                    0 => bytes[rng.gen_range(0..256)],
                    _ => b'a' + rng.gen_range(0..26),
                })
                .collect();
            let by_byte = s.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            assert_eq!(needs_escape(&s), by_byte, "{s:?}");
        }
    }

    #[test]
    fn matches_the_reference_implementation_on_random_values() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(8785);
        for _ in 0..20_000 {
            let v = random_value(&mut rng, 0);
            assert_eq!(
                String::from_utf8(canonical_value(&v)).unwrap(),
                String::from_utf8(reference(&v)).unwrap(),
                "value {v}"
            );
        }
    }

    #[test]
    fn orders_keys_by_utf16_code_units() {
        // U+E000 is above the surrogates that encode U+1F600 in UTF-16, though below it
        // as a code point: JCS puts the emoji first.
        let v = json!({"\u{e000}": 1, "😀": 2, "a": 3, "": 4});
        assert_eq!(
            String::from_utf8(canonical_value(&v)).unwrap(),
            "{\"\":4,\"a\":3,\"😀\":2,\"\u{e000}\":1}"
        );
        assert_eq!(canonical_value(&v), reference(&v));
    }

    #[test]
    fn integers_print_as_doubles_do() {
        let v = json!([u64::MAX, i64::MIN, 9007199254740993u64, 1e21, 1e-7, -0.0]);
        assert_eq!(canonical_value(&v), reference(&v));
        assert_eq!(
            String::from_utf8(canonical_value(&v)).unwrap(),
            "[18446744073709552000,-9223372036854776000,9007199254740992,1e+21,1e-7,0]"
        );
    }
}

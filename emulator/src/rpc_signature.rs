//! The gateway's side of Alibaba Cloud's RPC signature ("SignatureVersion
//! 1.0", HMAC-SHA1), written here independently of the provider's signer so
//! that tests of one against the other are not circular. Checked against the
//! published vectors in `tests/vectors/rpc_v1.json`.
//!
//! `StringToSign = METHOD "&" enc("/") "&" enc(canonical query)` where the
//! canonical query is every parameter but `Signature`, each name and value
//! encoded with the RFC 3986 unreserved set, sorted, `&`-joined; the key is
//! `secret + "&"`; the signature is base64.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The value of the `SignatureMethod` parameter.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The value of the `SignatureVersion` parameter.
pub const SIGNATURE_VERSION: &str = "1.0";

/// RFC 3986 encoding: `A-Z a-z 0-9 - _ . ~` literal, every other UTF-8 byte
/// as `%XX` with uppercase hex (so a space is `%20`, never `+`).
pub fn rfc3986_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// The string the gateway signs for these (decoded) parameters.
pub fn string_to_sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    // Sorted by encoded name, then value (so repeated names are deterministic).
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .filter(|(name, _)| *name != "Signature")
        .map(|(name, value)| (rfc3986_encode(name), rfc3986_encode(value)))
        .collect();
    pairs.sort();
    let canonical: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    format!(
        "{}&%2F&{}",
        method.to_ascii_uppercase(),
        rfc3986_encode(&canonical.join("&"))
    )
}

/// `base64(HMAC-SHA1(secret + "&", string_to_sign))`.
pub fn expected_signature(secret: &str, string_to_sign: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(mac(secret, string_to_sign))
}

/// Whether `received` (the decoded `Signature` parameter) is right, compared
/// in constant time.
pub fn signature_matches(secret: &str, string_to_sign: &str, received: &str) -> bool {
    let Ok(received) = base64::engine::general_purpose::STANDARD.decode(received) else {
        return false;
    };
    keyed(secret, string_to_sign)
        .verify_slice(&received)
        .is_ok()
}

fn mac(secret: &str, string_to_sign: &str) -> Vec<u8> {
    keyed(secret, string_to_sign)
        .finalize()
        .into_bytes()
        .to_vec()
}

fn keyed(secret: &str, string_to_sign: &str) -> Hmac<Sha1> {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_rfc_3986() {
        assert_eq!(
            rfc3986_encode("a b*c~d+e/f=g&h%i"),
            "a%20b%2Ac~d%2Be%2Ff%3Dg%26h%25i"
        );
        assert_eq!(rfc3986_encode("空"), "%E7%A9%BA");
    }

    #[test]
    fn a_signature_from_another_secret_or_garbage_does_not_match() {
        let sts = string_to_sign("POST", [("A", "1")]);
        let good = expected_signature("s", &sts);
        assert!(signature_matches("s", &sts, &good));
        assert!(!signature_matches("t", &sts, &good));
        assert!(!signature_matches("s", &sts, "not base64!"));
    }
}

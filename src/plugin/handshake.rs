//! The go-plugin handshake: the magic cookie, protocol-version negotiation,
//! and the one line printed on stdout that tells Terraform where to connect.

use base64::Engine as _;

/// The environment variable Terraform sets to prove it started the plugin.
pub(crate) const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value, the same in Terraform and OpenTofu.
pub(crate) const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Printed (on stderr) when someone runs the binary by hand.
pub(crate) const NOT_STARTED_BY_TERRAFORM: &str = "This is terraform-provider-cams, a Terraform plugin: it is started by Terraform or OpenTofu when a configuration uses the cams provider, not run by hand (see the README, or run it with --debug to attach Terraform to it).";

/// go-plugin's core protocol version; anything else is refused by the host.
const CORE_PROTOCOL_VERSION: u8 = 1;

/// The plugin protocol versions this provider speaks, best first.
pub(crate) const SUPPORTED_VERSIONS: [u8; 2] = [6, 5];

/// True when the magic cookie is present and right.
pub(crate) fn cookie_is_valid(value: Option<&str>) -> bool {
    value == Some(MAGIC_COOKIE_VALUE)
}

/// Picks the highest version we support among those the host offers
/// (`PLUGIN_PROTOCOL_VERSIONS`, comma-separated, in any order). Like
/// go-plugin, when there is no overlap we announce our lowest version and
/// let the host refuse it with its own message.
pub(crate) fn negotiate_version(offered: Option<&str>) -> u8 {
    let offered: Vec<u8> = offered
        .unwrap_or("")
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    SUPPORTED_VERSIONS
        .iter()
        .copied()
        .find(|v| offered.contains(v))
        .unwrap_or(SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.len() - 1])
}

/// The handshake line, newline included:
/// `1|<proto>|<network>|<address>|grpc|<base64 DER of the server cert>`.
/// The certificate uses the standard alphabet without padding, as go-plugin
/// decodes it; the field is empty when TLS is off.
pub(crate) fn handshake_line(
    protocol: u8,
    network: &str,
    address: &str,
    server_cert_der: Option<&[u8]>,
) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{protocol}|{network}|{address}|grpc|{cert}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_highest_common_version_whatever_the_order() {
        assert_eq!(negotiate_version(Some("5,6")), 6);
        assert_eq!(negotiate_version(Some("6,5")), 6);
        assert_eq!(negotiate_version(Some("5")), 5);
        assert_eq!(negotiate_version(Some(" 4, 5 ")), 5);
        assert_eq!(negotiate_version(Some("7")), 5);
        assert_eq!(negotiate_version(None), 5);
    }

    #[test]
    fn cookie_must_match_exactly() {
        assert!(cookie_is_valid(Some(MAGIC_COOKIE_VALUE)));
        assert!(!cookie_is_valid(Some("nope")));
        assert!(!cookie_is_valid(None));
    }

    #[test]
    fn handshake_line_uses_unpadded_standard_base64() {
        let line = handshake_line(6, "unix", "/tmp/plugin1", Some(&[0xfb, 0xff]));
        assert_eq!(line, "1|6|unix|/tmp/plugin1|grpc|+/8\n");
        assert_eq!(handshake_line(5, "unix", "/s", None), "1|5|unix|/s|grpc|\n");
    }
}

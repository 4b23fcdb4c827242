//! `PreviewUrlExpires` as an RFC 3339 time.
//!
//! CAMS documents the field only as a `long`, without a unit. Both units
//! are read: a value above 10^12 is taken as Unix milliseconds (10^12 ms is
//! September 2001, and no preview link expired before then), anything
//! smaller as Unix seconds (10^12 s is in the year 33658). Zero or less
//! means CAMS gave no expiry.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Above this, `PreviewUrlExpires` counts milliseconds.
const MILLISECONDS_ABOVE: i64 = 1_000_000_000_000;

/// The expiry as RFC 3339 in UTC (`2026-12-26T13:49:16.123Z`), or `None`
/// when there is none or it is out of range (after the year 9999).
pub fn preview_url_expires(raw: i64) -> Option<String> {
    if raw <= 0 {
        return None;
    }
    let nanos = if raw > MILLISECONDS_ABOVE {
        i128::from(raw) * 1_000_000
    } else {
        i128::from(raw) * 1_000_000_000
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_and_seconds_name_the_same_instant() {
        assert_eq!(
            preview_url_expires(1_767_225_600_000).as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            preview_url_expires(1_767_225_600).as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            preview_url_expires(1_767_225_600_250).as_deref(),
            Some("2026-01-01T00:00:00.25Z")
        );
    }

    #[test]
    fn the_boundary_between_the_units() {
        // 10^12 itself is seconds (the year 33658, beyond RFC 3339's four
        // digits, hence none); one more is milliseconds.
        assert_eq!(preview_url_expires(MILLISECONDS_ABOVE), None);
        assert_eq!(
            preview_url_expires(253_402_300_799).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(
            preview_url_expires(MILLISECONDS_ABOVE + 1).as_deref(),
            Some("2001-09-09T01:46:40.001Z")
        );
    }

    #[test]
    fn no_expiry_or_out_of_range_is_none() {
        assert_eq!(preview_url_expires(0), None);
        assert_eq!(preview_url_expires(-5), None);
        assert_eq!(preview_url_expires(i64::MAX), None);
    }
}

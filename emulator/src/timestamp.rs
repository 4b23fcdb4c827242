//! The UTC timestamp forms Alibaba's APIs use.

use time::OffsetDateTime;

/// `YYYY-MM-DDThh:mm:ssZ` (RPC `Timestamp`, STS `Expiration`).
pub fn format_iso8601(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Parses `YYYY-MM-DDThh:mm:ssZ`.
pub fn parse_iso8601(text: &str) -> Option<OffsetDateTime> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(|t| t.assume_utc())
}

/// `YYYYMMDDThhmmssZ` (OSS V4 `x-oss-date`).
pub fn parse_compact(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(|t| t.assume_utc())
}

/// RFC 1123 / HTTP date, `Sun, 06 Nov 1994 08:49:37 GMT` (OSS V1 `Date`).
pub fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(|t| t.assume_utc())
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_parses_every_form() {
        let at = parse_iso8601("2024-05-01T08:00:00Z").unwrap();
        assert_eq!(format_iso8601(at), "2024-05-01T08:00:00Z");
        assert_eq!(parse_compact("20240501T080000Z"), Some(at));
        assert_eq!(parse_http_date("Wed, 01 May 2024 08:00:00 GMT"), Some(at));
        assert_eq!(parse_iso8601("2024-05-01 08:00:00"), None);
    }
}

//! Terraform numbers, kept exact.
//!
//! cty numbers are arbitrary-precision decimals. On the wire Terraform sends
//! an integer when the value is exactly an `i64`, a float64 when it is exactly
//! a binary double, and otherwise the decimal text (§3.2 of the protocol
//! reference). [`Number`] mirrors that split so nothing is ever rounded:
//! every mathematical value has exactly one representation, which makes
//! `==` mean "the same number" and makes the encoders deterministic.

use std::fmt;
use std::str::FromStr;

/// Why a text could not be read as a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The text is not a decimal number (`-12.5e3` style).
    #[error("{0:?} is not a decimal number")]
    Syntax(String),
    /// The exponent does not fit the range this crate can hold.
    #[error("the exponent of {0:?} is out of range")]
    ExponentOutOfRange(String),
    /// NaN has no meaning in Terraform.
    #[error("NaN is not a Terraform number")]
    NotANumber,
}

/// An exact Terraform number.
///
/// Built from `i64`/`u64` (via `From`), from `f64` ([`Number::from_f64`]) or
/// from decimal text ([`str::parse`]). Infinities are allowed because cty has
/// them; NaN is not.
#[derive(Clone, PartialEq)]
pub struct Number(Repr);

// Invariants (upheld by every constructor, relied on by `PartialEq`):
// * Int holds every integer in the i64 range;
// * UInt only integers above i64::MAX;
// * Float only values that are exactly an f64, not NaN, and not covered by
//   Int/UInt (so non-integers, huge integers and the infinities);
// * Decimal only values that none of the above can hold exactly.
#[derive(Clone, Debug, PartialEq)]
enum Repr {
    Int(i64),
    UInt(u64),
    Float(f64),
    // Boxed: rare, and keeps `Number` (and so `Value`) small.
    Decimal(Box<Decimal>),
}

// NaN is never stored, so equality is reflexive.
impl Eq for Number {}

/// A finite decimal `digits × 10^exponent`, normalised: `digits` is a
/// non-empty ASCII digit string with no leading or trailing zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

/// Beyond this many padding zeros a number is written in scientific notation,
/// so a tiny input like `1e999999` cannot expand into megabytes of text.
/// Every finite f64 still renders in plain notation.
const MAX_PLAIN_PADDING: i64 = 400;

/// Enough fractional digits for the exact decimal expansion of any f64 (at
/// most 767 significant digits).
const EXACT_F64_DIGITS: usize = 800;

impl Number {
    /// Zero.
    pub const ZERO: Number = Number(Repr::Int(0));

    /// Exactly `value`; `None` for NaN. `-0.0` becomes `0`.
    pub fn from_f64(value: f64) -> Option<Number> {
        if value.is_nan() {
            return None;
        }
        Some(Number(repr_of_f64(value)))
    }

    /// The value if it is an integer in the `i64` range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The value if it is an integer in the `u64` range.
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            Repr::Int(i) => u64::try_from(i).ok(),
            Repr::UInt(u) => Some(u),
            _ => None,
        }
    }

    /// The nearest `f64` (exact when the number is an f64 or a small
    /// integer; may round, overflow to an infinity or underflow to zero).
    #[cfg(test)]
    pub(crate) fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int(i) => *i as f64,
            Repr::UInt(u) => *u as f64,
            Repr::Float(f) => *f,
            // Rust's float parser rounds correctly for any length of input.
            Repr::Decimal(d) => d.scientific().parse().unwrap_or(f64::NAN),
        }
    }

    /// Whether the number is finite (not ±infinity).
    pub(crate) fn is_finite(&self) -> bool {
        !matches!(self.0, Repr::Float(f) if f.is_infinite())
    }

    /// The number as the wire wants it (see [`WireNumber`]).
    pub(crate) fn wire(&self) -> WireNumber<'_> {
        match &self.0 {
            Repr::Int(i) => WireNumber::Int(*i),
            Repr::UInt(u) => WireNumber::UInt(*u),
            Repr::Float(f) => WireNumber::Float(*f),
            Repr::Decimal(_) => WireNumber::Text(self),
        }
    }
}

/// How a number goes on the wire: Terraform's int → float64 → text rule.
pub(crate) enum WireNumber<'a> {
    Int(i64),
    UInt(u64),
    Float(f64),
    /// Write `to_string()` of the number.
    Text(&'a Number),
}

impl From<i64> for Number {
    fn from(value: i64) -> Number {
        Number(Repr::Int(value))
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Number {
        Number(Repr::Int(value.into()))
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Number {
        match i64::try_from(value) {
            Ok(i) => Number(Repr::Int(i)),
            Err(_) => Number(Repr::UInt(value)),
        }
    }
}

impl TryFrom<f64> for Number {
    type Error = NumberError;

    fn try_from(value: f64) -> Result<Number, NumberError> {
        Number::from_f64(value).ok_or(NumberError::NotANumber)
    }
}

impl FromStr for Number {
    type Err = NumberError;

    /// Reads `[+-]digits[.digits][e[+-]digits]` (also `.5` and `5.`) exactly.
    fn from_str(text: &str) -> Result<Number, NumberError> {
        let Some(decimal) = parse_decimal(text)? else {
            return Ok(Number::ZERO);
        };
        Ok(Number(repr_of_decimal(decimal)))
    }
}

/// `Number(2.5)`: the exact text, which says more than the representation.
impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

/// Exact decimal text: plain notation (`-12.25`, `18446744073709551615`),
/// scientific only for extreme exponents (`1e+1000`); infinities as
/// `+Inf`/`-Inf` like Go's `big.Float`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(i) => write!(f, "{i}"),
            Repr::UInt(u) => write!(f, "{u}"),
            Repr::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "+Inf" } else { "-Inf" })
            }
            Repr::Float(x) => f.write_str(&exact_decimal_of_f64(*x).render()),
            Repr::Decimal(d) => f.write_str(&d.render()),
        }
    }
}

fn repr_of_f64(value: f64) -> Repr {
    // 2^63 and 2^64 as f64 are exact; the ranges are half-open.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
    if value.is_finite() && value.fract() == 0.0 {
        if (-TWO_POW_63..TWO_POW_63).contains(&value) {
            return Repr::Int(value as i64);
        }
        if (0.0..TWO_POW_64).contains(&value) {
            return Repr::UInt(value as u64);
        }
    }
    Repr::Float(value)
}

fn repr_of_decimal(decimal: Decimal) -> Repr {
    if let Some(integer) = decimal.small_integer() {
        if let Ok(i) = i64::try_from(integer) {
            return Repr::Int(i);
        }
        if let Ok(u) = u64::try_from(integer) {
            return Repr::UInt(u);
        }
    }
    match decimal.exact_f64() {
        Some(value) => repr_of_f64(value),
        None => Repr::Decimal(Box::new(decimal)),
    }
}

/// Parses decimal text; `None` means zero.
fn parse_decimal(text: &str) -> Result<Option<Decimal>, NumberError> {
    let syntax = || NumberError::Syntax(abbreviate(text));
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent_text) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.find('.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(syntax());
    }
    let exponent = match exponent_text {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                return Err(syntax());
            }
            e.parse::<i64>()
                .map_err(|_| NumberError::ExponentOutOfRange(abbreviate(text)))?
        }
    };

    let joined = format!("{whole}{fraction}");
    let significant = joined.trim_start_matches('0');
    let digits = significant.trim_end_matches('0');
    if digits.is_empty() {
        return Ok(None);
    }
    let trailing_zeros = significant.len() - digits.len();
    let out_of_range = || NumberError::ExponentOutOfRange(abbreviate(text));
    let exponent = i64::try_from(trailing_zeros)
        .ok()
        .and_then(|zeros| exponent.checked_add(zeros))
        .and_then(|e| {
            i64::try_from(fraction.len())
                .ok()
                .and_then(|f| e.checked_sub(f))
        })
        .ok_or_else(out_of_range)?;
    // Keep room so that `exponent + digits.len()` never overflows later.
    if exponent.unsigned_abs() > (i64::MAX as u64) / 2 {
        return Err(out_of_range());
    }
    Ok(Some(Decimal {
        negative,
        digits: digits.to_owned(),
        exponent,
    }))
}

/// Error messages quote the input; keep hostile inputs from flooding them.
fn abbreviate(text: &str) -> String {
    const LIMIT: usize = 64;
    match text.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The exact decimal expansion of a finite, non-zero f64.
fn exact_decimal_of_f64(value: f64) -> Decimal {
    // Rust's `{:.N e}` formatting is exact, not shortest-round-trip.
    let text = format!("{:.*e}", EXACT_F64_DIGITS, value);
    match parse_decimal(&text) {
        Ok(Some(decimal)) => decimal,
        // Unreachable for finite non-zero input; zero is the honest fallback.
        _ => Decimal {
            negative: false,
            digits: "0".to_owned(),
            exponent: 0,
        },
    }
}

impl Decimal {
    fn digit_count(&self) -> i64 {
        // A String's length always fits in i64.
        i64::try_from(self.digits.len()).unwrap_or(i64::MAX)
    }

    /// The value as an integer when it is one of at most 20 digits.
    fn small_integer(&self) -> Option<i128> {
        if self.exponent < 0 || self.digit_count() + self.exponent > 20 {
            return None;
        }
        let mut magnitude: i128 = self.digits.parse().ok()?;
        for _ in 0..self.exponent {
            magnitude *= 10;
        }
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The value as an f64, only if that f64 is exactly this decimal.
    fn exact_f64(&self) -> Option<f64> {
        // Cheap rejections first. A fraction is a binary fraction only if its
        // digits are divisible by 5^k, i.e. (no trailing zeros) end in 5.
        if self.exponent < 0 && !self.digits.ends_with('5') {
            return None;
        }
        let magnitude = self.digit_count() + self.exponent;
        if self.digits.len() > 767 || !(-330..=310).contains(&magnitude) {
            return None;
        }
        let value: f64 = self.scientific().parse().ok()?;
        if !value.is_finite() || value == 0.0 {
            return None;
        }
        let round_trip = exact_decimal_of_f64(value);
        (round_trip == *self).then_some(value)
    }

    /// `d.ddde±N`, always parseable, never long for its input.
    fn scientific(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let (first, rest) = self.digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exponent = self.exponent + self.digit_count() - 1;
        format!("{sign}{first}{point}{rest}e{exponent:+}")
    }

    fn render(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let digits = &self.digits;
        let count = self.digit_count();
        if self.exponent >= 0 {
            if self.exponent > MAX_PLAIN_PADDING {
                return self.scientific();
            }
            let zeros = "0".repeat(self.exponent.unsigned_abs() as usize);
            return format!("{sign}{digits}{zeros}");
        }
        // The decimal point sits `point` digits from the left of `digits`.
        let point = count + self.exponent;
        if point > 0 {
            let (whole, fraction) = digits.split_at(point.unsigned_abs() as usize);
            return format!("{sign}{whole}.{fraction}");
        }
        if -point > MAX_PLAIN_PADDING {
            return self.scientific();
        }
        let zeros = "0".repeat(point.unsigned_abs() as usize);
        format!("{sign}0.{zeros}{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Number {
        match text.parse() {
            Ok(n) => n,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn integers_in_i64_range_are_int() {
        assert_eq!(num("1000").as_i64(), Some(1000));
        assert_eq!(num("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(num("1.5e3").as_i64(), Some(1500));
        assert_eq!(num("15000e-1").as_i64(), Some(1500));
        assert_eq!(num("-0.0"), Number::ZERO);
        assert_eq!(Number::from_f64(-0.0), Some(Number::ZERO));
        assert_eq!(Number::from_f64(42.0), Some(Number::from(42i64)));
    }

    #[test]
    fn integers_above_i64_are_uint() {
        let n = num("18446744073709551615");
        assert_eq!(n.as_u64(), Some(u64::MAX));
        assert_eq!(n.as_i64(), None);
        assert_eq!(n, Number::from(u64::MAX));
        assert_eq!(
            Number::from_f64(9_223_372_036_854_775_808.0),
            Some(Number::from(1u64 << 63))
        );
    }

    #[test]
    fn exact_binary_fractions_are_floats() {
        assert_eq!(num("2.5"), Number::from_f64(2.5).unwrap_or(Number::ZERO));
        assert_eq!(num("2.5").as_f64(), 2.5);
        assert_eq!(num("1e20"), Number::from_f64(1e20).unwrap_or(Number::ZERO));
        assert!(matches!(num("0.5").0, Repr::Float(_)));
    }

    #[test]
    fn inexact_decimals_keep_their_text() {
        let n = num("0.1");
        assert!(matches!(n.0, Repr::Decimal(_)));
        assert_ne!(Some(n.clone()), Number::from_f64(0.1));
        assert_eq!(n.to_string(), "0.1");
        assert_eq!(n.as_f64(), 0.1);
        let big = "123456789012345678901234567890.5";
        assert_eq!(num(big).to_string(), big);
        assert_eq!(num("0.10"), num("1e-1"));
    }

    #[test]
    fn floats_render_exactly() {
        let tenth = Number::from_f64(0.1).unwrap_or(Number::ZERO);
        assert_eq!(
            tenth.to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(num(&tenth.to_string()), tenth);
        assert_eq!(
            Number::from_f64(-2.5).map(|n| n.to_string()).as_deref(),
            Some("-2.5")
        );
        assert_eq!(
            Number::from_f64(f64::INFINITY)
                .map(|n| n.to_string())
                .as_deref(),
            Some("+Inf")
        );
        assert_eq!(format!("{:?}", num("-2.5")), "Number(-2.5)");
    }

    #[test]
    fn extreme_exponents_stay_small() {
        assert_eq!(num("1e100000").to_string(), "1e+100000");
        assert_eq!(num("-12e-100000").to_string(), "-1.2e-99999");
        assert_eq!(num("1e100000").as_f64(), f64::INFINITY);
        assert!(matches!(
            "1e99999999999999999999".parse::<Number>(),
            Err(NumberError::ExponentOutOfRange(_))
        ));
    }

    #[test]
    fn rejects_non_numbers() {
        for text in [
            "", "-", ".", "e5", "1e", "1e+", "inf", "NaN", "0x10", "1 ", " 1", "1..2", "--1",
        ] {
            assert!(text.parse::<Number>().is_err(), "{text:?} accepted");
        }
        assert_eq!(Number::from_f64(f64::NAN), None);
    }

    #[test]
    fn subnormals_and_maxima_are_exact() {
        for value in [f64::MIN_POSITIVE, 5e-324, f64::MAX, -f64::MAX, 1e300] {
            let n = Number::from_f64(value).unwrap_or(Number::ZERO);
            assert_eq!(num(&n.to_string()), n, "{value:e}");
            assert_eq!(n.as_f64(), value);
        }
    }
}

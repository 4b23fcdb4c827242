//! Errors of the codecs, each with the [`AttributePath`] of the offending part.

use std::fmt;

use super::number::NumberError;
use super::path::{AttributePath, PathStep};
use super::ty::TypeError;

/// How deep values (and JSON documents) may nest. Keeps hostile input from
/// overflowing the stack; Terraform schemas are nowhere near this deep.
pub const MAX_DEPTH: usize = 512;

/// Bytes that could not be decoded as a value of the expected type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{kind}", Located(.path))]
pub struct DecodeError {
    /// Where in the value the problem is (the root if empty).
    pub path: AttributePath,
    /// What the problem is.
    pub kind: DecodeErrorKind,
}

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeErrorKind {
    /// The input ends in the middle of a value.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// Something follows the value.
    #[error("{count} unexpected byte(s) after the value")]
    TrailingBytes {
        /// How many bytes are left over.
        count: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("nested deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The encoding holds a different kind of value than the type needs.
    #[error("{expected} required, found {found}")]
    WrongKind {
        /// The type (or wire form) that was needed.
        expected: String,
        /// What the input had instead.
        found: &'static str,
    },
    /// A string is not UTF-8.
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    /// A number could not be read.
    #[error(transparent)]
    Number(#[from] NumberError),
    /// An object lacks one of its type's attributes.
    #[error("missing attribute {0:?}")]
    MissingAttribute(String),
    /// An object has an attribute its type does not declare.
    #[error("unsupported attribute {0:?}")]
    UnsupportedAttribute(String),
    /// A map or object has the same key twice.
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    /// A tuple has the wrong number of elements.
    #[error("a tuple of {expected} elements is required ({found} given)")]
    TupleLength {
        /// Elements the type declares.
        expected: usize,
        /// Elements the input has.
        found: usize,
    },
    /// A `dynamic` value is not a `[type, value]` pair / `{"type","value"}` object.
    #[error("malformed dynamic value: {0}")]
    MalformedDynamic(String),
    /// The type carried by a `dynamic` value is not a valid type.
    #[error("invalid type in dynamic value: {0}")]
    DynamicType(#[from] TypeError),
    /// The msgpack byte 0xc1, which the format never uses.
    #[error("invalid msgpack byte 0xc1")]
    ReservedByte,
    /// The JSON is not well formed.
    #[error("invalid JSON at byte {offset}: {reason}")]
    JsonSyntax {
        /// Byte offset into the input.
        offset: usize,
        /// What is wrong there.
        reason: &'static str,
    },
}

/// A value that cannot be encoded as the given type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{kind}", Located(.path))]
pub struct EncodeError {
    /// Where in the value the problem is (the root if empty).
    pub path: AttributePath,
    /// What the problem is.
    pub kind: EncodeErrorKind,
}

/// What went wrong while encoding.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeErrorKind {
    /// The value is of a different kind than the type.
    #[error("{expected} required, found {found}")]
    WrongKind {
        /// The type at this position.
        expected: String,
        /// What the value is.
        found: &'static str,
    },
    /// An object value lacks one of its type's attributes.
    #[error("missing attribute {0:?}")]
    MissingAttribute(String),
    /// An object value has an attribute its type does not declare.
    #[error("unsupported attribute {0:?}")]
    UnsupportedAttribute(String),
    /// A tuple value has the wrong number of elements.
    #[error("a tuple of {expected} elements is required ({found} given)")]
    TupleLength {
        /// Elements the type declares.
        expected: usize,
        /// Elements the value has.
        found: usize,
    },
    /// A known value in a `dynamic` position must say its concrete type.
    #[error("a known value of type dynamic must be a Value::Dynamic carrying its concrete type")]
    DynamicWithoutType,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("nested deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A string or collection longer than msgpack can describe (2^32 - 1).
    #[error("too long for msgpack ({0} items or bytes)")]
    TooLong(usize),
    /// JSON has no way to write an unknown value.
    #[error("unknown values cannot be encoded as JSON")]
    UnknownInJson,
    /// JSON has no way to write an infinity.
    #[error("infinite numbers cannot be encoded as JSON")]
    InfinityInJson,
}

/// Renders `".a[2]: "` before a message, or nothing at the root.
struct Located<'a>(&'a AttributePath);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_root() {
            Ok(())
        } else {
            write!(f, "{}: ", self.0)
        }
    }
}

impl DecodeError {
    pub(crate) fn new(kind: impl Into<DecodeErrorKind>) -> DecodeError {
        DecodeError {
            path: AttributePath::root(),
            kind: kind.into(),
        }
    }

    /// The same error, one level further out.
    pub(crate) fn within(mut self, step: PathStep) -> DecodeError {
        self.path.prepend(step);
        self
    }
}

impl From<DecodeErrorKind> for DecodeError {
    fn from(kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(kind)
    }
}

impl EncodeError {
    pub(crate) fn new(kind: EncodeErrorKind) -> EncodeError {
        EncodeError {
            path: AttributePath::root(),
            kind,
        }
    }

    /// The same error, one level further out.
    pub(crate) fn within(mut self, step: PathStep) -> EncodeError {
        self.path.prepend(step);
        self
    }
}

impl From<EncodeErrorKind> for EncodeError {
    fn from(kind: EncodeErrorKind) -> EncodeError {
        EncodeError::new(kind)
    }
}

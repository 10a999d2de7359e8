//! The byte-level primitives of the ABI's encodings: a bounds-checked
//! little-endian [`Reader`] that never panics, its [`DecodeError`], and a
//! [`Writer`].

use crate::ABI_VERSION;

/// What is wrong with bytes that should hold ABI data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before the item does.
    #[error("truncated {what} at byte {at}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Offset where the bytes ran out.
        at: usize,
    },
    /// A record does not start with [`RECORD_MAGIC`](crate::RECORD_MAGIC).
    #[error("bad record magic at byte {at}")]
    BadMagic {
        /// Offset of the record.
        at: usize,
    },
    /// A record of another ABI version.
    #[error("ABI version {found} (this runtime speaks {ABI_VERSION})")]
    Version {
        /// The version in the record.
        found: u32,
    },
    /// A string that is not UTF-8.
    #[error("{what} is not valid UTF-8")]
    Utf8 {
        /// Which string.
        what: &'static str,
    },
    /// A record body longer or shorter than its fields.
    #[error("record body is {declared} bytes but its fields take {used}")]
    BodyLength {
        /// `body_len` in the record.
        declared: usize,
        /// Bytes its fields took.
        used: usize,
    },
    /// An error tag [`decode_error`](crate::decode_error) does not know.
    #[error("unknown error tag {0}")]
    UnknownTag(u32),
    /// A value out of its field's range.
    #[error("{what} out of range: {value}")]
    OutOfRange {
        /// Which field.
        what: &'static str,
        /// The value read.
        value: u64,
    },
}

pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    /// Bytes read so far.
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(DecodeError::Truncated { what, at: self.at })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    pub(crate) fn array<const K: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; K], DecodeError> {
        let mut out = [0; K];
        out.copy_from_slice(self.take(K, what)?);
        Ok(out)
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        self.array(what).map(u64::from_le_bytes)
    }

    pub(crate) fn usize(&mut self, what: &'static str) -> Result<usize, DecodeError> {
        let value = self.u64(what)?;
        usize::try_from(value).map_err(|_| DecodeError::OutOfRange { what, value })
    }

    pub(crate) fn string(&mut self, what: &'static str) -> Result<String, DecodeError> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::Utf8 { what })
    }
}

pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub(crate) fn usize(&mut self, v: usize) -> &mut Self {
        self.u64(v as u64)
    }

    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        // Messages longer than 4 GiB are cut; nothing real comes close.
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        self.u32(len);
        self.0.extend_from_slice(&s.as_bytes()[..len as usize]);
        self
    }
}

//! [`LoadError`]: why a module cannot be loaded.

use grafos_abi::{DecodeError, Signature};

/// Why [`Runtime::load`](crate::Runtime::load) rejected a module.
///
/// Every variant names what is wrong precisely enough to fix the guest:
///
/// ```
/// use grafos_runtime::{LoadError, Runtime, RuntimeConfig};
/// let runtime = Runtime::new(RuntimeConfig::default());
/// let err = runtime.load(b"\0asm\x01\0\0").unwrap_err();
/// assert!(matches!(err, LoadError::Malformed { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The bytes are not a valid WebAssembly module (truncated, corrupt, or
    /// using a feature the interpreter does not support).
    #[error("not a valid wasm module: {message}")]
    Malformed {
        /// What the parser or validator reported.
        message: String,
    },
    /// An import from a module other than `grafos_worker_v0`, or a name the
    /// ABI does not define.
    #[error(
        "unknown import `{module}::{name}`: a tasklet may import only the functions of `grafos_worker_v0`"
    )]
    UnknownImport {
        /// The import's module.
        module: String,
        /// The import's name.
        name: String,
    },
    /// An ABI import declared with the wrong signature or kind.
    #[error("import `{name}` has signature {found} but ABI grafos_worker_v0 defines {expected}")]
    ImportSignature {
        /// The import's name.
        name: String,
        /// Its signature in the ABI.
        expected: String,
        /// Its signature in the module.
        found: String,
    },
    /// A required export is missing.
    #[error("missing export `{name}`")]
    MissingExport {
        /// The export's name.
        name: String,
    },
    /// An export of the wrong kind or signature.
    #[error("export `{name}` is {found} but must be {expected}")]
    ExportSignature {
        /// The export's name.
        name: String,
        /// What the ABI requires.
        expected: String,
        /// What the module has.
        found: String,
    },
    /// No `grafos_worker_v0.tasklets` custom section, or one without records.
    #[error(
        "no tasklet records: the module has no `grafos_worker_v0.tasklets` custom section (was it built from a crate with `#[grafos::tasklet]`s?)"
    )]
    MissingTasklets,
    /// A record of an ABI version this runtime does not speak.
    #[error("tasklet record of ABI version {found}; this runtime speaks version {supported}")]
    AbiVersion {
        /// The version in the record.
        found: u32,
        /// The version this runtime speaks.
        supported: u32,
    },
    /// The custom section cannot be decoded.
    #[error("malformed `grafos_worker_v0.tasklets` section: {0}")]
    BadRecord(#[source] DecodeError),
    /// A record whose values cannot run (too few or too many lanes, a
    /// duplicate or empty name).
    #[error("tasklet `{tasklet}`: {reason}")]
    InvalidRecord {
        /// The tasklet's name.
        tasklet: String,
        /// What is wrong.
        reason: String,
    },
    /// The shadow-stack pointer cannot be found or is not a mutable `i32`
    /// global defined by the module.
    #[error("no usable stack pointer: {reason}")]
    StackPointer {
        /// What is wrong.
        reason: String,
    },
    /// The module has a start function; the ABI has no place to run one.
    #[error("the module has a start function, which ABI grafos_worker_v0 does not allow")]
    StartFunction,
}

impl From<DecodeError> for LoadError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Version { found } => LoadError::AbiVersion {
                found,
                supported: grafos_abi::ABI_VERSION,
            },
            other => LoadError::BadRecord(other),
        }
    }
}

/// `(i32, i32) -> i32`, the way a signature is printed in errors.
pub(crate) fn signature_string(sig: &Signature) -> String {
    fn list(types: &[grafos_abi::ValType]) -> String {
        let names: Vec<&str> = types
            .iter()
            .map(|t| match t {
                grafos_abi::ValType::I32 => "i32",
                grafos_abi::ValType::I64 => "i64",
            })
            .collect();
        format!("({})", names.join(", "))
    }
    format!("func {} -> {}", list(sig.params), list(sig.results))
}

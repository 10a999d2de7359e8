//! Tasklet records: the [`TASKLETS_SECTION`] custom section, written at
//! compile time by `#[grafos::tasklet]` ([`encode_record`] is a `const fn`)
//! and read back by the runtime ([`decode_records`]).

use std::borrow::Cow;

#[cfg(doc)]
use crate::TASKLETS_SECTION;
use crate::codec::{DecodeError, Reader};
use crate::{ABI_VERSION, RECORD_MAGIC, TaskletInfo};

#[allow(clippy::ptr_arg)] // `Deref` is not `const`: match on the `Cow` itself.
const fn cow_str<'a>(s: &'a Cow<'static, str>) -> &'a str {
    match s {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => s.as_str(),
    }
}

#[allow(clippy::ptr_arg)] // as above
const fn cow_names<'a>(names: &'a Cow<'static, [Cow<'static, str>]>) -> &'a [Cow<'static, str>] {
    match names {
        Cow::Borrowed(names) => names,
        Cow::Owned(names) => names.as_slice(),
    }
}

/// The length in bytes of `info`'s record, as written by [`encode_record`].
pub const fn record_len(info: &TaskletInfo) -> usize {
    let names = cow_names(&info.worker_names);
    let mut len = 4 + 4 + 4; // magic, version, body_len
    len += 4 + cow_str(&info.name).len();
    len += 4 + 8 + 8 + 8 + 4;
    let mut i = 0;
    while i < names.len() {
        len += 4 + cow_str(&names[i]).len();
        i += 1;
    }
    len + 4 // flags
}

/// Copies `data` into `out` at `at`; returns the offset after it.
const fn put(out: &mut [u8], mut at: usize, data: &[u8]) -> usize {
    let mut i = 0;
    while i < data.len() {
        out[at] = data[i];
        at += 1;
        i += 1;
    }
    at
}

const fn put_str(out: &mut [u8], at: usize, s: &str) -> usize {
    let at = put(out, at, &(s.len() as u32).to_le_bytes());
    put(out, at, s.as_bytes())
}

/// Writes `info`'s record into `out`, which is [`record_len`]`(info)`
/// bytes long: the one definition of the layout, for both encoders.
const fn write_record(info: &TaskletInfo, out: &mut [u8]) {
    assert!(
        out.len() == record_len(info),
        "record buffer length must be record_len(info)"
    );
    let names = cow_names(&info.worker_names);
    let mut at = put(out, 0, &RECORD_MAGIC);
    at = put(out, at, &ABI_VERSION.to_le_bytes());
    at = put(out, at, &((out.len() - 12) as u32).to_le_bytes());
    at = put_str(out, at, cow_str(&info.name));
    at = put(out, at, &info.workers.to_le_bytes());
    at = put(out, at, &info.shared_bytes.to_le_bytes());
    at = put(out, at, &info.scratch_bytes.to_le_bytes());
    at = put(out, at, &info.fuel.to_le_bytes());
    at = put(out, at, &(names.len() as u32).to_le_bytes());
    let mut i = 0;
    while i < names.len() {
        at = put_str(out, at, cow_str(&names[i]));
        i += 1;
    }
    let flags = if info.shared_owns_data {
        FLAG_SHARED_OWNS_DATA
    } else {
        0
    };
    put(out, at, &flags.to_le_bytes());
}

/// Bit of a record's trailing flags word: the shared type owns data
/// outside its inline bytes. A record without the word (written before it
/// existed) has no flags set.
const FLAG_SHARED_OWNS_DATA: u32 = 1;

/// Encodes `info` as a [`TASKLETS_SECTION`] record. `N` must be
/// [`record_len`]`(info)`; evaluated at compile time by the code
/// `#[grafos::tasklet]` generates, so a mismatch is a compile error.
///
/// `TaskletInfo` owns its strings when decoded, so a constant of it cannot
/// be borrowed in a constant expression; borrow a `static` instead:
///
/// ```
/// use grafos_abi::{self as abi, TaskletInfo};
/// static INFO: TaskletInfo = TaskletInfo::new("sum", 4, 64, 16, 1_000, &[]);
/// static RECORD: [u8; abi::record_len(&INFO)] = abi::encode_record(&INFO);
/// assert_eq!(abi::decode_records(&RECORD).unwrap(), vec![INFO.clone()]);
/// ```
pub const fn encode_record<const N: usize>(info: &TaskletInfo) -> [u8; N] {
    let mut bytes = [0; N];
    write_record(info, &mut bytes);
    bytes
}

/// The bytes of [`encode_record`], for a record chosen at run time (by a
/// tool, a test or a fuzzer) rather than at compile time.
///
/// ```
/// use std::borrow::Cow;
/// use grafos_abi::{self as abi, TaskletInfo};
/// static INFO: TaskletInfo = TaskletInfo::new("sum", 4, 64, 16, 1_000, &[Cow::Borrowed("add")]);
/// static RECORD: [u8; abi::record_len(&INFO)] = abi::encode_record(&INFO);
/// assert_eq!(abi::encode_record_vec(&INFO), RECORD);
/// let renamed = TaskletInfo { name: format!("sum_{}", 2).into(), ..INFO.clone() };
/// assert_eq!(abi::decode_records(&abi::encode_record_vec(&renamed)).unwrap(), vec![renamed]);
/// ```
pub fn encode_record_vec(info: &TaskletInfo) -> Vec<u8> {
    let mut bytes = vec![0; record_len(info)];
    write_record(info, &mut bytes);
    bytes
}

/// Decodes the contents of a [`TASKLETS_SECTION`] (any number of records,
/// possibly from several custom sections concatenated).
///
/// Never panics: malformed bytes give a [`DecodeError`].
pub fn decode_records(bytes: &[u8]) -> Result<Vec<TaskletInfo>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while !r.is_empty() {
        let start = r.at;
        if r.array::<4>("record magic")? != RECORD_MAGIC {
            return Err(DecodeError::BadMagic { at: start });
        }
        let version = r.u32("record version")?;
        if version != ABI_VERSION {
            return Err(DecodeError::Version { found: version });
        }
        let declared = r.u32("record length")? as usize;
        let mut body = Reader::new(r.take(declared, "record body")?);
        let name = body.string("tasklet name")?;
        let workers = body.u32("workers")?;
        let shared_bytes = body.u64("shared_bytes")?;
        let scratch_bytes = body.u64("scratch_bytes")?;
        let fuel = body.u64("fuel")?;
        let count = body.u32("worker name count")?;
        // Each name takes at least its 4-byte length, so `count` is bounded by the body.
        let mut names = Vec::with_capacity((count as usize).min(declared / 4));
        for _ in 0..count {
            names.push(Cow::Owned(body.string("worker name")?));
        }
        let flags = if body.is_empty() {
            0
        } else {
            body.u32("flags")?
        };
        if !body.is_empty() {
            return Err(DecodeError::BodyLength {
                declared,
                used: body.at,
            });
        }
        out.push(TaskletInfo {
            name: Cow::Owned(name),
            workers,
            shared_bytes,
            scratch_bytes,
            fuel,
            worker_names: Cow::Owned(names),
            shared_owns_data: flags & FLAG_SHARED_OWNS_DATA != 0,
        });
    }
    Ok(out)
}

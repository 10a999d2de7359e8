//! The codecs against themselves: round trips, truncations, garbage.

use std::borrow::Cow;

use super::*;
use proptest::prelude::*;

fn all_errors() -> Vec<TaskletError> {
    vec![
        TaskletError::InvalidConfig {
            reason: "workers must be at least 2".into(),
        },
        TaskletError::SharedTooSmall { need: 64, have: 8 },
        TaskletError::ScratchTooSmall { need: 16, have: 0 },
        TaskletError::fuel_exhausted(),
        TaskletError::FuelExhausted {
            budget: 100,
            used: 100,
            lane: 2,
            since_sdk_call: Some(40),
        },
        TaskletError::CallDepthExceeded {
            lane: 1,
            max_depth: 16384,
        },
        TaskletError::Cancelled,
        TaskletError::DeadlineExceeded,
        TaskletError::BarrierMismatch {
            lane: 3,
            reached: 1,
            expected: 2,
        },
        TaskletError::WorkerPanicked {
            lane: 1,
            message: "index out of bounds".into(),
        },
        TaskletError::CoordinatorPanicked {
            message: "ü".into(),
        },
        TaskletError::StackOverflow { lane: 7 },
        TaskletError::Trap {
            lane: 0,
            message: "unreachable".into(),
        },
        TaskletError::PartitionMisuse {
            lane: 2,
            message: "held twice".into(),
        },
        TaskletError::Abi {
            message: "pointer out of bounds".into(),
        },
        TaskletError::Failed {
            message: String::new(),
        },
        TaskletError::LimitExceeded {
            limit: Limit::OutputBytes,
            max: 10,
            requested: 11,
        },
    ]
}

#[test]
fn every_error_round_trips() {
    for e in all_errors() {
        assert_eq!(decode_error(&encode_error(&e)), Ok(e));
    }
}

#[test]
fn error_with_trailing_bytes_is_rejected() {
    let mut bytes = encode_error(&TaskletError::Cancelled);
    bytes.push(0);
    assert!(matches!(
        decode_error(&bytes),
        Err(DecodeError::BodyLength { .. })
    ));
}

#[test]
fn unknown_error_tag_is_rejected() {
    assert_eq!(
        decode_error(&99u32.to_le_bytes()),
        Err(DecodeError::UnknownTag(99))
    );
}

#[test]
fn imports_are_unique() {
    let mut names: Vec<_> = IMPORTS.iter().map(|i| i.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), IMPORTS.len());
}

static INFO: TaskletInfo = TaskletInfo::new(
    "scan",
    8,
    4096,
    128,
    5_000,
    &[Cow::Borrowed("local"), Cow::Borrowed("fixup")],
);
static RECORD: [u8; record_len(&INFO)] = encode_record(&INFO);

#[test]
fn records_round_trip_and_concatenate() {
    let mut two = RECORD.to_vec();
    two.extend_from_slice(&RECORD);
    let decoded = decode_records(&two).unwrap();
    assert_eq!(decoded, vec![INFO.clone(), INFO.clone()]);
    assert_eq!(&decoded[0].worker_names[1], "fixup");
}

#[test]
fn the_shared_types_heap_flag_round_trips_and_old_records_lack_it() {
    let owning = INFO.clone().shared_owning_data(true);
    let bytes = encode_record_vec(&owning);
    assert_eq!(decode_records(&bytes).unwrap(), vec![owning]);
    // A record written before the flags word: no flags.
    let mut old = RECORD[..RECORD.len() - 4].to_vec();
    let len = u32::from_le_bytes(old[8..12].try_into().unwrap()) - 4;
    old[8..12].copy_from_slice(&len.to_le_bytes());
    let decoded = decode_records(&old).unwrap();
    assert_eq!(decoded, vec![INFO.clone()]);
    assert!(!decoded[0].shared_owns_data);
}

#[test]
fn record_of_another_version_is_rejected() {
    let mut bytes = RECORD;
    bytes[4] = 9;
    assert_eq!(
        decode_records(&bytes),
        Err(DecodeError::Version { found: 9 })
    );
}

#[test]
fn record_with_bad_magic_is_rejected() {
    let mut bytes = RECORD;
    bytes[0] = b'x';
    assert_eq!(decode_records(&bytes), Err(DecodeError::BadMagic { at: 0 }));
}

#[test]
fn record_body_longer_than_fields_is_rejected() {
    let mut bytes = RECORD.to_vec();
    bytes.push(0);
    let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) + 1;
    bytes[8..12].copy_from_slice(&len.to_le_bytes());
    assert!(matches!(
        decode_records(&bytes),
        Err(DecodeError::BodyLength { .. })
    ));
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_records(&bytes);
        let _ = decode_error(&bytes);
    }

    #[test]
    fn every_truncation_of_a_record_is_an_error(cut in 0..record_len(&INFO)) {
        prop_assert!(decode_records(&RECORD[..cut]).is_err() || cut == 0);
    }
}

//! The journal's file format: a magic header, then records, each
//! `[payload length: u32 LE][CRC-32 of the payload: u32 LE][payload]`, the payload a JSON
//! [`Record`]: its sequence number and the change, as the emulator received it.
//!
//! A record is the call, not its effect: the action's name, the caller's account, the
//! parameters and the profile it was answered by. Replaying it through the same action path
//! gives the same change again, because the library is deterministic (the same actions on the
//! same store draw the same ids), so the format needs nothing of the library but its requests'
//! wire names. Replay checks that each record changes the world again.

use ecs_image_rules::{AccountId, Profile, Timestamp, Work};
use serde::{Deserialize, Serialize};

/// The first bytes of a journal file.
pub(crate) const MAGIC: &[u8; 8] = b"ECSJRN1\n";

/// Bytes before a record's payload.
const FRAME: usize = 8;

/// The largest payload a record may have: more is a torn or foreign length (a request body is
/// bounded well below it).
const MAX_PAYLOAD: usize = 1 << 28;

/// One change, numbered.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Record<P> {
    /// The change's number: the snapshot's `sequence` plus its place after it.
    pub(crate) sequence: u64,
    /// What changed.
    pub(crate) change: Change<P>,
}

/// A change to the world, as it was asked for. `P` is the parameter list: borrowed to write,
/// owned to read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum Change<P> {
    /// An action that changed the world.
    #[serde(rename_all = "camelCase")]
    Action {
        /// The action's name, e.g. `DeleteImage`.
        name: String,
        /// The account it was answered for.
        caller: AccountId,
        /// The request's parameters, in the order received.
        params: P,
        /// The profile it was answered by.
        profile: Profile,
        /// The emulator's time when it was answered: the store's clock is advanced to it
        /// before the replay (absent in journals written before the clock).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// The service's own progress, as the progress policy made it due before a call.
    #[serde(rename_all = "camelCase")]
    Progress {
        /// The emulator's time.
        at: Timestamp,
        /// The work that ended, in order (each ended as [`Work::done`] ends it).
        work: Vec<Work>,
    },
    /// `POST /_emulator/tasks/complete` with this query string.
    #[serde(rename_all = "camelCase")]
    CompleteTasks {
        /// The query string.
        query: String,
    },
}

/// Appends one framed record to `out`.
pub(crate) fn encode<P: Serialize>(record: &Record<P>, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; FRAME]);
    serde_json::to_writer(&mut *out, record).expect("a record always serializes to JSON");
    let payload = &out[start + FRAME..];
    let len = u32::try_from(payload.len()).expect("a record is bounded by the request body");
    let crc = crc32fast::hash(payload);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + FRAME].copy_from_slice(&crc.to_le_bytes());
}

/// A record as read back.
pub(crate) type ReadRecord = Record<Vec<(String, String)>>;

/// Why a journal's bytes cannot be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScanError {
    /// The file does not start with [`MAGIC`].
    #[error("it is not a journal of this emulator (no header)")]
    NotAJournal,
    /// A record's checksum holds but its payload is not a record.
    #[error("the record at byte {offset} is not readable: {source}")]
    Unreadable {
        offset: u64,
        source: serde_json::Error,
    },
    /// A record could not be applied.
    #[error("the record at byte {offset} does not apply: {reason}")]
    Refused { offset: u64, reason: String },
}

/// Hands each record of a journal's bytes to `each`, in order, up to the first one that is
/// cut short or whose checksum fails: a write torn by a crash, whose change was never
/// acknowledged. Returns the length of the whole records, the header included; what follows
/// is the torn tail. An empty file, or one cut inside its header, has no records.
pub(crate) fn scan(
    bytes: &[u8],
    mut each: impl FnMut(ReadRecord) -> Result<(), String>,
) -> Result<u64, ScanError> {
    if bytes.len() < MAGIC.len() {
        return if MAGIC.starts_with(bytes) {
            Ok(0)
        } else {
            Err(ScanError::NotAJournal)
        };
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(ScanError::NotAJournal);
    }
    let mut at = MAGIC.len();
    while let Some(frame) = bytes.get(at..at + FRAME) {
        let len = u32::from_le_bytes(frame[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(frame[4..].try_into().expect("4 bytes"));
        if len == 0 || len > MAX_PAYLOAD {
            break;
        }
        let Some(payload) = bytes.get(at + FRAME..at + FRAME + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let offset = at as u64;
        let record = serde_json::from_slice(payload)
            .map_err(|source| ScanError::Unreadable { offset, source })?;
        each(record).map_err(|reason| ScanError::Refused { offset, reason })?;
        at += FRAME + len;
    }
    Ok(at as u64)
}

/// The sequence number of a journal's first record, if it has a whole one: which of two
/// segments is the older.
pub(crate) fn first_sequence(bytes: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct Numbered {
        sequence: u64,
    }
    let at = MAGIC.len();
    if bytes.get(..at) != Some(&MAGIC[..]) {
        return None;
    }
    let frame = bytes.get(at..at + FRAME)?;
    let len = u32::from_le_bytes(frame[..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(frame[4..].try_into().expect("4 bytes"));
    let payload = bytes.get(at + FRAME..at + FRAME + len)?;
    if len == 0 || crc32fast::hash(payload) != crc {
        return None;
    }
    serde_json::from_slice::<Numbered>(payload)
        .ok()
        .map(|n| n.sequence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sequence: u64, query: &str) -> ReadRecord {
        Record {
            sequence,
            change: Change::CompleteTasks {
                query: query.to_owned(),
            },
        }
    }

    fn journal(records: &[ReadRecord]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        for r in records {
            encode(r, &mut bytes);
        }
        bytes
    }

    /// The sequence numbers read, and the valid length.
    fn read(bytes: &[u8]) -> (Vec<u64>, u64) {
        let mut sequences = Vec::new();
        let valid = scan(bytes, |r| {
            sequences.push(r.sequence);
            Ok(())
        })
        .unwrap();
        (sequences, valid)
    }

    #[test]
    fn records_read_back_in_order() {
        let bytes = journal(&[record(1, "a"), record(2, "TaskId=t-1")]);
        let mut queries = Vec::new();
        let valid = scan(&bytes, |r| {
            let Change::CompleteTasks { query } = r.change else {
                panic!("a CompleteTasks record");
            };
            queries.push((r.sequence, query));
            Ok(())
        })
        .unwrap();
        assert_eq!(queries, [(1, "a".to_owned()), (2, "TaskId=t-1".to_owned())]);
        assert_eq!(valid, bytes.len() as u64);
    }

    #[test]
    fn a_tail_cut_anywhere_is_dropped_and_the_rest_kept() {
        let whole = journal(&[record(1, "a"), record(2, "b")]);
        let first_end = journal(&[record(1, "a")]).len();
        for cut in MAGIC.len()..whole.len() {
            let (sequences, valid) = read(&whole[..cut]);
            let (expected, expected_valid): (&[u64], usize) = if cut >= first_end {
                (&[1], first_end)
            } else {
                (&[], MAGIC.len())
            };
            assert_eq!(sequences, expected, "cut at {cut}");
            assert_eq!(valid, expected_valid as u64, "cut at {cut}");
        }
        assert_eq!(read(&whole), (vec![1, 2], whole.len() as u64));
    }

    #[test]
    fn a_flipped_bit_ends_the_journal_there() {
        let mut bytes = journal(&[record(1, "a"), record(2, "b"), record(3, "c")]);
        let second = journal(&[record(1, "a")]).len();
        bytes[second + FRAME + 3] ^= 0x20;
        assert_eq!(read(&bytes), (vec![1], second as u64));
    }

    #[test]
    fn a_header_cut_short_is_an_empty_journal_and_a_foreign_file_is_refused() {
        assert_eq!(read(b""), (vec![], 0));
        assert_eq!(read(&MAGIC[..3]), (vec![], 0));
        for foreign in [&b"{\"world\""[..], b"XY"] {
            assert!(matches!(
                scan(foreign, |_| Ok(())),
                Err(ScanError::NotAJournal)
            ));
        }
    }

    #[test]
    fn the_first_sequence_is_read_from_the_first_whole_record() {
        let bytes = journal(&[record(7, "a"), record(8, "b")]);
        assert_eq!(first_sequence(&bytes), Some(7));
        assert_eq!(first_sequence(MAGIC), None);
        assert_eq!(first_sequence(&bytes[..MAGIC.len() + FRAME + 2]), None);
        let mut flipped = bytes.clone();
        flipped[MAGIC.len() + FRAME + 3] ^= 0x20;
        assert_eq!(first_sequence(&flipped), None);
        assert_eq!(first_sequence(b"{\"world\": 1}"), None);
    }

    #[test]
    fn a_refused_record_stops_the_scan_with_its_offset() {
        let bytes = journal(&[record(1, "a"), record(2, "b")]);
        let second = journal(&[record(1, "a")]).len() as u64;
        let refused = scan(&bytes, |r| {
            if r.sequence == 2 {
                Err("no".to_owned())
            } else {
                Ok(())
            }
        });
        assert!(matches!(refused, Err(ScanError::Refused { offset, .. }) if offset == second));
    }
}

//! The `--state` files under crashes and failing disks, driven through the binary with the
//! storage fault hook (`ECS_EMULATOR_DISK_FAULT`, see docs/persistence.md): a power cut before
//! every storage step, a full disk, a failing fsync, a failing directory fsync; and the lock,
//! symlinks, torn tails and a kill under load.

#[path = "common/process.rs"]
mod child;
mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use child::{BINARY, Process, Scratch, world_of};

const FAULT: &str = "ECS_EMULATOR_DISK_FAULT";

fn ids(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("m-dur-{n:02}")).collect()
}

/// A scratch directory with a world file of `images` and the arguments to start on it with
/// a state file.
struct Setup {
    scratch: Scratch,
    args: Vec<String>,
}

impl Setup {
    fn new(images: &[String]) -> Setup {
        let scratch = Scratch::new();
        std::fs::write(scratch.0.join("world.json"), world_of(images)).unwrap();
        let args = vec![
            "--world".to_owned(),
            scratch.path("world.json"),
            "--state".to_owned(),
            scratch.path("state.json"),
        ];
        Setup { scratch, args }
    }

    fn args(&self) -> Vec<&str> {
        self.args.iter().map(String::as_str).collect()
    }

    fn start(&self) -> Process {
        Process::start(&self.args(), &[])
    }

    fn start_with_fault(&self, fault: &str) -> Result<Process, Vec<String>> {
        Process::try_start(&self.args(), &[(FAULT, fault)])
    }

    /// Asserts that only the world, the snapshot and the journal's two segments are in the
    /// directory.
    #[track_caller]
    fn assert_no_stray_files(&self) {
        let names = self.scratch.names();
        for name in &names {
            assert!(
                [
                    "world.json",
                    "state.json",
                    "state.json.journal",
                    "state.json.journal.b"
                ]
                .contains(&name.as_str()),
                "stray file {name} in {names:?}"
            );
        }
    }
}

/// One step of the crash workload.
#[derive(Debug, Clone)]
enum Op {
    Delete(String),
    Reset,
}

/// The images there should be after `done` acknowledged operations on `start`.
fn model(start: &[String], done: &[Op]) -> BTreeSet<String> {
    let mut images: BTreeSet<String> = start.iter().cloned().collect();
    for op in done {
        match op {
            Op::Delete(id) => {
                images.remove(id);
            }
            Op::Reset => images = start.iter().cloned().collect(),
        }
    }
    images
}

/// Runs `ops` until one gets no answer; returns how many were acknowledged.
async fn run_ops(process: &Process, ops: &[Op]) -> usize {
    for (done, op) in ops.iter().enumerate() {
        let answer = match op {
            Op::Delete(id) => process.try_delete(id).await,
            Op::Reset => process.try_admin("POST", "/_emulator/reset").await,
        };
        let Some(answer) = answer else {
            return done;
        };
        assert_eq!(answer.status, 200, "{op:?}: {}", answer.body);
        if let Op::Delete(_) = op {
            assert_eq!(
                answer.header("x-emulator-outcome"),
                Some("Deleted"),
                "{op:?}"
            );
        }
    }
    ops.len()
}

/// A power cut before every storage step, one per run: start-up's first snapshot, journal
/// appends, compactions (the journal outgrows this small world every few changes) and a
/// reset's snapshot. After each, a restart must hold every acknowledged change, nothing that
/// was refused, at most the one change in flight, and no stray file. The simulated cut drops
/// what was not fsynced (keeping half of it, a torn write) and undoes directory changes not
/// fsynced, so a missing fsync, an early rename or an in-place write fails here.
#[tokio::test]
async fn a_power_cut_before_any_storage_step_loses_nothing_acknowledged() {
    let images = ids(1..=10);
    let mut ops: Vec<Op> = images[..6].iter().cloned().map(Op::Delete).collect();
    ops.push(Op::Reset);
    ops.extend(images[2..9].iter().cloned().map(Op::Delete));
    let mut cut = 0;
    loop {
        cut += 1;
        assert!(cut < 500, "the workload never finished");
        let setup = Setup::new(&images);
        let (done, finished) = match setup.start_with_fault(&format!("crash@{cut}")) {
            Err(_) => (0, false),
            Ok(mut process) => {
                let done = run_ops(&process, &ops).await;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                let alive = process.child.try_wait().unwrap().is_none();
                (done, done == ops.len() && alive)
            }
        };
        if finished {
            break;
        }
        let restarted = setup.start();
        let found: BTreeSet<String> = restarted.images().await.into_iter().collect();
        let before = model(&images, &ops[..done]);
        let after = model(&images, &ops[..(done + 1).min(ops.len())]);
        assert!(
            found == before || found == after,
            "power cut before step {cut}, after {done} acknowledged operations: found {found:?}, \
             expected {before:?} (or {after:?} with the one in flight)"
        );
        drop(restarted);
        setup.assert_no_stray_files();
    }
    // Start-up, 13 changes, a reset and several compactions: many more steps than this.
    assert!(cut > 40, "only {cut} storage steps were cut");
}

/// Starts on a fresh state with `fault`, deletes `m-dur-01` (the first change: journal write
/// and fsync #3, after the two segments' headers, #1 and #2) and expects 500 `InternalError`.
async fn first_change_fails(setup: &Setup, fault: &str) -> Process {
    let process = setup.start_with_fault(fault).expect("the emulator starts");
    let answer = process.try_delete("m-dur-01").await.expect("an answer");
    common::Answer::assert_error(
        &answer,
        500,
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.",
    );
    assert!(
        process.has_image("m-dur-01").await,
        "a failed change is not kept in memory"
    );
    process
}

#[tokio::test]
async fn a_full_disk_during_an_append_changes_nothing_in_memory_or_on_disk() {
    let setup = Setup::new(&ids(1..=3));
    // Half of the record is written, then the disk is full.
    let process = first_change_fails(&setup, "nospace@journal-write#3").await;
    // The torn half was cut away: the next change is readable after it.
    assert_eq!(
        process
            .delete("m-dur-02")
            .await
            .header("x-emulator-outcome"),
        Some("Deleted")
    );
    drop(process); // SIGKILL
    let restarted = setup.start();
    assert_eq!(restarted.images().await, ["m-dur-01", "m-dur-03"]);
    drop(restarted);
    setup.assert_no_stray_files();
}

#[tokio::test]
async fn a_failed_fsync_changes_nothing_in_memory_or_on_disk() {
    let setup = Setup::new(&ids(1..=3));
    let process = first_change_fails(&setup, "io@journal-sync#3").await;
    // The record reached the file before the fsync failed; it must not come back on restart.
    drop(process);
    let restarted = setup.start();
    assert_eq!(restarted.images().await, ids(1..=3));
    // And the state goes on from there.
    assert_eq!(
        restarted
            .delete("m-dur-01")
            .await
            .header("x-emulator-outcome"),
        Some("Deleted")
    );
    drop(restarted);
    let again = setup.start();
    assert_eq!(again.images().await, ids(2..=3));
}

#[tokio::test]
async fn a_disk_that_stays_full_refuses_every_change_and_keeps_the_acknowledged_ones() {
    let setup = Setup::new(&ids(1..=4));
    let process = setup
        .start_with_fault("nospace@journal-write#4+")
        .expect("the emulator starts");
    process.delete("m-dur-01").await.assert_ok();
    for image in ["m-dur-02", "m-dur-03"] {
        let answer = process.delete(image).await;
        assert_eq!(answer.status, 500, "{}", answer.body);
    }
    assert_eq!(process.images().await, ids(2..=4));
    drop(process);
    let restarted = setup.start();
    assert_eq!(restarted.images().await, ids(2..=4));
}

/// Reset writes a snapshot; a failure at its write, its fsync, the rename or the directory
/// fsync answers 500 and leaves the world, in memory and after a restart, as it was.
#[tokio::test]
async fn a_reset_whose_snapshot_fails_changes_nothing() {
    // Step #1 of each kind is the first snapshot, at start-up.
    for fault in [
        "nospace@snapshot-write#2",
        "io@snapshot-sync#2",
        "io@snapshot-rename#2",
        "io@dir-sync#2",
    ] {
        let setup = Setup::new(&ids(1..=3));
        let process = setup.start_with_fault(fault).expect("the emulator starts");
        process.delete("m-dur-01").await.assert_ok();
        let reset = process
            .try_admin("POST", "/_emulator/reset")
            .await
            .expect("an answer");
        assert_eq!(reset.status, 500, "{fault}: {}", reset.body);
        assert_eq!(process.images().await, ids(2..=3), "{fault}: in memory");
        drop(process);
        let restarted = setup.start();
        assert_eq!(restarted.images().await, ids(2..=3), "{fault}: on disk");
        drop(restarted);
        setup.assert_no_stray_files();
    }
}

/// A compaction writes its snapshot without the world's lock: while the fsync of its snapshot
/// stalls (`stall@snapshot-sync#2`: #1 is the first snapshot, at start), deletions and reads
/// are answered, and the new snapshot is still not in place once they are. (When the
/// compaction ran under the world's lock, or in the request that filled the journal, each of
/// them waited for the stall to end, and the temporary snapshot was gone by then.) Then a kill
/// in the middle of that compaction loses nothing: the restart reads the old snapshot and both
/// segments.
#[tokio::test]
async fn a_compaction_holds_up_no_request() {
    let images = ids(1..=80);
    let setup = Setup::new(&images);
    let process = setup
        .start_with_fault("stall@snapshot-sync#2")
        .expect("the emulator starts");
    let temporary = setup.scratch.0.join(".state.json.tmp");
    let mut deleted = 0;
    while !temporary.exists() {
        assert!(deleted < 70, "no compaction after {deleted} deletions");
        process.delete(&images[deleted]).await.assert_ok();
        deleted += 1;
    }
    // The compaction is writing or fsyncing its snapshot (it stalls at the fsync).
    for image in &images[deleted..deleted + 4] {
        let answer = process.delete(image).await;
        assert_eq!(answer.header("x-emulator-outcome"), Some("Deleted"));
    }
    deleted += 4;
    assert_eq!(process.images().await, images[deleted..]);
    assert!(
        temporary.exists(),
        "the requests were answered only after the compaction"
    );
    drop(process); // SIGKILL, the compaction stalled
    let restarted = setup.start();
    assert_eq!(restarted.images().await, images[deleted..]);
    drop(restarted);
    setup.assert_no_stray_files();
}

#[tokio::test]
async fn a_second_process_on_the_same_state_refuses_to_start() {
    let setup = Setup::new(&ids(1..=2));
    let first = setup.start();
    let link = setup.scratch.path("link.json");
    std::os::unix::fs::symlink(setup.scratch.path("state.json"), &link).unwrap();
    for state in [setup.scratch.path("state.json"), link] {
        let output = Command::new(BINARY)
            .args(["--listen", "127.0.0.1:0", "--state", &state])
            .output()
            .unwrap();
        assert!(
            !output.status.success(),
            "a second emulator on {state} started"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is in use by another process"),
            "{state}: {stderr}"
        );
    }
    // The first is unharmed.
    first.delete("m-dur-01").await.assert_ok();
}

#[tokio::test]
async fn a_symlinked_state_path_is_followed_not_replaced() {
    let setup = Setup::new(&ids(1..=8));
    let real = Scratch::new();
    let target = real.0.join("state.json");
    let link = setup.scratch.path("state.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let process = setup.start();
    // Enough changes for a compaction, and a reset: both replace the snapshot.
    for image in ids(1..=6) {
        process.delete(&image).await.assert_ok();
    }
    process
        .try_admin("POST", "/_emulator/reset")
        .await
        .unwrap()
        .assert_ok();
    process.delete("m-dur-07").await.assert_ok();
    drop(process);
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        real.names(),
        ["state.json", "state.json.journal", "state.json.journal.b"]
    );
    let restarted = setup.start();
    let mut expected = ids(1..=8);
    expected.retain(|i| i != "m-dur-07");
    assert_eq!(restarted.images().await, expected);
}

#[tokio::test]
async fn a_torn_tail_is_dropped_at_start_and_a_corrupt_state_is_refused() {
    let setup = Setup::new(&ids(1..=3));
    let process = setup.start();
    process.delete("m-dur-01").await.assert_ok();
    drop(process);
    let journal = setup.scratch.0.join("state.json.journal");
    let whole = std::fs::read(&journal).unwrap();
    // Half a record after the last one: a write the crash tore.
    let mut torn = whole.clone();
    torn.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3, 4, b'{']);
    std::fs::write(&journal, &torn).unwrap();
    let restarted = setup.start();
    assert_eq!(restarted.images().await, ids(2..=3));
    restarted.delete("m-dur-02").await.assert_ok();
    drop(restarted);
    let again = setup.start();
    assert_eq!(again.images().await, ids(3..=3));
    drop(again);
    // A journal whose snapshot is gone is refused, not started empty.
    std::fs::remove_file(setup.scratch.0.join("state.json")).unwrap();
    let refused = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0"])
        .args(setup.args())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("its snapshot is missing"), "{stderr}");
}

/// Four clients delete as fast as they can while the process is killed: every deletion that
/// was answered is gone after the restart, and the start-up succeeds (no torn snapshot).
///
/// The kill comes once the clients have had [`ACKNOWLEDGED_BEFORE_KILL`] deletions answered,
/// not after a fixed time: on a loaded machine a debug emulator's start and first fsyncs can
/// take longer than any fixed sleep, and the test then killed a process that had answered
/// nothing (it failed on "nothing was deleted before the kill"), while on a quiet one a long
/// sleep would let the clients finish first. Waiting for a count of answers kills it mid-load
/// on both. And the restart waits until the killed process is reaped: `kill` only sends the
/// signal, and until the process is gone it holds the journal's lock, so a restart that came
/// first was refused as "in use by another process" (the second cause of its flakiness).
#[tokio::test]
async fn a_kill_under_load_loses_nothing_acknowledged() {
    const ACKNOWLEDGED_BEFORE_KILL: usize = 12;
    let images = ids(1..=99);
    let setup = Setup::new(&images);
    let process = Arc::new(setup.start());
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (process, stop, answered) = (process.clone(), stop.clone(), answered.clone());
        let mine: Vec<String> = images.iter().skip(c).step_by(4).cloned().collect();
        clients.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for image in mine {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match process.try_delete(&image).await {
                    Some(answer) if answer.status == 200 => {
                        acknowledged.push(image);
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => break,
                }
            }
            acknowledged
        }));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while answered.load(Ordering::SeqCst) < ACKNOWLEDGED_BEFORE_KILL {
        assert!(
            std::time::Instant::now() < deadline,
            "fewer than {ACKNOWLEDGED_BEFORE_KILL} deletions answered in 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    process.signal("KILL");
    stop.store(true, Ordering::SeqCst);
    let mut acknowledged = Vec::new();
    for client in clients {
        acknowledged.extend(client.await.unwrap());
    }
    // Reaps it (the drop waits for the exit), so that its lock is released.
    drop(Arc::into_inner(process).expect("the clients are done"));
    assert!(
        acknowledged.len() < images.len(),
        "the clients finished before the kill: it did not come under load"
    );
    let restarted = setup.start();
    let found = restarted.images().await;
    for image in &acknowledged {
        assert!(!found.contains(image), "{image} was acknowledged deleted");
    }
}

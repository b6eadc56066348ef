//! The binary's connections as a stalled or careless client meets them: the header-read,
//! body-read and idle timeouts, the connection bound, a stop signal with a client that never
//! finishes, a closed stdout, and what the start says on a non-loopback address. Each setting
//! comes from its environment variable, as an operator would set it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_ecs-image-emulator");

/// A running emulator whose stderr lines are collected, killed when dropped.
struct Emulator {
    child: Child,
    port: u16,
    stdout: Option<BufReader<std::process::ChildStdout>>,
    banner: Vec<String>,
    stderr: mpsc::Receiver<String>,
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Emulator {
    /// Starts on `listen` (`127.0.0.1:<free port>` when `None`) with these environment
    /// variables and reads the banner.
    fn start(listen: Option<&str>, env: &[(&str, &str)]) -> Emulator {
        let (mut child, port) = Emulator::spawn(listen, env, Stdio::piped());
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = Vec::new();
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("the emulator exited before its banner ended; printed {banner:?}");
            }
            let done = line.starts_with("  try: ");
            banner.push(line.trim_end().to_owned());
            if done {
                break;
            }
        }
        let stderr = Emulator::collect(&mut child);
        Emulator {
            child,
            port,
            stdout: Some(stdout),
            banner,
            stderr,
        }
    }

    fn spawn(listen: Option<&str>, env: &[(&str, &str)], stdout: Stdio) -> (Child, u16) {
        let listen = listen.map_or_else(|| format!("127.0.0.1:{}", free_port()), str::to_owned);
        let port = listen.rsplit(':').next().unwrap().parse().unwrap();
        let mut command = Command::new(BINARY);
        command
            .args(["--listen", &listen])
            .stdout(stdout)
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        (command.spawn().unwrap(), port)
    }

    fn collect(child: &mut Child) -> mpsc::Receiver<String> {
        let (lines, received) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        received
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }

    /// The first stderr line that contains `needle`, waiting at most 5 s for it.
    fn stderr_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no stderr line with {needle:?}");
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits at most `limit` for the exit; returns its success.
    fn wait_exit(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the emulator did not exit within {limit:?}");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until the server closes; returns what it sent, or panics if it kept the connection
/// open for 10 s.
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Err(e) => panic!("the server kept the connection open: {e}"),
    }
}

#[test]
fn a_half_sent_request_head_is_closed_and_logged() {
    let emulator = Emulator::start(None, &[("ECS_EMULATOR_HEADER_READ_TIMEOUT", "300ms")]);
    let started = Instant::now();
    let mut stream = emulator.connect();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    read_until_closed(&mut stream);
    assert!(started.elapsed() < Duration::from_secs(5));
    let line = emulator.stderr_line("--header-read-timeout");
    assert!(
        line.contains("no complete request head within 300ms"),
        "{line}"
    );
}

#[test]
fn a_stalled_body_is_408_request_timeout() {
    let emulator = Emulator::start(None, &[("ECS_EMULATOR_BODY_READ_TIMEOUT", "300ms")]);
    let mut stream = emulator.connect();
    stream
        .write_all(
            b"POST /?Action=DescribeImages&Version=2014-05-26 HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
              RegionId=cn",
        )
        .unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("\"Code\":\"RequestTimeout\""), "{answer}");
    assert!(
        answer.contains("\"Message\":\"The request body did not arrive within 300ms.\""),
        "{answer}"
    );
    emulator.stderr_line("--body-read-timeout");
}

#[test]
fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let emulator = Emulator::start(
        None,
        &[
            ("ECS_EMULATOR_IDLE_TIMEOUT", "300ms"),
            ("ECS_EMULATOR_HEADER_READ_TIMEOUT", "1m"),
        ],
    );
    let started = Instant::now();
    let mut stream = emulator.connect();
    read_until_closed(&mut stream);
    assert!(started.elapsed() < Duration::from_secs(5));
    emulator.stderr_line("no byte moved for 300ms (--idle-timeout)");
}

#[test]
fn connections_past_the_bound_are_closed_and_logged() {
    let emulator = Emulator::start(None, &[("ECS_EMULATOR_MAX_CONNECTIONS", "3")]);
    let held: Vec<TcpStream> = (0..3).map(|_| emulator.connect()).collect();
    // Let the server accept those three first.
    std::thread::sleep(Duration::from_millis(300));
    let mut extra = emulator.connect();
    let started = Instant::now();
    let answer = read_until_closed(&mut extra);
    assert_eq!(answer, "", "closed without an answer");
    assert!(started.elapsed() < Duration::from_secs(5));
    let line = emulator.stderr_line("--max-connections");
    assert!(line.contains("3 connections are open"), "{line}");
    // Once they go, a client is served again.
    for stream in held {
        stream.shutdown(Shutdown::Both).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut stream = emulator.connect();
    stream
        .write_all(
            b"GET /_emulator/profile HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits_despite_a_stalled_client() {
    let mut emulator = Emulator::start(
        None,
        &[
            ("ECS_EMULATOR_HEADER_READ_TIMEOUT", "1m"),
            ("ECS_EMULATOR_IDLE_TIMEOUT", "1m"),
            ("ECS_EMULATOR_SHUTDOWN_GRACE", "1500ms"),
        ],
    );
    // One client stalls halfway through its request head, for good.
    let mut stalled = emulator.connect();
    stalled.write_all(b"POST / HTTP/1.1\r\nHost: 1").unwrap();
    // Another is in the middle of its body when the signal comes.
    let mut in_flight = emulator.connect();
    let body = b"RegionId=cn-hangzhou";
    let head = format!(
        "POST /?Action=DescribeImages&Version=2014-05-26 HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).unwrap();
    in_flight.write_all(&body[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    emulator.signal("TERM");
    std::thread::sleep(Duration::from_millis(200));
    in_flight.write_all(&body[5..]).unwrap();
    let answer = read_until_closed(&mut in_flight);
    // Answered (unsigned: MissingAccessKeyId), not cut off.
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("MissingAccessKeyId"), "{answer}");
    assert!(emulator.wait_exit(Duration::from_secs(8)), "exit status");
    assert!(signalled.elapsed() < Duration::from_secs(5));
    read_until_closed(&mut stalled);
    emulator.stderr_line("--shutdown-grace");
    let mut rest = String::new();
    emulator
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut rest)
        .unwrap();
    assert!(rest.contains("ecs-image-emulator: stopped"), "{rest:?}");
}

#[test]
fn a_closed_stdout_at_start_or_at_stop_stops_nothing() {
    // `| head`: stdout is closed before the banner is written...
    let (mut child, port) = Emulator::spawn(None, &[], Stdio::piped());
    drop(child.stdout.take());
    let mut connected = false;
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            connected = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = Emulator::collect(&mut child);
    let mut emulator = Emulator {
        child,
        port,
        stdout: None,
        banner: Vec::new(),
        stderr,
    };
    assert!(connected, "the emulator serves with its stdout closed");
    emulator.signal("TERM");
    assert!(emulator.wait_exit(Duration::from_secs(8)), "exit status");

    // ...or after it, before "stopped".
    let mut emulator = Emulator::start(None, &[]);
    drop(emulator.stdout.take());
    emulator.signal("TERM");
    assert!(emulator.wait_exit(Duration::from_secs(8)), "exit status");
}

#[test]
fn a_bad_world_file_is_called_a_world_file() {
    let dir = std::env::temp_dir().join(format!("ecs-serving-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let invalid = dir.join("invalid.json");
    std::fs::write(&invalid, "{\"accounts\": 3}").unwrap();
    let missing = dir.join("missing.json");
    for (file, says) in [(&invalid, "is not a valid world"), (&missing, "")] {
        let output = Command::new(BINARY)
            .args(["--listen", "127.0.0.1:0", "--world", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = format!("ecs-image-emulator: world file {}", file.display());
        assert!(stderr.starts_with(&expected), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("state file"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_loopback_address_is_warned_about_and_never_suggested() {
    let port = free_port();
    let emulator = Emulator::start(Some(&format!("0.0.0.0:{port}")), &[]);
    let banner = emulator.banner.join("\n");
    assert!(
        banner.starts_with(&format!(
            "ecs-image-emulator: listening on http://127.0.0.1:{port}\n  bound to 0.0.0.0:{port}"
        )),
        "{banner}"
    );
    let try_line = emulator.banner.last().unwrap();
    assert!(
        try_line.contains(&format!("endpoint='127.0.0.1:{port}'")),
        "{try_line}"
    );
    // Neither the demo secrets nor any other appear: a banner ends up in logs.
    assert!(!banner.contains("DemoAliceSecret"), "{banner}");
    assert!(!banner.contains("DemoBobSecret"), "{banner}");
    assert!(banner.contains("AccessKeySecret (not shown on a non-loopback address)"));
    let warning = emulator.stderr_line("WARNING: listening on 0.0.0.0");
    assert!(warning.contains("not a loopback address"), "{warning}");
    emulator.stderr_line("WARNING: the admin API is off");
    // And it is.
    let mut stream = emulator.connect();
    stream
        .write_all(b"GET /_emulator/world HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 403 "), "{answer}");
    assert!(!answer.contains("Secret"), "{answer}");
}

#[test]
fn the_admin_token_comes_from_the_environment() {
    let port = free_port();
    let emulator = Emulator::start(
        Some(&format!("0.0.0.0:{port}")),
        &[("ECS_EMULATOR_ADMIN_TOKEN", "tok-123")],
    );
    emulator.stderr_line("the admin API is open to any client with the admin token");
    let get = |token: &str| {
        let mut stream = emulator.connect();
        let request = format!(
            "GET /_emulator/profile HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).unwrap();
        read_until_closed(&mut stream)
    };
    assert!(get("nope").starts_with("HTTP/1.1 403 "));
    assert!(get("tok-123").starts_with("HTTP/1.1 200 "));
}

//! The emulator binary as a child process, for the tests of the process and of its state files.
//! Included with `#[path]` beside `mod common;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::common::{ALICE_KEY, Answer, acs3_headers, client, query, send};

pub const BINARY: &str = env!("CARGO_BIN_EXE_ecs-image-emulator");

/// A scratch directory of this test, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ecs-emulator-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A path in the directory, as a string.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }

    /// The names in the directory, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running emulator process, killed (SIGKILL) when dropped.
pub struct Process {
    pub child: Child,
    pub address: String,
    pub banner: Vec<String>,
    rest: BufReader<std::process::ChildStdout>,
}

impl Process {
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Process {
        Process::try_start(args, env).unwrap_or_else(|printed| {
            panic!("the emulator exited before listening; printed {printed:?}")
        })
    }

    /// Starts the binary and reads its banner; `Err` with what it printed if it exits first.
    pub fn try_start(args: &[&str], env: &[(&str, &str)]) -> Result<Process, Vec<String>> {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        if !env.iter().any(|(k, _)| *k == "ECS_EMULATOR_LISTEN") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        let mut child = command.spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = Vec::new();
        let mut address = None;
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                let _ = child.wait();
                return Err(banner);
            }
            let line = line.trim_end().to_owned();
            if let Some(a) = line.strip_prefix("ecs-image-emulator: listening on http://") {
                address = Some(a.to_owned());
            }
            let done = line.starts_with("  try: ");
            banner.push(line);
            if done {
                break;
            }
        }
        Ok(Process {
            child,
            address: address.expect("a listening line"),
            banner,
            rest: stdout,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// A signed DeleteImage of Alice's in cn-hangzhou.
    pub async fn delete(&self, image: &str) -> Answer {
        self.try_delete(image).await.expect("the emulator answers")
    }

    /// A signed DeleteImage, `None` if the process answered nothing (it died).
    pub async fn try_delete(&self, image: &str) -> Option<Answer> {
        let params = [("RegionId", "cn-hangzhou"), ("ImageId", image)];
        let headers = acs3_headers(
            "POST",
            &self.address,
            &params,
            b"",
            "DeleteImage",
            ALICE_KEY,
        );
        try_send(
            "POST",
            &self.url(&format!("/?{}", query(&params))),
            &headers,
        )
        .await
    }

    /// An admin call, `None` if the process answered nothing.
    pub async fn try_admin(&self, method: &str, path: &str) -> Option<Answer> {
        try_send(method, &self.url(path), &[]).await
    }

    /// A signed call of Alice's that must succeed: its JSON body.
    pub async fn alice(&self, action: &str, params: &[(&str, &str)]) -> serde_json::Value {
        let headers = acs3_headers("POST", &self.address, params, b"", action, ALICE_KEY);
        send(
            "POST",
            &self.url(&format!("/?{}", query(params))),
            &headers,
            Vec::new(),
        )
        .await
        .assert_ok()
    }

    /// The world (admin `GET /_emulator/world`).
    pub async fn world(&self) -> serde_json::Value {
        send("GET", &self.url("/_emulator/world"), &[], Vec::new())
            .await
            .json()
    }

    /// The ids of the images of the world, sorted.
    pub async fn images(&self) -> Vec<String> {
        let world = self.world().await;
        let mut ids: Vec<String> = world["store"]["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    }

    pub async fn has_image(&self, image: &str) -> bool {
        self.images().await.iter().any(|i| i == image)
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit (at most 10 s) and returns whether it exited 0, and what
    /// it printed after the banner.
    pub fn wait(mut self) -> (bool, String) {
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut rest = String::new();
                let _ = std::io::Read::read_to_string(&mut self.rest, &mut rest);
                return (status.success(), rest);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the emulator did not exit");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a request; `None` if no answer came (the connection failed or was cut).
pub async fn try_send(method: &str, url: &str, headers: &[(String, String)]) -> Option<Answer> {
    let mut request = client().request(method.parse().unwrap(), url);
    for (k, v) in headers {
        request = request.header(k.as_str(), v.as_str());
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.ok()?;
    Some(Answer {
        status,
        headers,
        body,
    })
}

/// A world file: Alice (the demo key) owning the private images `ids` in cn-hangzhou.
pub fn world_of(ids: &[String]) -> String {
    let images: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id": "{id}", "owner": "alice", "region": "cn-hangzhou", "kind": "custom", "status": "Available"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"accounts": [{{"id": "alice", "accessKeys": [{{"id": "LTAI5tDemoAlice000000001",
            "secret": "DemoAliceSecret0000000000000001"}}]}}],
           "store": {{"regions": ["cn-hangzhou"], "images": [{}]}}}}"#,
        images.join(",")
    )
}

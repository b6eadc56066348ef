//! The admin API under `/_emulator/`: read and replace the world and the profile, finish
//! running tasks, read and clear the request log, set fault rules, reset. JSON only, no signature [I: it is for the test harness on the same
//! machine]; errors use the same five-field body as the actions.

use axum::http::Method;
use ecs_image_rules::wire::host_id;
use ecs_image_rules::{ImageId, InstanceId, Profile, RequestId, SnapshotId, TaskId, World};
use serde::Serialize;

use crate::emulator::Emulator;
use crate::error::GatewayError;
use crate::faults::FaultSpec;
use crate::progress::query;
use crate::protocol::{Format, Reply, param};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Done {
    request_id: RequestId,
}

/// Answers one admin request. Blocking (a change is persisted before it is acknowledged).
pub(crate) fn handle(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    raw_query: &str,
    body: &[u8],
    request_id: RequestId,
) -> Reply {
    match route(emulator, method, path, raw_query, body, &request_id) {
        Ok(reply) => reply,
        Err(e) => Reply::error(Format::Json, &e, request_id, host_id(None)),
    }
}

fn route(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    raw_query: &str,
    body: &[u8],
    request_id: &RequestId,
) -> Result<Reply, GatewayError> {
    let done = || {
        Reply::admin(
            200,
            &Done {
                request_id: request_id.clone(),
            },
            request_id.clone(),
        )
    };
    let path = path.trim_end_matches('/');
    match (path, method) {
        ("/_emulator/world", &Method::GET) => {
            // Streamed from a file: at 1M images the world is ~170 MB of JSON.
            let file = emulator.world_file().map_err(|e| {
                eprintln!("ecs-image-emulator: GET /_emulator/world: {e}");
                GatewayError::Internal
            })?;
            Ok(Reply::admin_file(file, request_id.clone()))
        }
        ("/_emulator/world", &Method::PUT) => {
            let world: World = serde_json::from_slice(body)
                .map_err(|e| GatewayError::InvalidWorld(e.to_string()))?;
            emulator.replace_world(world)?;
            Ok(done())
        }
        ("/_emulator/world", _) => Err(GatewayError::AdminMethodNotAllowed("GET, PUT")),
        ("/_emulator/profile", &Method::GET) => {
            Ok(Reply::admin(200, &emulator.profile(), request_id.clone()))
        }
        ("/_emulator/profile", &Method::PUT) => {
            let profile: Profile = serde_json::from_slice(body)
                .map_err(|_| GatewayError::InvalidAdminParameter("profile"))?;
            emulator.set_profile(profile);
            Ok(done())
        }
        ("/_emulator/profile", _) => Err(GatewayError::AdminMethodNotAllowed("GET, PUT")),
        ("/_emulator/clock", &Method::GET) => {
            let (clock, store) = emulator.clock();
            let body = serde_json::json!({
                "RequestId": request_id,
                "Clock": clock.to_string(),
                "StoreClock": store.to_string(),
            });
            Ok(Reply::admin(200, &body, request_id.clone()))
        }
        ("/_emulator/clock", &Method::PUT) => {
            let clock = json_field(body, "Clock")?
                .parse()
                .map_err(|_| GatewayError::InvalidAdminParameter("Clock"))?;
            emulator.set_clock(clock);
            Ok(done())
        }
        ("/_emulator/clock", _) => Err(GatewayError::AdminMethodNotAllowed("GET, PUT")),
        ("/_emulator/clock/advance", &Method::POST) => {
            let params = query(raw_query);
            let seconds: f64 = param(&params, "Seconds")
                .and_then(|s| s.parse().ok())
                .filter(|s: &f64| (0.0..=31_536_000.0).contains(s))
                .ok_or(GatewayError::InvalidAdminParameter("Seconds"))?;
            let by = std::time::Duration::from_millis((seconds * 1000.0).round() as u64);
            emulator
                .advance_clock(by)
                .map_err(|_| GatewayError::InvalidAdminParameter("Clock"))?;
            Ok(done())
        }
        ("/_emulator/clock/advance", _) => Err(GatewayError::AdminMethodNotAllowed("POST")),
        ("/_emulator/progress", &Method::GET) => {
            let body = serde_json::json!({
                "RequestId": request_id,
                "Progress": emulator.progress().to_string(),
            });
            Ok(Reply::admin(200, &body, request_id.clone()))
        }
        ("/_emulator/progress", &Method::PUT) => {
            let policy = json_field(body, "Progress")?
                .parse()
                .map_err(|_| GatewayError::InvalidAdminParameter("Progress"))?;
            emulator.set_progress(policy);
            Ok(done())
        }
        ("/_emulator/progress", _) => Err(GatewayError::AdminMethodNotAllowed("GET, PUT")),
        ("/_emulator/reset", &Method::POST) => {
            emulator.reset()?;
            // A reset starts a test afresh: no calls seen, no faults in force.
            emulator.log().clear();
            emulator.faults().clear();
            Ok(done())
        }
        ("/_emulator/reset", _) => Err(GatewayError::AdminMethodNotAllowed("POST")),
        ("/_emulator/tasks/complete", &Method::POST) => {
            let completed = emulator.complete_tasks(raw_query)?;
            let body = CompletedBody {
                request_id: request_id.clone(),
                completed_task_ids: completed.tasks,
                finished_image_ids: completed.images,
                settled_instance_ids: completed.instances,
                finished_snapshot_ids: completed.snapshots,
            };
            Ok(Reply::admin(200, &body, request_id.clone()))
        }
        ("/_emulator/tasks/complete", _) => Err(GatewayError::AdminMethodNotAllowed("POST")),
        ("/_emulator/requests", &Method::GET) => {
            let params = query(raw_query);
            let get = |name: &str| param(&params, name).filter(|v| !v.is_empty());
            let listing = emulator.log().list(get("Action"), get("Caller"));
            Ok(Reply::admin(200, &listing, request_id.clone()))
        }
        ("/_emulator/requests", &Method::DELETE) => {
            emulator.log().clear();
            Ok(done())
        }
        ("/_emulator/requests", _) => Err(GatewayError::AdminMethodNotAllowed("GET, DELETE")),
        ("/_emulator/faults", &Method::GET) => {
            let faults = emulator.faults();
            let body = serde_json::json!({ "RequestId": request_id, "Faults": faults.list() });
            Ok(Reply::admin(200, &body, request_id.clone()))
        }
        ("/_emulator/faults", &Method::POST) => {
            let spec: FaultSpec = serde_json::from_slice(body)
                .map_err(|_| GatewayError::InvalidAdminParameter("fault rule"))?;
            let id = emulator.faults().add(spec)?;
            let body = serde_json::json!({ "RequestId": request_id, "Id": id });
            Ok(Reply::admin(200, &body, request_id.clone()))
        }
        ("/_emulator/faults", &Method::DELETE) => {
            emulator.faults().clear();
            Ok(done())
        }
        ("/_emulator/faults", _) => Err(GatewayError::AdminMethodNotAllowed("GET, POST, DELETE")),
        (path, method) if path.starts_with("/_emulator/faults/") => {
            if method != Method::DELETE {
                return Err(GatewayError::AdminMethodNotAllowed("DELETE"));
            }
            let id: u64 = path["/_emulator/faults/".len()..]
                .parse()
                .map_err(|_| GatewayError::AdminPathNotFound)?;
            if emulator.faults().remove(id) {
                Ok(done())
            } else {
                Err(GatewayError::AdminPathNotFound)
            }
        }
        _ => Err(GatewayError::AdminPathNotFound),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CompletedBody {
    request_id: RequestId,
    completed_task_ids: Vec<TaskId>,
    finished_image_ids: Vec<ImageId>,
    settled_instance_ids: Vec<InstanceId>,
    finished_snapshot_ids: Vec<SnapshotId>,
}

/// A string field of a JSON object body, e.g. `{"Clock": "wall"}`.
fn json_field(body: &[u8], name: &'static str) -> Result<String, GatewayError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| GatewayError::InvalidAdminParameter(name))?;
    value[name]
        .as_str()
        .map(str::to_owned)
        .ok_or(GatewayError::InvalidAdminParameter(name))
}

//! A narrated walk through a small world: each blocker, Force, DryRun, an ignored request and
//! InvalidImageId.NotFound, with the exact wire JSON of every answer.
//!
//! Run with `cargo run --example quickstart`.

use ecs_image_rules::wire;
use ecs_image_rules::{
    AccountId, FixtureError, ImageSpec, ImageStore, Outcome, Profile, RequestIdSequence,
};

const REGION: &str = "cn-hangzhou";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut store = world()?;
    let alice = AccountId::new("alice")?;
    let bob = AccountId::new("bob")?;
    let mut ids = RequestIdSequence::new(0x5EED_0001);
    let profile = Profile::default();

    println!("A small world in {REGION}: Alice owns one image per blocker, Bob can see some.");
    println!("Every call is DeleteImage; the lines after each show the HTTP status and body.\n");

    let mut call = |who: &AccountId, note: &str, params: &[(&str, &str)]| {
        println!("## {note}");
        let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("   caller {who}: {}", shown.join("&"));
        let request_id = ids.next().expect("the sequence does not run out here");
        let (response, outcome) = wire::delete_image(
            &mut store,
            who,
            params.iter().copied(),
            &profile,
            request_id,
        );
        let json = serde_json::to_string(&response.body).expect("bodies serialize");
        println!("   HTTP {}  {json}", response.http_status);
        if let Some(Outcome::Deleted(d)) = outcome {
            println!(
                "   deleted {}; instances that can no longer re-initialize their system disk: {:?}; snapshots released: {:?}",
                d.image.id,
                d.instances_losing_reinit
                    .iter()
                    .map(|i| i.as_str())
                    .collect::<Vec<_>>(),
                d.released_snapshots
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            );
        } else if let Some(Outcome::Ignored) = outcome {
            println!("   ignored: nothing changed");
        }
        println!();
    };

    for (image, what) in [
        ("m-importing", "an import task is running"),
        ("m-exporting", "an export task is running"),
        ("m-copying", "it is the source of a running copy"),
        ("m-community", "it is published as a community image"),
        ("m-shared", "it is shared with Bob"),
        ("m-in-use", "two instances were created from it"),
    ] {
        call(
            &alice,
            &format!("Blocked: {what}"),
            &[("RegionId", REGION), ("ImageId", image)],
        );
    }
    call(
        &alice,
        "Several blockers at once: the first in the default precedence answers (Copying before Shared before InUse)",
        &[("RegionId", REGION), ("ImageId", "m-everything")],
    );
    call(
        &alice,
        "Force=True skips InUse only: an image that is shared and in use is still refused as shared",
        &[
            ("RegionId", REGION),
            ("ImageId", "m-shared-in-use"),
            ("Force", "True"),
        ],
    );
    call(
        &alice,
        "DryRun=true on a deletable image: every check passes, nothing changes",
        &[
            ("RegionId", REGION),
            ("ImageId", "m-in-use"),
            ("Force", "true"),
            ("DryRun", "true"),
        ],
    );
    call(
        &alice,
        "Force=true deletes an image that is only in use; its instances lose re-init",
        &[
            ("RegionId", REGION),
            ("ImageId", "m-in-use"),
            ("Force", "true"),
        ],
    );
    call(
        &alice,
        "The same request again: the image is absent now, so it is ignored",
        &[
            ("RegionId", REGION),
            ("ImageId", "m-in-use"),
            ("Force", "true"),
        ],
    );
    call(
        &bob,
        "Bob asks to delete Alice's image that is shared with him: visible but not his",
        &[("RegionId", REGION), ("ImageId", "m-shared")],
    );
    call(
        &bob,
        "Bob asks to delete Alice's private image: absent for him, so ignored (it must not leak)",
        &[("RegionId", REGION), ("ImageId", "m-plain")],
    );
    call(
        &alice,
        "A system image is visible to everyone and owned by no customer",
        &[
            ("RegionId", REGION),
            ("ImageId", "ubuntu_24_04_x64_20G_alibase_20260101.vhd"),
        ],
    );
    call(
        &alice,
        "A parameter error comes before anything else",
        &[
            ("RegionId", REGION),
            ("ImageId", "m-plain"),
            ("Force", "yes"),
        ],
    );
    call(
        &alice,
        "An unknown region",
        &[("RegionId", "xx-nowhere-1"), ("ImageId", "m-plain")],
    );
    call(
        &alice,
        "A plain private image with a snapshot: deleted, snapshot released",
        &[("RegionId", REGION), ("ImageId", "m-plain")],
    );
    Ok(())
}

fn world() -> Result<ImageStore, FixtureError> {
    let mut store = ImageStore::new();
    let own = |id: &str| ImageSpec::custom(id, "alice", REGION);
    store.put(own("m-importing").importing())?;
    store.put(own("m-exporting").exporting())?;
    store.put(own("m-copying").copying())?;
    store.put(own("m-community").community())?;
    store.put(own("m-shared").add_share("bob"))?;
    store.put(own("m-in-use").used_by(2))?;
    store.put(own("m-everything").copying().add_share("bob").used_by(1))?;
    store.put(own("m-shared-in-use").add_share("bob").used_by(1))?;
    store.put(own("m-plain").add_snapshot("s-plain-1"))?;
    store.put(ImageSpec::system(
        "ubuntu_24_04_x64_20G_alibase_20260101.vhd",
        REGION,
    ))?;
    Ok(store)
}

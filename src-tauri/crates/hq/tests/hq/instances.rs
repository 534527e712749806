//! Several `branchdesk-hq serve` instances over one PostgreSQL database: two desks push at once
//! through both, one instance is killed with SIGKILL mid-push, the desk finishes on the other, and
//! every record is stored exactly once. Needs the throwaway cluster (scripts/pg-throwaway.sh);
//! without it the test fails, it never skips.

use crate::support::{Office, enrolled, now, outbox, status};

/// A fresh database on the throwaway cluster.
pub async fn fresh_database() -> String {
    let admin = std::env::var("BRANCHDESK_TEST_PG_ADMIN_URL").unwrap_or_else(|_| {
        panic!("BRANCHDESK_TEST_PG_ADMIN_URL is not set: run the tests through scripts/pg-throwaway.sh (the README's test command does)")
    });
    let name = format!("hq_{}", hex::encode(rand::random::<[u8; 6]>()));
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("connect to the throwaway cluster");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let base = admin.rsplit_once('/').expect("a URL with a database").0;
    format!("{base}/{name}")
}

#[tokio::test]
async fn two_instances_over_one_database_take_two_desks_and_survive_losing_one() {
    let db = fresh_database().await;
    let office = Office::with_db(tempfile::tempdir().unwrap(), db);
    // Both start at once: migrations run once, under the advisory lock.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| office.serve(&["--rate", "1000"]));
        let b = s.spawn(|| office.serve(&["--rate", "1000"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    let (via_a, via_b) = (office.client(&a), office.client(&b));
    let desk1 = enrolled(&via_a, &office.code("north"), "desk-1").await;
    let desk2 = enrolled(&via_b, &office.code("south"), "desk-2").await;
    let (out1, out2) = (outbox("n", 300, 7), outbox("s", 300, 7));

    // Desk 2 pushes through B the whole time; desk 1 starts on A, which dies under it.
    let keys1 = std::sync::Arc::new(desk1.keys);
    let keys2 = std::sync::Arc::new(desk2.keys);
    let d2 = {
        let (c, keys, dev, recs) = (
            via_b.clone(),
            keys2.clone(),
            desk2.device.clone(),
            out2.clone(),
        );
        tokio::spawn(async move { c.push_records(&dev, &keys, &recs, 30, None, &now).await })
    };
    let d1 = {
        let (c, keys, dev, recs) = (
            via_a.clone(),
            keys1.clone(),
            desk1.device.clone(),
            out1.clone(),
        );
        tokio::spawn(async move { c.push_records(&dev, &keys, &recs, 5, None, &now).await })
    };
    // Kill A once it has stored part of desk 1's outbox, while the rest is still coming.
    loop {
        let seen = via_b
            .cursor(&desk1.device, &keys1, &now())
            .await
            .expect("cursor via B")
            .acked_seq;
        if seen >= 50 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    a.kill();
    let cut = d1.await.unwrap();
    assert!(
        cut.is_err(),
        "the push through the killed instance must have been cut, got {cut:?}"
    );
    let ack1 = via_b
        .push_records(&desk1.device, &keys1, &out1, 40, None, &now)
        .await
        .expect("desk 1 finishes on the other instance");
    let ack2 = d2.await.unwrap().expect("desk 2 finishes");
    assert_eq!(ack1.acked_seq, out1.len() as u64);
    assert_eq!(ack2.acked_seq, out2.len() as u64);
    assert_eq!(
        status(&office)["records"],
        (out1.len() + out2.len()) as u64,
        "every record of both desks is stored exactly once"
    );
    let referred: serde_json::Value =
        serde_json::from_str(&office.ok(&["applications", "--stage", "referred", "--json"]))
            .unwrap();
    assert_eq!(
        referred.as_array().unwrap().len(),
        2 * 300usize.div_ceil(7),
        "both desks' referrals"
    );
}

/// Writes a PEM file the cluster's server user can read (as root the cluster runs as `postgres`).
fn server_file(path: &std::path::Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write a server file");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    if nix_is_root() {
        let ok = std::process::Command::new("chown")
            .args(["postgres:postgres", path.to_str().unwrap()])
            .status()
            .expect("chown");
        assert!(ok.success(), "chown to the postgres user");
    }
}

fn nix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[tokio::test]
async fn postgres_over_tls_trusts_only_the_certificate_it_is_given() {
    let db = fresh_database().await;
    // Turn TLS on in the throwaway cluster (a reload is enough; plain connections still work).
    let dir = tempfile::Builder::new()
        .prefix("pg-tls")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let server = hq::tls::generate(&["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    server_file(&cert, &server.cert_pem, 0o644);
    server_file(&key, &server.key_pem, 0o600);
    let admin = std::env::var("BRANCHDESK_TEST_PG_ADMIN_URL").unwrap();
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    // One statement per call: ALTER SYSTEM cannot run inside a multi-statement (implicit) transaction.
    for sql in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert.display()),
        format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display()),
        "ALTER SYSTEM SET ssl = on".to_owned(),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        client
            .batch_execute(&sql)
            .await
            .expect("enable TLS in the throwaway cluster");
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let trusted = format!("{db}?sslrootcert={}", cert.display());
    let store = hq::store::AnyStore::open(&trusted)
        .await
        .expect("TLS to a server with the trusted certificate");
    hq::store::Store::counts(&store)
        .await
        .expect("queries over TLS");

    let other = hq::tls::generate(&["127.0.0.1".into()]).unwrap();
    let other_pem = dir.path().join("other.crt");
    std::fs::write(&other_pem, &other.cert_pem).unwrap();
    let refused =
        hq::store::AnyStore::open(&format!("{db}?sslrootcert={}", other_pem.display())).await;
    assert!(
        refused.is_err(),
        "a server whose certificate is not the trusted one is refused"
    );
    let no_root = hq::store::AnyStore::open(&format!("{db}?sslmode=require")).await;
    assert!(
        no_root.is_err(),
        "sslmode=require without a certificate to trust is refused, not trusted blindly"
    );

    for sql in [
        "ALTER SYSTEM RESET ssl",
        "ALTER SYSTEM RESET ssl_cert_file",
        "ALTER SYSTEM RESET ssl_key_file",
        "SELECT pg_reload_conf()",
    ] {
        client.batch_execute(sql).await.unwrap();
    }
}

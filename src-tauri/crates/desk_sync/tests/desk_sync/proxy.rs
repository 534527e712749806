//! A small TCP proxy between a desk and head office that can cut every connection after a given
//! number of bytes (both directions counted), and be pointed at another server (a restarted head
//! office, or one with another certificate) while the desk keeps the same address.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct Proxy {
    pub addr: SocketAddr,
    target: Arc<Mutex<String>>,
    budget: Arc<AtomicU64>,
    seen: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let target = Arc::new(Mutex::new(target.to_owned()));
        let budget = Arc::new(AtomicU64::new(u64::MAX));
        let seen = Arc::new(AtomicU64::new(0));
        let (t, b, n) = (target.clone(), budget.clone(), seen.clone());
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let to = t.lock().expect("target").clone();
                let budget = b.load(Ordering::SeqCst);
                let seen = n.clone();
                tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(&to).await {
                        pipe(inbound, outbound, budget, &seen).await;
                    }
                });
            }
        });
        Proxy {
            addr,
            target,
            budget,
            seen,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Sends new connections to `addr`.
    pub fn point_at(&self, addr: &str) {
        *self.target.lock().expect("target") = addr.to_owned();
    }

    /// Cuts each new connection after `bytes` bytes in either direction (`None`: never).
    /// Bytes passed through every connection so far, both directions.
    pub fn bytes_seen(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }

    pub fn cut_after(&self, bytes: Option<u64>) {
        self.budget
            .store(bytes.unwrap_or(u64::MAX), Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(mut a: TcpStream, mut b: TcpStream, budget: u64, seen: &AtomicU64) {
    let (mut ar, mut aw) = a.split();
    let (mut br, mut bw) = b.split();
    let mut used = 0u64;
    let mut up = vec![0u8; 16 * 1024];
    let mut down = vec![0u8; 16 * 1024];
    loop {
        let (n, to, buf) = tokio::select! {
            r = ar.read(&mut up) => match r { Ok(n) if n > 0 => (n, &mut bw, &up), _ => break },
            r = br.read(&mut down) => match r { Ok(n) if n > 0 => (n, &mut aw, &down), _ => break },
        };
        let take = (n as u64).min(budget.saturating_sub(used)) as usize;
        if take > 0 && to.write_all(&buf[..take]).await.is_err() {
            break;
        }
        used += take as u64;
        seen.fetch_add(take as u64, Ordering::SeqCst);
        if take < n {
            break;
        }
    }
}

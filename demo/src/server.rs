//! The shop's HTTP server: hyper's HTTP/1 connections with a header-read timeout (which also
//! closes idle keep-alive connections), a write timeout, caps on open connections overall and
//! per client address, and each request's peer address for the per-client rate limit.

use std::collections::hash_map::{Entry, HashMap};
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tower::ServiceExt;

/// Bounds on what one client can hold of the shop.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time a connection has to deliver a request's complete headers, counted from when it
    /// opens or its previous response was sent: a client that trickles its headers, or keeps
    /// an idle connection, is closed after it.
    pub header_read_timeout: Duration,
    /// Longest a request may take, reading its body included; it is then answered 408.
    pub request_timeout: Duration,
    /// Longest writing the answer may make no progress (the client has stopped reading); the
    /// connection is then reset. Only bytes written restart it: reading further pipelined
    /// requests or starting the next answer does not.
    pub write_timeout: Duration,
    /// Connections open at once. Past it, new connections wait in the listen backlog until
    /// one closes (the header-read timeout frees those that only hold a slot).
    pub max_connections: usize,
    /// Connections one client (IP address; an IPv6 client's /64 network) may hold open at
    /// once. Past it, its new connections are reset as soon as they are accepted.
    pub max_connections_per_client: usize,
    /// Connections the kernel may hold completed for the accept loop (net.core.somaxconn caps
    /// it). tokio listens with 1024: a client opening connections faster than the loop
    /// accepts (and resets) them overflows that, and the kernel then drops every client's SYN
    /// alike, to be sent again a second later.
    pub listen_queue: u32,
    /// Orders one client (IP address) may create in a burst...
    pub order_burst: u32,
    /// ...and how many a minute after that.
    pub orders_per_minute: u32,
    /// Proxies (load balancers) whose `X-Forwarded-For` names the client, for the order rate
    /// limit: behind them every connection comes from their address. Empty: the connection's
    /// address is the client's.
    pub trusted_proxies: Vec<Network>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            max_connections: 2000,
            max_connections_per_client: 100,
            listen_queue: 4096,
            order_burst: 10,
            orders_per_minute: 30,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The client's address, as the connection gives it (a request extension).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

/// A range of addresses: `10.0.0.0/8`, `2001:db8::/32`, or one address.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let text = text.trim();
        let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{text:?} is not an address or a network"))?;
        let most = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            "" => most,
            bits => bits
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= most)
                .ok_or_else(|| format!("{text:?}: the prefix length is 0 to {most}"))?,
        };
        Ok(Network { addr, prefix })
    }
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, unmapped(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                net.to_bits() & mask == ip.to_bits() & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                net.to_bits() & mask == ip.to_bits() & mask
            }
            _ => false,
        }
    }
}

fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The client a request comes from: the connection's address, or, when that is a trusted
/// proxy, the address the proxies recorded in `X-Forwarded-For`, read from the right past
/// every trusted one (each proxy appends the address it was reached from, and only the
/// trusted ones' entries can be believed: the client writes whatever it likes on the left).
pub fn client_behind(peer: IpAddr, forwarded_for: &[&str], trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = unmapped(peer);
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            // Not an address (a port, an obfuscated name): nothing further left can be read.
            break;
        };
        client = unmapped(ip);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes; then stops
/// accepting, lets requests in flight finish (10 s at most) and closes idle connections.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    // Linux lets a listening socket's queue be changed by calling listen() again.
    let queue = i32::try_from(limits.listen_queue).unwrap_or(i32::MAX);
    let _ = socket2::SockRef::from(&listener).listen(queue);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let clients = Arc::new(Clients::default());
    let mut refusals = Refusals::default();
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // A slot first: past the cap, connections are not even accepted.
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!("accept: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let ip = peer_ip(peer);
        let Some(client) = clients.admit(client_key(ip), limits.max_connections_per_client) else {
            // Closed at once rather than left in the backlog, where it would hold up everyone
            // queued behind it; reset, so that a client reconnecting in a loop leaves the shop
            // no TIME_WAIT to keep.
            let _ = stream.set_zero_linger();
            drop(stream);
            refusals.note(ip, limits.max_connections_per_client);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ClientAddr(ip));
                request
            },
        ));
        let io = TokioIo::new(WriteTimeout::new(stream, limits.write_timeout));
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            // Timeouts and resets end here too; they are the client's business.
            let _ = connection.await;
            drop(client);
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
}

/// An IPv4 client reaching a dual-stack socket counts as its IPv4 address.
fn peer_ip(peer: SocketAddr) -> IpAddr {
    unmapped(peer.ip())
}

/// Whose connection it is, for the per-client cap: an IPv6 client counts as its /64 network,
/// as a home or a phone is given a whole /64 and can connect from any address in it.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & (u128::MAX << 64))),
        v4 => v4,
    }
}

/// Open connections by client.
#[derive(Default)]
struct Clients(Mutex<HashMap<IpAddr, usize>>);

impl Clients {
    /// A place for one more connection of `key`, unless it holds `cap` already.
    fn admit(self: &Arc<Self>, key: IpAddr, cap: usize) -> Option<ClientSlot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key).or_default();
        if *count >= cap.max(1) {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: self.clone(),
            key,
        })
    }
}

/// One open connection of a client; gives its place back when dropped.
struct ClientSlot {
    clients: Arc<Clients>,
    key: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.clients.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Entry::Occupied(mut count) = open.entry(self.key) {
            *count.get_mut() -= 1;
            // Forget clients without connections, so the table holds only open ones.
            if *count.get() == 0 {
                count.remove();
            }
        }
    }
}

/// Connections refused over the per-client cap, reported at most once a minute: a client
/// reconnecting in a loop must not flood the log.
#[derive(Default)]
struct Refusals {
    since_report: u64,
    reported: Option<Instant>,
}

impl Refusals {
    fn note(&mut self, ip: IpAddr, cap: usize) {
        self.since_report += 1;
        let now = Instant::now();
        if self
            .reported
            .is_none_or(|at| now - at >= Duration::from_secs(60))
        {
            tracing::warn!(
                "refused {} connection(s) over the cap of {cap} per client \
                 (SHOP_MAX_CONNECTIONS_PER_CLIENT), the latest from {ip}",
                self.since_report
            );
            self.since_report = 0;
            self.reported = Some(now);
        }
    }
}

/// The accepted stream, failing a write that can make no progress for `timeout`. hyper's
/// header-read timeout and the request timeout are over before the answer is written, so a
/// client that stops reading (its receive buffer and the shop's send buffer full) would
/// otherwise hold its connection for ever.
struct WriteTimeout {
    stream: TcpStream,
    timeout: Duration,
    /// Armed when a write finds the socket full; disarmed by the next write that moves bytes.
    stall: Option<Pin<Box<Sleep>>>,
    stalled: bool,
}

impl WriteTimeout {
    fn new(stream: TcpStream, timeout: Duration) -> Self {
        WriteTimeout {
            stream,
            timeout,
            stall: None,
            stalled: false,
        }
    }

    /// `written`, or the timeout's error once writes have been blocked for `timeout`.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if written.is_ready() {
            self.stalled = false;
            return written;
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if !self.stalled {
            stall.as_mut().reset(deadline);
            self.stalled = true;
        }
        if stall.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        // Reset rather than closed: a FIN would queue behind the unread answer, which a client
        // that reads nothing never gets to, and the kernel would keep the buffers meanwhile.
        let _ = self.stream.set_zero_linger();
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client read nothing of the answer for the write timeout",
        )))
    }
}

impl AsyncRead for WriteTimeout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteTimeout {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    // A TCP stream's flush and shutdown never wait on the peer.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_its_ipv4_address_or_its_ipv6_64() {
        let key = |addr: &str| client_key(peer_ip(addr.parse().unwrap())).to_string();
        assert_eq!(key("[::ffff:203.0.113.7]:5000"), "203.0.113.7");
        assert_eq!(key("203.0.113.7:5000"), "203.0.113.7");
        assert_eq!(key("[2001:db8:1:2:aaaa::1]:5000"), "2001:db8:1:2::");
        assert_eq!(
            key("[2001:db8:1:2:ffff:ffff:ffff:ffff]:5000"),
            key("[2001:db8:1:2::9]:5000")
        );
        assert_ne!(key("[2001:db8:1:3::1]:5000"), key("[2001:db8:1:2::1]:5000"));
    }

    #[test]
    fn networks_parse_and_contain_their_addresses() {
        let net = |text: &str| text.parse::<Network>().unwrap();
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!(net("10.0.0.0/8").contains(ip("10.200.3.4")));
        assert!(!net("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(net("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
        assert!(net("192.0.2.7").contains(ip("192.0.2.7")));
        assert!(!net("192.0.2.7").contains(ip("192.0.2.8")));
        assert!(net("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(net("2001:db8::/32").contains(ip("2001:db8:ffff::1")));
        assert!(!net("2001:db8::/32").contains(ip("2001:db9::1")));
        assert!(!net("2001:db8::/32").contains(ip("10.0.0.1")));
        for bad in ["", "10.0.0.0/33", "::/129", "proxy.local", "10.0.0.0/x"] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_behind_trusted_proxies_is_the_rightmost_untrusted_hop() {
        let trusted = ["10.0.0.0/8".parse().unwrap(), "192.0.2.1".parse().unwrap()];
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let behind = |peer: &str, headers: &[&str]| client_behind(ip(peer), headers, &trusted);
        // An untrusted peer's header is its own word: ignored.
        assert_eq!(behind("203.0.113.5", &["198.51.100.1"]), ip("203.0.113.5"));
        assert_eq!(behind("10.0.0.2", &["198.51.100.1"]), ip("198.51.100.1"));
        // A client's own entries on the left cannot hide it.
        assert_eq!(
            behind("10.0.0.2", &["1.1.1.1, 198.51.100.1, 192.0.2.1"]),
            ip("198.51.100.1")
        );
        assert_eq!(
            behind("10.0.0.2", &["1.1.1.1", "198.51.100.1,10.9.9.9"]),
            ip("198.51.100.1")
        );
        assert_eq!(behind("10.0.0.2", &[]), ip("10.0.0.2"));
        assert_eq!(behind("10.0.0.2", &["unknown"]), ip("10.0.0.2"));
        assert_eq!(behind("10.0.0.2", &["2001:db8::1"]), ip("2001:db8::1"));
        assert_eq!(
            behind("::ffff:10.0.0.2", &["198.51.100.1"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn each_client_holds_at_most_its_cap_and_gets_places_back() {
        let clients = Arc::new(Clients::default());
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "198.51.100.1".parse().unwrap();
        let held: Vec<_> = (0..3).map(|_| clients.admit(a, 3).unwrap()).collect();
        assert!(clients.admit(a, 3).is_none());
        let other = clients.admit(b, 3).unwrap();
        drop(held);
        assert!(clients.admit(a, 3).is_some());
        drop(other);
        assert!(
            clients.0.lock().unwrap().is_empty(),
            "no client left behind"
        );
    }
}

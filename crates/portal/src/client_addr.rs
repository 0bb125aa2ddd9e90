//! Who is asking: the client address behind a trusted reverse proxy, and the key its rate
//! limits and lockout counters are kept under.

use std::net::IpAddr;

use ipnet::IpNet;

/// The client's address. A peer in `trusted` (the TLS reverse proxy) is believed about who it
/// forwards for: `X-Forwarded-For` is read from the right, each proxy appending the address
/// it received from, and the first address that is not itself a trusted proxy is the client.
/// Anyone else's `X-Forwarded-For` is ignored (a client can write anything there). A trusted
/// peer that sends no usable header is the client itself.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // An unparsable hop ends the walk: nothing to its left can be trusted.
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
            break;
        };
        client = ip;
        if !is_trusted(ip, trusted) {
            break;
        }
    }
    client
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// IPv4 clients reach a dual-stack listener as `::ffff:a.b.c.d`; they are the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The key per-address limits count under: an IPv4 address, or an IPv6 address's /64 (one
/// subscriber's network, where every host can take any of 2^64 addresses, so counting single
/// IPv6 addresses would let one attacker start over with each new one).
pub fn limit_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_forward() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("192.0.2.7"), ["203.0.113.9"], &trusted),
            ip("192.0.2.7")
        );
        assert_eq!(client_address(ip("192.0.2.7"), [], &[]), ip("192.0.2.7"));
    }

    #[test]
    fn trusted_proxies_name_the_client_rightmost_untrusted_first() {
        let trusted = nets(&["10.0.0.0/8", "fd00::/8"]);
        // The client wrote a fake first hop; the proxy appended the real one.
        assert_eq!(
            client_address(ip("10.1.1.1"), ["6.6.6.6, 198.51.100.4"], &trusted),
            ip("198.51.100.4")
        );
        // Two proxies in a row, header split over two lines.
        assert_eq!(
            client_address(ip("10.1.1.1"), ["198.51.100.4", "10.2.2.2"], &trusted),
            ip("198.51.100.4")
        );
        // Nothing usable: the proxy itself.
        assert_eq!(
            client_address(ip("10.1.1.1"), ["junk"], &trusted),
            ip("10.1.1.1")
        );
        assert_eq!(
            client_address(ip("10.1.1.1"), [""], &trusted),
            ip("10.1.1.1")
        );
        // IPv6 and IPv4-mapped peers.
        assert_eq!(
            client_address(ip("::ffff:10.1.1.1"), ["2001:db8::5"], &trusted),
            ip("2001:db8::5")
        );
    }

    #[test]
    fn ipv6_counts_by_64_and_ipv4_by_address() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            limit_key(ip("2001:db8:1:2::9"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:3::1")),
            limit_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(limit_key(ip("192.0.2.1")), "192.0.2.1");
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }
}

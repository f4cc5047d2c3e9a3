# An authoritative DNS server for the DNS discovery tests (TestBed's DNSServer runs its own NSD on a free
# loopback port with a zone file the tests rewrite; Debian's system service is not used). dig for manual checks
# and the EDNS Client Subnet test (our query next to dig +subnet).
[[ -x /usr/sbin/nsd ]] || packages+=(nsd)
command -v dig >/dev/null 2>&1 || packages+=(bind9-dnsutils)

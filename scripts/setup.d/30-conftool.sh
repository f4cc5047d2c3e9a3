# conftool's own tools (confctl, conftool-sync) for the compatibility tests of spicerack.confctl(): what we write,
# confctl reads, and the other way round. conftool keeps its data in etcd's v2 keys API (etcd runs with --enable-v2).
pip_packages+=(conftool==6.1.0)
command -v curl >/dev/null 2>&1 || packages+=(curl)   # the LB rolling-restart test's stand-in restart reads etcd
command -v openssl >/dev/null 2>&1 || packages+=(openssl)   # throwaway CA and certificates for the etcd TLS tests

# Prometheus for the Spicerack Prometheus client tests (TestBed's PrometheusServer runs its own instance on a
# free loopback port with its own data directory; Debian's system service is not used).
[[ -x /usr/bin/prometheus ]] || packages+=(prometheus)

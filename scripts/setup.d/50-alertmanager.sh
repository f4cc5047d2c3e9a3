# Alertmanager for the Spicerack silences tests (TestBed's AlertmanagerServer runs its own instance on a free
# loopback port with clustering off; Debian's system service is not used).
[[ -x /usr/bin/prometheus-alertmanager ]] || packages+=(prometheus-alertmanager)

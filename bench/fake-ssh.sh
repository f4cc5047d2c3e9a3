#!/bin/sh
# Stand-in for ssh used by bench/run.sh to measure the orchestrators without any SSH: every tool
# calls it as `fake-ssh.sh [ssh options...] HOST COMMAND`; it ignores everything but the last
# argument and runs that locally with /bin/sh -c. One fork+exec of sh (plus the command) per host,
# exactly what an ssh child costs the controller minus the crypto and the network.
for arg do command=$arg; done
exec /bin/sh -c "$command"

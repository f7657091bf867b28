#!/usr/bin/env bash
# A one-node Slurm for `npm run test:slurm`: munge, slurmctld and slurmd from Debian's munge and
# slurm-wlm, configured in a folder of their own ($1, made if absent), run as root. Prints
# SLURM_CONF=<file> and the pids it started (PIDS=…), so the caller stops exactly those.
set -euo pipefail
dir=${1:?usage: start-slurm.sh DIR}
for cmd in munged slurmctld slurmd sbatch sinfo; do
  command -v "$cmd" >/dev/null || { echo "start-slurm: $cmd not found: install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge)" >&2; exit 3; }
done
mkdir -p "$dir"/{state,spool,log,munge}
# on any failure below, stop whatever this script had started (by its pid file) before exiting
cleanup() {
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
}
trap 'cleanup' ERR
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(free -m | awk '/^Mem:/{print $2}') - 1024 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=shapetex-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ReturnToService=2
MpiDefault=none
KillWait=10
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# munge: its own key and socket in this folder, so a system munged is neither needed nor touched
key="$dir/munge/munge.key"
[ -f "$key" ] || dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
chmod 400 "$key"
munged --force --key-file="$key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
# bounded wait for the node to be up
for _ in $(seq 1 60); do
  state=$(sinfo -h -o %T 2>/dev/null | head -n1 || true)
  [ "$state" = "idle" ] && break
  sleep 0.5
done
[ "$state" = "idle" ] || { echo "start-slurm: the node did not come up (state: ${state:-none}); see $dir/log" >&2; cleanup; exit 4; }
trap - ERR
echo "SLURM_CONF=$SLURM_CONF"
echo "PIDS=$(cat "$dir/munge/munged.pid") $(cat "$dir/slurmctld.pid") $(cat "$dir/slurmd.pid")"

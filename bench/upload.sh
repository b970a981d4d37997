#!/usr/bin/env bash
# Upload throughput (issue 7): `intake upload` next to a reference client, Python boto3
# (installed here into a venv of its own), sending the same package to the same server.
# The server: s3s-fs on a free loopback port (BENCH_SERVER=garage: a single-node Garage, as in
# scripts/test-garage.sh; both must be installed). The package: a case of BENCH_MB megabytes
# (default 200) of incompressible files, exported with --allow-incomplete.
#
# What is timed: `intake upload`'s whole run (its process, start to exit), which reads the
# package once, hashing it (SHA-256 of the package) on a thread of its own while it sends it
# in 8 MiB parts (each part's SHA-256 on the blocking threads, several parts at once),
# BENCH_IN_FLIGHT (default: the setting's default, 4) at once, recording each as the server
# accepts it, then checks the object (size, metadata, and its multipart ETag against the part
# ETags the server answered; a full read-back only when the ETag does not confirm it: on
# s3s-fs and Garage it does); the same with one part at a time (`--parts-in-flight 1`); boto3's
# upload_file (8 MiB parts, its default 10 threads, no read-back) and, to show what the
# read-back costs, boto3's download_file of the same object; and boto3 with one part in flight.
# Before anything is timed, boto3 uploads the package once under another key, untimed, so that
# no client pays for a fresh server's first writes.
# The work folder is under TMPDIR: on a machine whose disk is busy with other work, run with
# TMPDIR=/dev/shm so that the server's writes do not measure the disk (issue 19's pass did).
# Usage: bench/upload.sh [MB]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mb="${1:-${BENCH_MB:-200}}"
server_kind="${BENCH_SERVER:-s3s-fs}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# BENCH_INTAKE: time that binary instead (e.g. a release build of an earlier commit).
if [ -n "${BENCH_INTAKE:-}" ]; then
  intake="$BENCH_INTAKE"
else
  cargo build --release -q -p intake-cli
  intake="${CARGO_TARGET_DIR:-$root/target}/release/intake"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/intake-upload-bench.XXXXXX")"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'boto3>=1.34,<2'

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
export AWS_ACCESS_KEY_ID=GK0123456789abcdef01234567
export AWS_SECRET_ACCESS_KEY=4f7c1b2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b
bucket=bench
case "$server_kind" in
  s3s-fs)
    region=us-east-1
    mkdir -p "$work/s3/$bucket"
    s3s-fs --host 127.0.0.1 --port "$port" --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" \
      "$work/s3" >"$work/server.log" 2>&1 &
    server_pid=$!
    ;;
  garage)
    region=garage
    rpc="$(free_port)"
    cat >"$work/garage.toml" <<TOML
metadata_dir = "$work/garage/meta"
data_dir = "$work/garage/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc"
rpc_public_addr = "127.0.0.1:$rpc"
rpc_secret = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$port"
root_domain = ".s3.garage.localhost"
TOML
    garage -c "$work/garage.toml" server >"$work/server.log" 2>&1 &
    server_pid=$!
    sleep 2
    node="$(garage -c "$work/garage.toml" node id -q | cut -d@ -f1)"
    garage -c "$work/garage.toml" layout assign -z dc1 -c 1G "$node" >/dev/null
    garage -c "$work/garage.toml" layout apply --version 1 >/dev/null
    garage -c "$work/garage.toml" bucket create "$bucket" >/dev/null
    garage -c "$work/garage.toml" key import --yes -n bench "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >/dev/null
    garage -c "$work/garage.toml" bucket allow --read --write --owner "$bucket" --key "$AWS_ACCESS_KEY_ID" >/dev/null
    ;;
  *) echo "BENCH_SERVER must be s3s-fs or garage" >&2; exit 2 ;;
esac
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
endpoint="http://127.0.0.1:$port"

# The package.
home="$work/home"
"$intake" --home "$home" settings --branch 上海分公司 --manager 张三 >/dev/null
id="$("$intake" --home "$home" case new --merchant-name bench --opens-payment --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
mkdir -p "$work/files"
remaining=$mb; n=0
while [ "$remaining" -gt 0 ]; do
  size=$(( remaining < 50 ? remaining : 50 ))
  head -c "$((size * 1024 * 1024))" /dev/urandom >"$work/files/IMG_$n.jpg"
  remaining=$((remaining - size)); n=$((n + 1))
done
"$intake" --home "$home" add --case "$id" --material storefront_photo "$work"/files/* >/dev/null
"$intake" --home "$home" export --case "$id" --out "$work/package.zip" --allow-incomplete --reason 基准测试 >/dev/null
bytes="$(stat -c %s "$work/package.zip")"
rm -rf "$work/files"

# The clock read by date, not by a Python process: the end of intake's run was read by one,
# and its start-up (about 0.1 s here) was counted in intake's time until issue 19's last pass.
seconds() { date +%s.%N; }
rate() { python3 -c "import sys; b,t=$1,$2; print(f'{b/t/1048576:7.1f} MiB/s  ({t:.2f} s)')"; }

# One untimed upload of the same package first (boto3, another key): the first upload into a
# fresh server paid for the server's own warm-up (Garage's first writes), and that fell on
# whichever client was timed first, always intake (issue 19, second pass).
"$work/venv/bin/python" - <<PY
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url="$endpoint", region_name="$region", config=Config(s3={"addressing_style": "path"}))
s3.upload_file("$work/package.zip", "$bucket", "warm-up/package.zip",
               Config=TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20))
PY

# A copy of the data folder with the package still waiting: the same package is sent from it
# again, under another prefix (another key, so it is really sent), one part at a time: the
# pace before parts were sent in parallel.
cp -a "$home" "$work/home-serial"
in_flight=()
[ -n "${BENCH_IN_FLIGHT:-}" ] && in_flight=(--parts-in-flight "$BENCH_IN_FLIGHT")
start="$(seconds)"
"$intake" --home "$home" upload --endpoint "$endpoint" --bucket "$bucket" --region "$region" \
  --part-size-mib 8 "${in_flight[@]}" --json >"$work/upload.json"
intake_s="$(python3 -c "print($(seconds) - $start)")"
start="$(seconds)"
"$intake" --home "$work/home-serial" upload --endpoint "$endpoint" --bucket "$bucket" --region "$region" \
  --prefix serial --part-size-mib 8 --parts-in-flight 1 --json >"$work/upload-serial.json"
serial_s="$(python3 -c "print($(seconds) - $start)")"

cat >"$work/reference.py" <<PY
import sys, time, boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url="$endpoint", region_name="$region",
                  config=Config(s3={"addressing_style": "path"}))
config = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20)
start = time.time(); s3.upload_file("$work/package.zip", "$bucket", "reference/package.zip", Config=config)
upload = time.time() - start
start = time.time(); s3.download_file("$bucket", "reference/package.zip", "$work/back.zip", Config=config)
download = time.time() - start
serial = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=1, use_threads=False)
start = time.time(); s3.upload_file("$work/package.zip", "$bucket", "reference/serial.zip", Config=serial)
upload_serial = time.time() - start
print(f"{upload} {download} {upload_serial}")
PY
read -r boto_up boto_down boto_serial < <("$work/venv/bin/python" "$work/reference.py")

echo "upload of a $((bytes / 1048576)) MiB package to $server_kind on loopback (2 cores shared):"
printf '  intake upload (hash while sending + ETag check)   %s\n' "$(rate "$bytes" "$intake_s")"
printf '  intake upload, one part at a time                  %s\n' "$(rate "$bytes" "$serial_s")"
printf '  boto3 upload_file (send only, 10 threads)         %s\n' "$(rate "$bytes" "$boto_up")"
printf '  boto3 upload_file, one part at a time like intake  %s\n' "$(rate "$bytes" "$boto_serial")"
printf '  boto3 download_file (what a full read-back costs) %s\n' "$(rate "$bytes" "$boto_down")"
python3 -c "print(f'intake upload at {$boto_up / $intake_s:.2f} of boto3 upload_file (target >= 0.9)')"

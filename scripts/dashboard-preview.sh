#!/usr/bin/env bash
# Renders docs/dashboard.png, a static preview of the Grafana dashboard dashboards/batcher-grafana.json filled with
# real metrics: it builds and starts the sample app, lets a local Prometheus scrape its /actuator/prometheus every
# second while scripts/dashboard_preview.py drives it (steady load, an operator's pause until the buffer is full and
# producers are refused, resume, a busier stretch, idle), then runs each panel's PromQL on that Prometheus and draws
# the dashboard's layout with matplotlib. It is a preview, labelled so on the picture, not a Grafana screenshot.
#
#   scripts/dashboard-preview.sh [OUT.png]        (default docs/dashboard.png; PREVIEW_SECONDS=150 by default)
#
# Needs Java 17, Maven, Prometheus and Python 3 with matplotlib; on Debian or Ubuntu:
#   apt-get install -y prometheus python3-matplotlib
# Builds with `mvn package` (never install) and leaves nothing running.
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-docs/dashboard.png}
seconds=${PREVIEW_SECONDS:-150}

python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import matplotlib' 2>/dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || { echo "No python3 with matplotlib: apt-get install -y python3-matplotlib" >&2; exit 1; }
command -v prometheus >/dev/null || { echo "No prometheus on PATH: apt-get install -y prometheus" >&2; exit 1; }

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d)
app_pid=""
prometheus_pid=""
cleanup() {
  for pid in $prometheus_pid $app_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building the sample app (mvn package, tests skipped)"
mvn -B -q package -pl sample-app -am -DskipTests
jar=$(ls sample-app/target/sample-app-*.jar | grep -v original | head -1)

app_port=$(free_port)
prometheus_port=$(free_port)
echo "Starting the sample app on port $app_port (log: $work/app.log)"
# A 20,000-item buffer that makes producers wait 300 ms: the pause fills it within the preview.
java -jar "$jar" --server.port="$app_port" --demo.events=0 \
  --spring.datasource.url="jdbc:h2:mem:preview;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE" \
  --batcher.dispatchers.events.buffer.max-items=20000 \
  --batcher.dispatchers.events.buffer.block-timeout=300ms >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 240); do
  curl -fs "http://localhost:$app_port/actuator/health" >/dev/null 2>&1 && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log" >&2; exit 1; }
  sleep 0.5
done

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: batcher-sample
    metrics_path: /actuator/prometheus
    static_configs:
      - targets: ["localhost:$app_port"]
EOF
echo "Starting Prometheus on port $prometheus_port, scraping every second"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
prometheus_pid=$!
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$prometheus_port/-/ready" >/dev/null 2>&1 && break
  sleep 0.5
done

sleep 3
start=$(date +%s)
echo "Driving the app for $seconds s"
"$python" scripts/dashboard_preview.py load --app "http://localhost:$app_port" --seconds "$seconds"
sleep 3
end=$(date +%s)

"$python" scripts/dashboard_preview.py render --prometheus "http://127.0.0.1:$prometheus_port" \
  --dashboard dashboards/batcher-grafana.json --start "$start" --end "$end" --out "$out" \
  --caption "Rendered by scripts/dashboard-preview.sh on $(date -u +%Y-%m-%d): the sample app (buffer.max-items 20000, block-timeout 300ms) under 4 HTTP clients, paused by the operator until its buffer filled and clients were refused, resumed, busier, then idle; Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scraping every 1 s."

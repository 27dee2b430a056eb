#!/usr/bin/env bash
# Benchmarks the Dispatcher against its peers in ONE JMH run and prints a markdown table of ratios.
#
#   scripts/bench.sh [--quick|--full] [extra JMH options...]
#
#   --quick  (default) 1 fork, 1 x 2 s warm-up, 2 x 3 s measurement per variant: about 5 minutes on 2 cores
#   --full   2 forks, 3 x 3 s warm-up, 5 x 5 s measurement, plus the Disruptor's SleepingWaitStrategy: ~25 minutes
#
# Throughput (items/s, 1, 2 and 4 producers) and allocation (-prof gc, gc.alloc.rate.norm = bytes per item) come
# from ThroughputBench, submit latency percentiles from LatencyBench (Mode.SampleTime), idle CPU from the IdleCpu
# main run after JMH. Results: batcher-benchmarks/target/bench-<mode>-<time>.{json,log,idle.txt,md}.
# Ratios are batcher / peer; compare ratios within one run, the absolute numbers on a shared 2-core machine are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=quick
if [ $# -gt 0 ]; then
  case "$1" in
    --quick) mode=quick; shift ;;
    --full) mode=full; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
  esac
fi

impls=dispatcherEnqueue,dispatcherSubmit,abqDrainTo,reactorBufferTimeout,disruptorBlocking,disruptorYielding,gaxBatcher
if [ "$mode" = quick ]; then
  jmh_opts=(-f 1 -wi 1 -i 2 -w 2s -r 3s)
else
  jmh_opts=(-f 2 -wi 3 -i 5 -w 3s -r 5s)
  impls="$impls,disruptorSleeping"
fi

echo "Building batcher-benchmarks..." >&2
mvn -B -q -pl batcher-benchmarks -am package -DskipTests

jar=batcher-benchmarks/target/benchmarks.jar
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=batcher-benchmarks/target/bench-$mode-$stamp
echo "Running JMH ($mode): log in $out.log" >&2
java -jar "$jar" 'dev\.batcher\.bench\.(ThroughputBench|LatencyBench)\.' \
  "${jmh_opts[@]}" -p impl="$impls" -prof gc -rf json -rff "$out.json" "$@" > "$out.log" 2>&1 || {
  echo "JMH failed, see $out.log" >&2; tail -30 "$out.log" >&2; exit 1; }

echo "Measuring idle CPU (2 x 5 s)..." >&2
java -cp "$jar" dev.batcher.bench.IdleCpu 5000 > "$out.idle.txt" 2>&1 || echo "IdleCpu failed, see $out.idle.txt" >&2

{
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(uname -m); $(java -version 2>&1 | sed -n 2p); JMH 1.37; mode $mode (${jmh_opts[*]})"
  echo
  python3 - "$out.json" "$out.idle.txt" <<'PY'
import json, sys

results = json.load(open(sys.argv[1]))
idle = {}
try:
    for line in open(sys.argv[2]):
        if '=' in line:
            k, v = line.strip().split('=', 1)
            idle[k] = v
except OSError:
    pass

thr, alloc, lat = {}, {}, {}
for r in results:
    cls, method = r['benchmark'].split('.')[-2:]
    params = r.get('params', {})
    if cls == 'ThroughputBench':
        key = (params['impl'], int(method[1:]))
        thr[key] = r['primaryMetric']['score']
        a = r.get('secondaryMetrics', {}).get('gc.alloc.rate.norm')
        if a:
            alloc[key] = a['score']
    elif cls == 'LatencyBench':
        key = (params['target'], int(method[1:]))
        lat[key] = r['primaryMetric'].get('scorePercentiles', {})

NAMES = {
    'dispatcherEnqueue': 'Dispatcher.enqueue', 'dispatcherSubmit': 'Dispatcher.submit',
    'abqDrainTo': 'ArrayBlockingQueue+drainTo', 'reactorBufferTimeout': 'Reactor sink+bufferTimeout',
    'disruptorBlocking': 'Disruptor Blocking', 'disruptorYielding': 'Disruptor Yielding',
    'disruptorSleeping': 'Disruptor Sleeping', 'gaxBatcher': 'gax BatcherImpl',
}

def mps(v):
    return 'n/a' if v is None else '%.2f M/s' % (v / 1e6)

def ratio(b, p):
    return 'n/a' if b is None or p is None or p == 0 else '%.2fx' % (b / p)

def ns(v):
    if v is None:
        return 'n/a'
    return '%.0f ns' % v if v < 10_000 else '%.1f us' % (v / 1000)

def bytes_(v):
    return 'n/a' if v is None else '%.1f B' % v

rows = []
peers_ff = ['abqDrainTo', 'reactorBufferTimeout', 'disruptorBlocking', 'disruptorYielding', 'disruptorSleeping']
for t in (1, 2, 4):
    for peer in peers_ff:
        if any(k[0] == peer for k in thr):
            b, p = thr.get(('dispatcherEnqueue', t)), thr.get((peer, t))
            rows.append(('fire-and-forget items/s, %d producer%s' % (t, '' if t == 1 else 's'),
                         NAMES['dispatcherEnqueue'], NAMES[peer], mps(p), mps(b), ratio(b, p)))
    b, p = thr.get(('dispatcherSubmit', t)), thr.get(('gaxBatcher', t))
    rows.append(('with futures items/s, %d producer%s' % (t, '' if t == 1 else 's'),
                 NAMES['dispatcherSubmit'], NAMES['gaxBatcher'], mps(p), mps(b), ratio(b, p)))
    b, p = thr.get(('dispatcherSubmit', t)), thr.get(('abqDrainTo', t))
    rows.append(('with futures items/s, %d producer%s' % (t, '' if t == 1 else 's'),
                 NAMES['dispatcherSubmit'], NAMES['abqDrainTo'], mps(p), mps(b), ratio(b, p)))

for t in (1, 4):
    label = 'uncontended' if t == 1 else '4 producers'
    for pct in ('50.0', '99.0', '99.9'):
        b = lat.get(('dispatcherEnqueue', t), {}).get(pct)
        p = lat.get(('abqDrainTo', t), {}).get(pct)
        rows.append(('submit latency p%s, %s (lower is better)' % (pct.rstrip('0').rstrip('.'), label),
                     NAMES['dispatcherEnqueue'], 'ArrayBlockingQueue.put', ns(p), ns(b), ratio(b, p)))

for t in (1, 2, 4):
    for batcher, peer in (('dispatcherEnqueue', 'abqDrainTo'), ('dispatcherEnqueue', 'disruptorYielding'),
                          ('dispatcherSubmit', 'gaxBatcher')):
        b, p = alloc.get((batcher, t)), alloc.get((peer, t))
        # A ratio to a peer that allocates ~nothing is meaningless: show the difference instead.
        r = ratio(b, p) if p is None or p >= 1 else ('n/a' if b is None else '+%.1f B' % (b - p))
        rows.append(('allocation B/item, %d producer%s (lower is better)' % (t, '' if t == 1 else 's'),
                     NAMES[batcher], NAMES[peer], bytes_(p), bytes_(b), r))

window = int(idle.get('idle.window.ms', '5000')) / 1000
for k, label in (('idle.cpu.ns.fresh', 'never used'), ('idle.cpu.ns.afterTraffic', 'after 1,000 items')):
    v = idle.get(k)
    rows.append(('idle CPU over %g s, %s' % (window, label), 'Dispatcher (all its threads)', '-', '-',
                 'n/a' if v is None else '%s ns' % format(int(v), ','), '-'))

print('| benchmark | batcher | peer | peer value | batcher value | ratio |')
print('|---|---|---|---|---|---|')
for r in rows:
    print('| ' + ' | '.join(r) + ' |')

# Targets of issue 4.
def best_disruptor(t):
    vals = [thr[(p, t)] for p in ('disruptorBlocking', 'disruptorYielding', 'disruptorSleeping') if (p, t) in thr]
    return max(vals) if vals else None

def check(ok):
    return 'n/a' if ok is None else ('PASS' if ok else 'FAIL')

def ge(b, p, k):
    return None if b is None or p is None else b >= k * p

def le(v, k):
    return None if v is None else v <= k

e2 = thr.get(('dispatcherEnqueue', 2))
s2 = thr.get(('dispatcherSubmit', 2))
l1 = lat.get(('dispatcherEnqueue', 1), {})
idle_ns = [int(idle[k]) for k in ('idle.cpu.ns.fresh', 'idle.cpu.ns.afterTraffic') if k in idle]
targets = [
    ('fire-and-forget, 2 producers >= 0.5x ABQ+drainTo (aim 0.8x)', ratio(e2, thr.get(('abqDrainTo', 2))),
     check(ge(e2, thr.get(('abqDrainTo', 2)), 0.5))),
    ('fire-and-forget, 2 producers >= 3x Reactor', ratio(e2, thr.get(('reactorBufferTimeout', 2))),
     check(ge(e2, thr.get(('reactorBufferTimeout', 2)), 3))),
    ('fire-and-forget, 2 producers >= 1x best Disruptor', ratio(e2, best_disruptor(2)),
     check(ge(e2, best_disruptor(2), 1))),
    ('with futures, 2 producers >= 3x gax', ratio(s2, thr.get(('gaxBatcher', 2))),
     check(ge(s2, thr.get(('gaxBatcher', 2)), 3))),
    ('with futures <= 80 B/item (2 producers)', bytes_(alloc.get(('dispatcherSubmit', 2))),
     check(le(alloc.get(('dispatcherSubmit', 2)), 80))),
    ('fire-and-forget <= 16 B/item (2 producers)', bytes_(alloc.get(('dispatcherEnqueue', 2))),
     check(le(alloc.get(('dispatcherEnqueue', 2)), 16))),
    ('uncontended submit p50 <= 100 ns', ns(l1.get('50.0')), check(le(l1.get('50.0'), 100))),
    ('uncontended submit p99.9 <= 5 us', ns(l1.get('99.9')), check(le(l1.get('99.9'), 5000))),
    # "No CPU": allow what one timer wake-up or a ThreadMXBean read costs (well under 1 ms in 5 s).
    ('idle: no CPU time (< 1 ms per 5 s, both phases)', ', '.join(format(v, ',') + ' ns' for v in idle_ns) or 'n/a',
     check(None if not idle_ns else max(idle_ns) < 1_000_000)),
]
print()
print('| target (issue 4) | measured | result |')
print('|---|---|---|')
for t in targets:
    print('| ' + ' | '.join(t) + ' |')
PY
} | tee "$out.md"
echo >&2
echo "Table saved to $out.md; raw results $out.json; JMH log $out.log" >&2

#!/usr/bin/env bash
# Benchmarks the Dispatcher against the practical limit of a bounded hand-off in ONE JMH run and prints the table
# and the targets of issue 7 ("As fast as the hardware allows") as markdown.
#
#   scripts/bench.sh [--quick|--full] [extra JMH options...]
#
#   --quick  (default) the four columns of issue 7 (JCTools MpscArrayQueue + drain, ArrayBlockingQueue + drainTo,
#            Dispatcher enqueue, Dispatcher submit) at 2 and 4 producers and uncontended latency, and the reference
#            for submit (JCTools + drain with a future per item, completed on a third thread);
#            3 forks of 1 x 2 s warm-up and 2 x 3 s measurement per variant (on 2 cores one fork can settle into a
#            fast or a slow schedule for its whole life, so a ratio from one fork is a coin toss; JMH averages the
#            forks), then PacedLatency: about 11 minutes
#   --durable the Dispatcher with its buffer in memory, then durable with fsync interval (10 ms), the same staged on
#            /dev/shm (buffer.durable.staging-directory), and always, for enqueue and submit at 1 and 2 producers
#            (issue 11); 1 fork, 1 x 2 s warm-up, 2 x 3 s measurement: about 8 minutes; prints items/s and the ratio to
#            the in-memory enqueue of the same run
#   --full   every variant (adds 1 producer, latency with 4 producers, and the peers Reactor, Disruptor Blocking,
#            Yielding and Sleeping, gax), 2 forks, 3 x 3 s warm-up, 5 x 5 s measurement: about 40 minutes;
#            prints a third table with every variant
#
# Throughput (items/s) and allocation (-prof gc, gc.alloc.rate.norm = bytes per item, all threads) come from
# ThroughputBench, submit latency percentiles from LatencyBench (Mode.SampleTime), idle CPU from the IdleCpu main
# run after JMH (the Dispatcher, and the JCTools pipeline for reference), latency below saturation from the
# PacedLatency main (one producer at 1 and 5 M items/s offered, on a pre-touched heap; LatencyBench's producer
# runs flat out). Every pipeline cuts batches of 100 items or 10 ms into the same counting sink, and is measured with
# its long-lived structures in the old generation, as in a service (Tenure.java: G1's write barrier costs a fence per
# reference stored into an old array); a short extra pass measures JCTools with its array young, for reference. Results:
# batcher-benchmarks/target/bench-<mode>-<time>.{json,log,idle*.txt,paced-*.txt,md}.
# Compare ratios within one run: the absolute numbers on a shared 2-core machine are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=quick
if [ $# -gt 0 ]; then
  case "$1" in
    --quick) mode=quick; shift ;;
    --full) mode=full; shift ;;
    --durable) mode=durable; shift ;;
    -h|--help) sed -n '2,/^set -euo pipefail/{/^set /!p}' "$0"; exit 0 ;;
  esac
fi

if [ "$mode" = durable ]; then
  impls=dispatcherEnqueue,dispatcherSubmit,durableIntervalEnqueue,durableIntervalSubmit,durableStagedIntervalEnqueue,durableStagedIntervalSubmit,durableAlwaysEnqueue,durableAlwaysSubmit
  echo "Building batcher-benchmarks..." >&2
  mvn -B -q -pl batcher-benchmarks -am package -DskipTests -Dmodelcheck.skip >&2
  out=batcher-benchmarks/target/bench-durable-$(date -u +%Y%m%dT%H%M%SZ)
  echo "Running JMH (durable): log in $out.log" >&2
  java -jar batcher-benchmarks/target/benchmarks.jar 'dev\.batcher\.bench\.ThroughputBench\.p[12]$' \
    -f 1 -wi 1 -i 2 -w 2s -r 3s -p impl="$impls" -rf json -rff "$out.json" "$@" > "$out.log" 2>&1 || {
    echo "JMH failed, see $out.log" >&2; tail -30 "$out.log" >&2; exit 1; }
  {
    echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | sed -n 2p); durable directory: ${TMPDIR:-/tmp} ($(df -T "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}')); command: scripts/bench.sh --durable"
    echo
    python3 - "$out.json" <<'PY'
import json, sys
thr = {}
for r in json.load(open(sys.argv[1])):
    method = r['benchmark'].split('.')[-1]
    thr[(r['params']['impl'], int(method[1:]))] = r['primaryMetric']['score']
rows = [('dispatcherEnqueue', 'in memory, `enqueue`'), ('dispatcherSubmit', 'in memory, `submit`'),
        ('durableIntervalEnqueue', 'durable, fsync interval 10 ms, `enqueue`'),
        ('durableIntervalSubmit', 'durable, fsync interval 10 ms, `submit`'),
        ('durableStagedIntervalEnqueue', 'durable, fsync interval 10 ms, staged on /dev/shm, `enqueue`'),
        ('durableStagedIntervalSubmit', 'durable, fsync interval 10 ms, staged on /dev/shm, `submit`'),
        ('durableAlwaysEnqueue', 'durable, fsync always, `enqueue`'),
        ('durableAlwaysSubmit', 'durable, fsync always, `submit`')]
def cell(impl, t):
    v, ref = thr.get((impl, t)), thr.get(('dispatcherEnqueue', t))
    if v is None:
        return 'n/a'
    return '{:,.0f} ({:.3f}x)'.format(v, v / ref) if ref else '{:,.0f}'.format(v)
print('| items/s (ratio to in-memory `enqueue`) | 1 producer | 2 producers |')
print('|---|---|---|')
for impl, name in rows:
    print('| %s | %s | %s |' % (name, cell(impl, 1), cell(impl, 2)))
def verdict(impl):
    r = [thr[(impl, t)] / thr[('dispatcherEnqueue', t)] for t in (1, 2)
         if (impl, t) in thr and ('dispatcherEnqueue', t) in thr]
    return r and '%s (%s)' % ('PASS' if min(r) >= 0.25 else 'FAIL', ', '.join('%.3fx' % v for v in r))
if verdict('durableIntervalEnqueue'):
    print()
    print('Target of issue 11 (durable `enqueue` with fsync interval >= 0.25x in-memory `enqueue`): %s'
          % verdict('durableIntervalEnqueue'))
if verdict('durableStagedIntervalEnqueue'):
    print('The same with buffer.durable.staging-directory=/dev/shm (opt-in): %s'
          % verdict('durableStagedIntervalEnqueue'))
PY
  } | tee "$out.md"
  exit 0
fi

main_impls=jctoolsMpsc,abqDrainTo,dispatcherEnqueue,dispatcherSubmit
# The reference for submit: what a future per item costs a lock-free hand-off that completes it off the consumer.
ref_impls=jctoolsMpscFutures
if [ "$mode" = quick ]; then
  impls=$main_impls,$ref_impls
  benchmarks='dev\.batcher\.bench\.(ThroughputBench\.p[24]|LatencyBench\.t1)$'
  jmh_opts=(-f 3 -wi 1 -i 2 -w 2s -r 3s)
else
  impls=$main_impls,$ref_impls,reactorBufferTimeout,disruptorBlocking,disruptorYielding,disruptorSleeping,gaxBatcher
  benchmarks='dev\.batcher\.bench\.(ThroughputBench\.p[124]|LatencyBench\.t[14])$'
  jmh_opts=(-f 2 -wi 3 -i 5 -w 3s -r 5s)
fi
# BENCH_JMH_OPTS replaces the mode's fork and iteration options (JMH refuses an option given twice), for example
# BENCH_JMH_OPTS='-f 1 -wi 1 -i 2 -w 2s -r 3s' scripts/bench.sh --full: every peer in about 10 minutes.
if [ -n "${BENCH_JMH_OPTS:-}" ]; then read -ra jmh_opts <<< "$BENCH_JMH_OPTS"; fi

echo "Building batcher-benchmarks..." >&2
mvn -B -q -pl batcher-benchmarks -am package -DskipTests >&2

jar=batcher-benchmarks/target/benchmarks.jar
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=batcher-benchmarks/target/bench-$mode-$stamp
engine="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain -- batcher-core 2>/dev/null)" ]; then engine="$engine + uncommitted batcher-core changes"; fi
echo "Running JMH ($mode): log in $out.log" >&2
java -jar "$jar" "$benchmarks" \
  "${jmh_opts[@]}" -p impl="$impls" -p target="$main_impls,$ref_impls" -prof gc -rf json -rff "$out.json" "$@" > "$out.log" 2>&1 || {
  echo "JMH failed, see $out.log" >&2; tail -30 "$out.log" >&2; exit 1; }

# Every benchmark tenures its pipeline before it measures (Tenure.java): in a service, a queue's array is in the old
# generation, where G1's write barrier costs a fence per stored reference. This pass measures JCTools with its array
# left young (its JVM never collects: it allocates nothing), as the runs before 2026-11-30 09:30 UTC did, for reference.
echo "Running JMH (JCTools with its array young, for reference): log in $out.young.log" >&2
java -jar "$jar" 'dev\.batcher\.bench\.ThroughputBench\.p[24]$' "${jmh_opts[@]}" -p impl=jctoolsMpsc \
  -jvmArgsAppend -Dbench.tenure=false -rf json -rff "$out.young.json" > "$out.young.log" 2>&1 \
  || echo "The young-array pass failed, see $out.young.log" >&2

echo "Measuring idle CPU (Dispatcher, then JCTools; 2 x 5 s each)..." >&2
java -cp "$jar" dev.batcher.bench.IdleCpu 5000 dispatcher > "$out.idle.txt" 2>&1 || echo "IdleCpu failed, see $out.idle.txt" >&2
java -cp "$jar" dev.batcher.bench.IdleCpu 5000 jctoolsMpsc > "$out.idle-jctools.txt" 2>&1 \
  || echo "IdleCpu failed, see $out.idle-jctools.txt" >&2

echo "Measuring latency below saturation (PacedLatency, 1 and 5 M items/s offered; about 100 s)..." >&2
# The initial heap pre-touched: a fresh JVM's first writes to its heap fault pages in, which put about 10 µs at the
# p99.9 of every pipeline that allocates per item; a service that has run for a while has touched its heap already.
# (A fixed 3 GB heap, all pre-touched, made the young generation large and the tails from due time 5-10x longer.)
paced_jvm=(-Xmx3g -XX:+AlwaysPreTouch)
for rate in 1000000 5000000; do
  java "${paced_jvm[@]}" -cp "$jar" dev.batcher.bench.PacedLatency "$rate" 5 > "$out.paced-$rate.txt" 2>&1 \
    || echo "PacedLatency failed, see $out.paced-$rate.txt" >&2
done

{
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(uname -m); $(java -version 2>&1 | sed -n 2p); JMH 1.37; engine: batcher-core at $engine; command: scripts/bench.sh --$mode (${jmh_opts[*]})"
  echo
  python3 - "$out.json" "$out.idle.txt" "$out.idle-jctools.txt" "$mode" "$out.paced-1000000.txt" \
    "$out.paced-5000000.txt" "$out.young.json" <<'PY'
import json, sys

results = json.load(open(sys.argv[1]))
mode = sys.argv[4]


def read_idle(path):
    idle = {}
    try:
        for line in open(path):
            if '=' in line:
                k, v = line.strip().split('=', 1)
                idle[k] = v
    except OSError:
        pass
    return idle


idle = read_idle(sys.argv[2])
idle_ref = read_idle(sys.argv[3])

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
    'jctoolsMpsc': 'JCTools MPSC + drain', 'abqDrainTo': 'ArrayBlockingQueue + drainTo',
    'dispatcherEnqueue': 'Dispatcher `enqueue`', 'dispatcherSubmit': 'Dispatcher `submit`',
    'reactorBufferTimeout': 'Reactor sink + bufferTimeout', 'disruptorBlocking': 'Disruptor Blocking',
    'disruptorYielding': 'Disruptor Yielding', 'disruptorSleeping': 'Disruptor Sleeping',
    'gaxBatcher': 'gax BatcherImpl', 'jctoolsMpscFutures': 'JCTools MPSC + drain, a future per item',
}
MAIN = ['jctoolsMpsc', 'abqDrainTo', 'dispatcherEnqueue', 'dispatcherSubmit']
REF = 'jctoolsMpsc'


def mps(v):
    return 'n/a' if v is None else '%.1f M' % (v / 1e6)


def ratio(b, p):
    return None if b is None or p is None or p == 0 else b / p


def x(r):
    return 'n/a' if r is None else '%.2fx' % r


def ns(v):
    if v is None:
        return 'n/a'
    if v < 1000:
        return '%.0f ns' % v
    if v >= 1_000_000:
        return '%.1f ms' % (v / 1e6)
    return ('%.2f µs' if v < 10_000 else '%.0f µs') % (v / 1000)


def bytes_(v):
    return 'n/a' if v is None else '%.1f' % v


def pct(impl, threads, p):
    return lat.get((impl, threads), {}).get(p)


def throughput_cell(impl, t):
    v = thr.get((impl, t))
    if v is None or impl == REF:
        return mps(v)
    r = ratio(v, thr.get((REF, t)))
    return mps(v) + ('' if r is None else ' (%.2fx)' % r)


def latency_cell(impl, t):
    if (impl, t) not in lat:
        return 'n/a'
    return ' / '.join(ns(pct(impl, t, p)) for p in ('50.0', '99.0', '99.9'))


def alloc_cell(impl):
    return bytes_(alloc.get((impl, 2))) + ' / ' + bytes_(alloc.get((impl, 4)))


def table(header, rows):
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '---|' * len(header))
    for r in rows:
        print('| ' + ' | '.join(r) + ' |')


# 1. The table of issue 7, same rows and columns.
rows = []
for t in (2, 4):
    rows.append(['items/s, %d producers' % t] + [throughput_cell(i, t) for i in MAIN])
rows.append(['uncontended p50 / p99 / p99.9'] + [latency_cell(i, 1) for i in MAIN])
rows.append(['bytes allocated per item (2 / 4 producers)'] +
            [alloc_cell(i) for i in MAIN])
table([''] + [NAMES[i] for i in MAIN], rows)
print()
print('In brackets: items/s of the column / items/s of JCTools MPSC + drain in the same run. Every pipeline is '
      'measured with its long-lived structures in the old generation, as in a service (Tenure.java).')
young = {}
try:
    young_results = json.load(open(sys.argv[7]))
except (OSError, ValueError) as e:  # the shell said why the pass failed; say here that its line is missing
    young_results = []
    print()
    print('(No reference line for JCTools with its array young: %s.)' % e)
for r in young_results:
    young[int(r['benchmark'].split('.')[-1][1:])] = r['primaryMetric']['score']
if young:
    print()
    print('JCTools MPSC + drain with its array left in the young generation (`-Dbench.tenure=false`: it allocates '
          'nothing, so its JVM never collects, which no service does; how runs before 2026-11-30 09:30 UTC measured '
          'it): ' + ' / '.join(mps(young.get(t)) for t in (2, 4)) + ' with 2 / 4 producers; against it, '
          + '; '.join('%s %s' % (NAMES[i], ' / '.join(x(ratio(thr.get((i, t)), young.get(t))) for t in (2, 4)))
                      for i in ('dispatcherEnqueue', 'dispatcherSubmit')) + '.')

# 2. The targets of issue 7, as ratios to the reference measured in the same run.


def check(ok):
    return 'n/a' if ok is None else ('PASS' if ok else 'FAIL')


def at_least(r, k):
    return None if r is None else r >= k


def at_most(v, k):
    return None if v is None else v <= k


def worst(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


targets = []
for impl, k in (('dispatcherEnqueue', 0.8), ('dispatcherSubmit', 0.5)):
    for t in (2, 4):
        r = ratio(thr.get((impl, t)), thr.get((REF, t)))
        targets.append(('%s, %d producers >= %.1fx JCTools MPSC + drain' % (NAMES[impl], t, k), x(r),
                        check(at_least(r, k))))
p50, p999 = pct('dispatcherSubmit', 1, '50.0'), pct('dispatcherSubmit', 1, '99.9')
targets.append(('uncontended `submit` p50 <= 60 ns', ns(p50), check(at_most(p50, 60))))
targets.append(('uncontended `submit` p99.9 <= 1 µs', ns(p999), check(at_most(p999, 1000))))
for impl, limit in (('dispatcherEnqueue', 8), ('dispatcherSubmit', 40)):
    counts = [t for t in (1, 2, 4) if (impl, t) in alloc]
    vals = [alloc[(impl, t)] for t in counts]
    measured = ('%s B (%s producers)' % (' / '.join(bytes_(v) for v in vals), ' / '.join(map(str, counts)))
                if vals else 'n/a')
    targets.append(('%s <= %d B/item, at every producer count' % (NAMES[impl], limit), measured,
                    check(at_most(worst(vals), limit))))


def idle_ns(d):
    return [int(d[k]) for k in ('idle.cpu.ns.fresh', 'idle.cpu.ns.afterTraffic') if k in d]


def fmt_idle(vals):
    return ', '.join(format(v, ',') + ' ns' for v in vals) or 'n/a'


window = int(idle.get('idle.window.ms', '5000')) / 1000
d_idle, r_idle = idle_ns(idle), idle_ns(idle_ref)
# "No CPU": allow what one timer wake-up or a ThreadMXBean read costs (well under 1 ms in 5 s).
targets.append(('idle Dispatcher uses no CPU (< 1 ms per %g s, never used and after traffic)' % window,
                fmt_idle(d_idle) + ' (JCTools MPSC + drain: ' + fmt_idle(r_idle) + ')',
                check(None if len(d_idle) < 2 else max(d_idle) < 1_000_000)))
print()
table(['target (issue 7)', 'measured', 'result'], targets)

# 2b. The reference for submit: JCTools MPSC + drain where each put returns a future that a third thread completes
# once its batch is consumed (the Dispatcher's contract: no user continuation runs on the sending thread).
FREF = 'jctoolsMpscFutures'
if any(k[0] == FREF for k in list(thr) + list(lat)):
    cols = [REF, FREF, 'dispatcherSubmit']
    rows = []
    for t in (2, 4):
        rows.append(['items/s, %d producers' % t] + [mps(thr.get((i, t))) for i in cols])
        r = ratio(thr.get(('dispatcherSubmit', t)), thr.get((FREF, t)))
        rows[-1][-1] += '' if r is None else ' (%.2fx the reference)' % r
    rows.append(['uncontended p50 / p99 / p99.9 (saturated)'] + [latency_cell(i, 1) for i in cols])
    rows.append(['bytes allocated per item (2 / 4 producers)'] +
                [alloc_cell(i) for i in cols])
    print()
    print('The reference for `submit` (not a target of issue 7; what a future per item costs a lock-free hand-off '
          'whose futures complete on a third thread, as the Dispatcher\'s do):')
    print()
    table([''] + [NAMES[i] for i in cols], rows)

# 3. Below saturation: one producer at a fixed rate (PacedLatency), the duration of each call.
paced = {}
for path in sys.argv[5:7]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    rate = None
    for line in lines:
        if line.startswith('paced.rate='):
            rate = int(line.split('=')[1].split()[0])
        parts = line.split()
        if rate and len(parts) == 8 and parts[1] in ('service', 'response'):
            paced[(rate, parts[0], parts[1])] = [float(v) for v in parts[3:]]
if paced:
    rows = []
    for rate in sorted({k[0] for k in paced}):
        for what, label in (('service', 'call p50 / p99 / p99.9 / p99.99'), ('response', 'from due time p99.9')):
            cells = []
            for i in MAIN + [FREF]:
                v = paced.get((rate, i, what))
                if v is None:
                    cells.append('n/a')
                elif what == 'service':
                    cells.append(' / '.join(ns(x) for x in v[0:4]))
                else:
                    cells.append(ns(v[2]))
            rows.append(['%g M items/s offered, %s' % (rate / 1e6, label)] + cells)
    print()
    print('Below saturation (PacedLatency: one producer puts an item every 1/rate s; "from due time" counts the '
          'delay a stalled call causes the calls due behind it):')
    print()
    table([''] + [NAMES[i] for i in MAIN + [FREF]], rows)

# 4. Full mode: every variant that ran.
if mode == 'full':
    impls = [i for i in NAMES if any(k[0] == i for k in list(thr) + list(lat))]
    rows = []
    for t in (1, 2, 4):
        rows.append(['items/s, %d producer%s' % (t, '' if t == 1 else 's')] + [throughput_cell(i, t) for i in impls])
    for t in (1, 4):
        rows.append(['p50 / p99 / p99.9, %d producer%s' % (t, '' if t == 1 else 's')] +
                    [latency_cell(i, t) for i in impls])
    for t in (1, 2, 4):
        rows.append(['bytes allocated per item, %d producer%s' % (t, '' if t == 1 else 's')] +
                    [bytes_(alloc.get((i, t))) for i in impls])
    print()
    print('Every variant (ratios to JCTools MPSC + drain in brackets):')
    print()
    table([''] + [NAMES[i] for i in impls], rows)
PY
} | tee "$out.md"
echo >&2
echo "Table saved to $out.md; raw results $out.json; JMH log $out.log" >&2

#!/usr/bin/env python3
"""Where an analyzer stream thread's CPU goes, from JFR execution samples (docs/adr/0073).

Usage: jfr print --events jdk.ExecutionSample --stack-depth 128 run.jfr > run.txt
       bench/profile/stream-thread-parts.py run.txt [other.txt ...]

Each sample of the thread named like THREAD (default: the first stream thread) goes to the first
part, in the order below (most specific first), that a frame of its stack belongs to, read from
the top; then the top frames and each sample's top-most io.faultline frame.
"""
import collections
import os
import re
import sys

PARTS = [
    ("commons-math's random generator", r"org\.apache\.commons\.math3\.random\."),
    ("RocksDB", r"org\.rocksdb\.|RocksDBStore|RocksDBTimestampedStore"),
    ("Avro decode", r"org\.apache\.avro\..*([Dd]ecod|Reader)|AvroSerde\.decode"),
    ("Avro encode", r"org\.apache\.avro\.|AvroSerde\.encode"),
    ("window and state serdes (WindowPair, DDSketch, StateSerde)",
     r"WindowPairSerde|StateSerde|StateReader|StateWriter|Quantiles\.(encode|decode)"
     r"|com\.datadoghq\.sketch\..*(encod|decod|Input|Output)"
     r"|ValueAndTimestamp(Serializer|Deserializer)"),
    ("Streams' metrics (sensors)",
     r"org\.apache\.kafka\.common\.metrics\.|StreamsMetricsImpl\.maybeRecord|TaskMetrics|Sensor"),
    ("record cache (ThreadCache, NamedCache, CachingKeyValueStore, Position)",
     r"ThreadCache|NamedCache|CachingKeyValueStore|CachingWindowStore|LRUCacheEntry"
     r"|query\.Position|StoreQueryUtils"),
    ("changelog and sinks (RecordCollector, producer send)",
     r"ChangeLogging|RecordCollectorImpl|org\.apache\.kafka\.clients\.producer|SinkNode"
     r"|common\.record\.MemoryRecordsBuilder"),
    ("consumer, fetch and record queues",
     r"org\.apache\.kafka\.clients\.consumer|org\.apache\.kafka\.common\.record\.|RecordQueue"
     r"|PartitionGroup|RecordDeserializer|SourceNode"),
    ("our processors and statistics (io.faultline, the rest)", r"^io\.faultline\."),
    ("Streams' per-record plumbing (forward, contexts, task loop)", r"org\.apache\.kafka\.streams\."),
]
OTHER = "other (JDK code without a frame of the above)"
THREAD = os.environ.get("THREAD", 'StreamThread-1"')


def load(path):
    samples, stack, thread, inside = [], None, "", False
    for line in open(path, errors="replace"):
        s = line.strip()
        if s.startswith("sampledThread"):
            thread = s
        elif s.startswith("stackTrace = ["):
            inside, stack = True, []
        elif inside and s == "]":
            inside = False
            if THREAD in thread:
                samples.append(stack)
        elif inside and s != "...":
            stack.append(s.split(" line:")[0])
    return samples


def part(stack):
    for frame in stack:
        for name, pattern in PARTS:
            if re.search(pattern, frame):
                return name
    return OTHER


runs = [(os.path.basename(p), load(p)) for p in sys.argv[1:]]
if not runs or not all(s for _, s in runs):
    sys.exit("no samples of a thread matching %r in %s" % (THREAD, sys.argv[1:]))
names = [n for n, _ in PARTS] + [OTHER]
counts = {n: [collections.Counter(part(st) for st in s)[n] for _, s in runs] for n in names}
print("| part | " + " | ".join("%s (%d samples)" % (p, len(s)) for p, s in runs) + " |")
print("|---|" + "---|" * len(runs))
for n in names:
    print("| %s | %s |" % (n, " | ".join(
        "%.1f%%" % (100.0 * c / len(runs[j][1])) for j, c in enumerate(counts[n]))))
for p, s in runs:
    top = collections.Counter(st[0].split("(")[0] for st in s if st)
    own = collections.Counter(
        next((f.split("(")[0] for f in st if f.startswith("io.faultline.")), "(none)") for st in s)
    print("\n%s: top frames" % p)
    for f, c in top.most_common(15):
        print("%5.1f%% %s" % (100.0 * c / len(s), f))
    print("\n%s: top-most io.faultline frame" % p)
    for f, c in own.most_common(15):
        print("%5.1f%% %s" % (100.0 * c / len(s), f))

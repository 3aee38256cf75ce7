#!/usr/bin/env python3
"""Reads faultline's topics (alerts, results, ...) without faultline's jar: docs/consumers.md.

A record's value is Avro single-object encoded: the 2-byte marker C3 01, the 8-byte fingerprint
of the writer's schema (CRC-64-AVRO of its parsing canonical form, little-endian), then the Avro
binary body. The schemas and their fingerprints come from `faultline schemas export DIR`
(DIR/fingerprints.txt maps each fingerprint to its .avsc file).

  faultline_consumer.py SCHEMA_DIR FILE...            decode record values saved in files
  faultline_consumer.py SCHEMA_DIR --topic faultline.alerts --bootstrap-server HOST:9092
                                                      follow a topic (needs kafka-python)
Prints one JSON object per record.
"""
import io
import json
import os
import sys

import avro.io
import avro.schema

MARKER = b"\xc3\x01"


def load_schemas(schema_dir):
    """Writer schemas by fingerprint (16 hex digits, as on the wire)."""
    names = avro.schema.Names()  # the current files share Common.avsc's types
    by_path = {}
    with open(os.path.join(schema_dir, "fingerprints.txt")) as index:
        lines = [line.split() for line in index if line.strip() and not line.startswith("#")]
    for path in ["Common.avsc"] + [p for _, p, _ in lines]:
        if path in by_path:
            continue
        with open(os.path.join(schema_dir, path)) as f:
            scope = names if "/" not in path else avro.schema.Names()
            by_path[path] = avro.schema.make_avsc_object(json.load(f), scope)
    return {fingerprint: by_path[path] for fingerprint, path, _ in lines}


def decode(value, schemas):
    """One record value as a dict; None for a tombstone."""
    if value is None:
        return None
    if value[:2] != MARKER:
        raise ValueError("not Avro single-object encoded (no C3 01 marker)")
    fingerprint = value[2:10].hex()
    schema = schemas.get(fingerprint)
    if schema is None:
        raise ValueError("unknown schema fingerprint %s: export the schemas again" % fingerprint)
    reader = avro.io.DatumReader(schema)
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))


def main(argv):
    schemas = load_schemas(argv[1])
    if "--topic" in argv:
        from kafka import KafkaConsumer  # kafka-python

        topic = argv[argv.index("--topic") + 1]
        servers = argv[argv.index("--bootstrap-server") + 1]
        for record in KafkaConsumer(topic, bootstrap_servers=servers, auto_offset_reset="earliest"):
            print(json.dumps(decode(record.value, schemas), default=str), flush=True)
        return
    for path in argv[2:]:
        with open(path, "rb") as f:
            print(json.dumps(decode(f.read(), schemas), default=str))


if __name__ == "__main__":
    main(sys.argv)

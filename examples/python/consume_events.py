#!/usr/bin/env python3
"""Prints the emotion events of a topic as JSON lines, as a dashboard or a CRM hook would read them.

    consume_events.py --bootstrap-servers localhost:9092 --topic emotion-events --max 10

Reads with isolation.level=read_committed (with exactly-once, the job's events become visible at
its checkpoints; uncommitted ones are never shown), from the earliest offset for a new group.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer

from serwire import WireFormat


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap-servers", required=True)
    p.add_argument("--topic", default="emotion-events")
    p.add_argument("--group", default="ser-python-example")
    p.add_argument("--max", type=int, default=0, help="stop after this many events (0: never)")
    p.add_argument("--timeout", type=float, default=0, help="stop after this many seconds without one (0: never)")
    a = p.parse_args(argv)

    wire = WireFormat()
    consumer = Consumer({"bootstrap.servers": a.bootstrap_servers, "group.id": a.group,
                         "isolation.level": "read_committed", "auto.offset.reset": "earliest"})
    consumer.subscribe([a.topic])
    seen = 0
    last = time.monotonic()
    try:
        while not a.max or seen < a.max:
            msg = consumer.poll(0.5)
            if msg is None:
                if a.timeout and time.monotonic() - last > a.timeout:
                    break
                continue
            if msg.error():
                print(f"kafka: {msg.error()}", file=sys.stderr)
                continue
            headers = {k: v.decode("utf-8") for k, v in (msg.headers() or [])}
            name, e = wire.decode(msg.value(), reader="EmotionEvent/v2")
            print(json.dumps({"utterance_id": e["utteranceId"], "call_id": e["callId"], "channel": e["channel"],
                              "label": e["label"], "confidence": round(e["confidence"], 3), "uncertain": e["uncertain"],
                              "start": e["startTime"].isoformat(), "end": e["endTime"].isoformat(),
                              "model": e["modelName"] + " " + e["modelVersion"], "schema": name,
                              "content_type": headers.get("content-type"), "ser_model": headers.get("ser-model"),
                              "traceparent": headers.get("traceparent")}),
                  flush=True)
            seen += 1
            last = time.monotonic()
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Sends one channel of a call from a 16-bit PCM WAV file as AudioChunk records, as a softphone would.

    produce_call.py --bootstrap-servers localhost:9092 --topic audio-chunks \
        --call-id call-42 --channel customer --speed 1 call-42-customer.wav

Chunks are 100 ms, PCM_S16LE at the file's rate, keyed by the call id and sent with the murmur2
partitioner: the Java client's default, so this producer and Java ones put one call's chunks in the
same partition (librdkafka's default, consistent_random, would not). The last chunk says end of
stream.
"""
import argparse
import datetime
import sys
import time
import wave

from confluent_kafka import Producer

from serwire import WireFormat


def chunks(path, chunk_ms):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise SystemExit(f"{path}: need 16-bit mono PCM, got {8 * w.getsampwidth()}-bit x {w.getnchannels()}")
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
    step = rate * chunk_ms // 1000 * 2
    parts = [frames[i:i + step] for i in range(0, len(frames), step)] or [b""]
    return rate, parts


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap-servers", required=True)
    p.add_argument("--topic", default="audio-chunks")
    p.add_argument("--call-id", required=True)
    p.add_argument("--channel", default="customer")
    p.add_argument("--speed", type=float, default=1.0, help="1 = real time; 0 = as fast as possible")
    p.add_argument("--traceparent", help="a W3C traceparent for every chunk; the events of its utterances carry it")
    p.add_argument("wav")
    a = p.parse_args(argv)

    wire = WireFormat()
    rate, parts = chunks(a.wav, 100)
    producer = Producer({"bootstrap.servers": a.bootstrap_servers, "partitioner": "murmur2_random",
                         "enable.idempotence": True, "linger.ms": 5})
    errors = []
    start = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.monotonic()
    for seq, payload in enumerate(parts):
        record = {"callId": a.call_id, "channel": a.channel, "sequence": seq,
                  "captureTimestamp": start + datetime.timedelta(milliseconds=100 * seq),
                  "sampleRate": rate, "encoding": "PCM_S16LE", "payload": payload,
                  "endOfStream": seq == len(parts) - 1}
        headers = [("traceparent", a.traceparent.encode("ascii"))] if a.traceparent else None
        producer.produce(a.topic, key=a.call_id.encode("utf-8"), value=wire.encode("AudioChunk/v1", record),
                         headers=headers, on_delivery=lambda err, msg: err and errors.append(err))
        producer.poll(0)
        if a.speed > 0:
            time.sleep(max(0.0, t0 + 0.1 * (seq + 1) / a.speed - time.monotonic()))
    producer.flush(30)
    if errors:
        print(f"{len(errors)} chunks not delivered: {errors[0]}", file=sys.stderr)
        return 1
    print(f"sent {len(parts)} chunks of {a.call_id}/{a.channel} ({rate} Hz) to {a.topic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

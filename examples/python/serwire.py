"""The platform's wire format for Python clients: Avro single-object encoding.

Every record on our topics is: 0xC3 0x01, the writer schema's 8-byte fingerprint, then the Avro
binary body. The fingerprint bytes are taken from schemas/history/fingerprints.json, never computed
here: the Python avro library (1.11.1) computes the parsing canonical form differently from the
specification for fields such as {"type": "string", "avro.java.string": "String"}, so its
fingerprints differ from the ones the job writes and accepts (schemas/README.md, "Fingerprints").
"""
import io
import json
import os

import avro.io
import avro.schema

HISTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas", "history")


class WireFormat:
    """Released schemas by name/version and by header; encodes with one, decodes any released one."""

    def __init__(self, history=HISTORY):
        with open(os.path.join(history, "fingerprints.json")) as f:
            table = json.load(f)
        self.by_name = {}
        self.by_header = {}
        for name, entry in table.items():
            with open(os.path.join(history, entry["schema"])) as f:
                schema = avro.schema.parse(f.read())
            header = bytes.fromhex(entry["header"])
            self.by_name[name] = (schema, header)
            self.by_header[header] = (name, schema)

    def encode(self, name, datum):
        """Encodes datum (a dict) with the released schema name, e.g. "AudioChunk/v1"."""
        schema, header = self.by_name[name]
        body = io.BytesIO()
        avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(body))
        return header + body.getvalue()

    def decode(self, value, reader=None):
        """Decodes a record written with any released schema; read with reader (a name) if given.

        Read with the newest version of a record (for example "DeadLetter/v3"): readers that do
        not apply enum defaults fail on symbols added after the version they read with.
        """
        header = bytes(value[:10])
        if header[:2] != b"\xc3\x01" or header not in self.by_header:
            raise ValueError("not a record of a released schema: header " + header.hex(" "))
        name, writer = self.by_header[header]
        reader_schema = self.by_name[reader][0] if reader else writer
        datum = avro.io.DatumReader(writer, reader_schema).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
        return name, datum

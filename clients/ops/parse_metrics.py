#!/usr/bin/env python3
"""Reads a Prometheus text exposition on stdin and prints its samples as JSON, parsed by the
Prometheus project's own Python parser (prometheus_client.parser; Debian: python3-prometheus-client).
Output: [{"name": family, "type": type, "samples": [{"name", "labels", "value"}]}].
A malformed exposition makes the parser raise: exit 1 with the message on stderr."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": f.name,
                "type": f.type,
                "samples": [
                    {"name": s.name, "labels": s.labels, "value": None if math.isnan(s.value) else s.value}
                    for s in f.samples
                ],
            }
            for f in text_string_to_metric_families(text)
        ]
    except Exception as e:  # noqa: BLE001 - any parse failure means "not valid Prometheus text"
        sys.stderr.write("not valid Prometheus text: %s\n" % e)
        sys.exit(1)
    json.dump(families, sys.stdout)


if __name__ == "__main__":
    main()

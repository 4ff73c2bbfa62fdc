"""Whether the first and the last pipeline stage of a trace overlap in time.

Inside one sample the last stage waits for the first, so an mvm of the
first stage overlapping one of the last means two samples were in the
pipeline at once. Prints the stages and `overlap: yes` or `overlap: no`.
"""
import json
import sys

events = [
    e
    for e in json.load(open(sys.argv[1]))["traceEvents"]
    if e.get("ph") == "X" and e.get("cat") == "mvm"
]
stages = sorted({e["args"]["stage"] for e in events})
first = [(e["ts"], e["ts"] + e["dur"]) for e in events if e["args"]["stage"] == stages[0]]
last = [(e["ts"], e["ts"] + e["dur"]) for e in events if e["args"]["stage"] == stages[-1]]
first.sort()
overlap = False
for s, e in last:
    # Any first-stage interval with start < e and end > s.
    if any(fs < e and fe > s for fs, fe in first):
        overlap = True
        break
print(f"stages {stages[0]}..{stages[-1]}, {len(first)} + {len(last)} mvms")
print("overlap:", "yes" if overlap else "no")

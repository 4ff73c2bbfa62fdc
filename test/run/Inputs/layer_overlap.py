"""Whether a layer's mvms overlap the next layer's in time.

Under the layer-sequential schedule a layer waits for the whole of the
layer before it; under ll it starts on the first rows of its input. Samples
run one after the other under both, so an overlap of consecutive stages
happens inside one sample. Prints the overlapping stage pairs and `overlap: yes` or
`overlap: no`.
"""
import json
import sys

events = [
    e
    for e in json.load(open(sys.argv[1]))["traceEvents"]
    if e.get("ph") == "X" and e.get("cat") == "mvm"
]
by_stage = {}
for e in events:
    by_stage.setdefault(e["args"]["stage"], []).append((e["ts"], e["ts"] + e["dur"]))
stages = sorted(by_stage)
pairs = []
for a, b in zip(stages, stages[1:]):
    # Any mvm of one stage running while one of the next runs (samples run
    # one after the other, so only inside a sample can that happen).
    spans = sorted([(s, e, 0) for s, e in by_stage[a]] + [(s, e, 1) for s, e in by_stage[b]])
    open_end = [-1.0, -1.0]
    for s, e, k in spans:
        if open_end[1 - k] > s:
            pairs.append(f"{a}-{b}")
            break
        open_end[k] = max(open_end[k], e)
print(f"stages {stages[0]}..{stages[-1]}; overlapping: {' '.join(pairs) or 'none'}")
print("overlap:", "yes" if pairs else "no")

#!/usr/bin/env python3
"""The evidence behind cimc.distributed's choice of Dask over Ray: start a
local cluster of two single-threaded workers, run 20 tasks that each start
a process (as a sweep task starts cimc), one of which kills its worker
with SIGKILL on its first attempt, and report the start-up time, the time
for the tasks and whether every task came back. Run it in a venv holding
the engine:

    python3 -m venv /tmp/dask && /tmp/dask/bin/pip install 'dask[distributed]==2026.8.0'
    python3 -m venv /tmp/ray && /tmp/ray/bin/pip install 'ray==2.60.0'
    /tmp/dask/bin/python bench/engines.py dask
    /tmp/ray/bin/python bench/engines.py ray

(not a benchmark of cimc, so not in `scripts/dev bench`)."""

import argparse
import os
import signal
import subprocess
import tempfile
import time


def task(i, marker):
    if i == 3 and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return subprocess.run(["true"]).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=["dask", "ray"])
    engine = parser.parse_args().engine
    marker = tempfile.mktemp(prefix="engines-")
    started = time.time()
    if engine == "dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        up = time.time()
        results = client.gather([client.submit(task, i, marker, pure=False) for i in range(20)])
        ran = time.time()
        client.close()
        cluster.close()
    else:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        remote = ray.remote(num_cpus=1)(task)
        up = time.time()
        results = ray.get([remote.remote(i, marker) for i in range(20)])
        ran = time.time()
        ray.shutdown()
    print(
        f"{engine}: import and start {up - started:.2f} s, 20 tasks with one worker killed {ran - up:.2f} s, "
        f"{len(results)}/20 results, all ok: {all(r == 0 for r in results)}"
    )


if __name__ == "__main__":
    main()

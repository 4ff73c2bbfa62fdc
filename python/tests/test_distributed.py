"""cimc.distributed on a local Dask cluster of two worker processes: the
same records as the local `cimc sweep`, a worker killed in the middle of a
build costs no point, and a rerun finds everything done."""

import contextlib
import io
import stat
import unittest

import cimc
from cimc import distributed
from common import cimc_env, scratch, stable, write_spec


def killer(folder, real):
    """A cimc for the workers that, the first time it is asked to run
    points, kills the Dask worker process that started it (SIGKILL, as the
    OOM killer would), and otherwise is the real cimc."""
    mark = folder / "killed"
    script = folder / "cimc-killer"
    script.write_text(
        "#!/bin/sh\n"
        'case " $* " in *" --points "*)\n'
        f'  if mkdir "{mark}" 2>/dev/null; then kill -9 $PPID; exit 1; fi ;;\n'
        "esac\n"
        f'exec "{real}" "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, mark


class Distributed(unittest.TestCase):
    def test_cluster_run_equals_the_local_run(self):
        from distributed import Client, LocalCluster

        folder = scratch("dask")
        spec = write_spec(folder)
        real = cimc_env()
        local = cimc.sweep(spec, out=folder / "local", jobs=2, dataframe=False)
        points = cimc.plan(spec)
        self.assertEqual(len(points), 8)
        self.assertEqual(len({p["quantization"] for p in points if p["quantization"]}), 1)
        self.assertTrue(all(r["status"] == "ok" for r in local), [r.get("error") for r in local])

        worker_cimc, mark = killer(folder, real)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            remote = distributed.sweep(spec, client, out=folder / "dask", worker_cimc=str(worker_cimc), dataframe=False, log=None)
            self.assertTrue(mark.is_dir(), "a worker was killed")
            self.assertEqual([r["id"] for r in remote], [p["id"] for p in points])
            self.assertEqual(stable(remote), stable(local))
            # The same files as a local run: CSV, report, cached model.
            out = folder / "dask"
            self.assertEqual(len((out / "results.csv").read_text().splitlines()), 1 + len(points))
            self.assertTrue((out / "report.html").is_file())
            self.assertEqual(len(list((out / "cache").glob("*.int8.mlir"))), 1)
            # A rerun finds every point done.
            lines = (out / "results.jsonl").read_text()
            again = distributed.sweep(spec, client, out=out, worker_cimc=real, dataframe=False, log=None)
            self.assertEqual(stable(again), stable(remote))
            self.assertEqual((out / "results.jsonl").read_text(), lines)
        # The command line, on a cluster of its own: nothing left to run.
        status = distributed.main([str(spec), "--out", str(out), "--local", "1", "--cimc", real, "--worker-cimc", real])
        self.assertEqual(status, 0)
        self.assertEqual((out / "results.jsonl").read_text(), lines)

    def test_slurm_job_script(self):
        # dask-jobqueue renders the job without a Slurm installation.
        spec = write_spec(scratch("slurm"), float_model=False)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = distributed.main([str(spec), "--slurm", "4", "--slurm-cores", "2", "--slurm-queue", "cpu", "--print-job-script"])
        self.assertEqual(status, 0)
        self.assertIn("#SBATCH -p cpu", printed.getvalue())
        self.assertIn("--nworkers 2", printed.getvalue())

if __name__ == "__main__":
    unittest.main()

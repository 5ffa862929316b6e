"""What one `kerasreports run` executes: the jobs (reports x seeds), which of them the
cache skips, and the hidden folders that collect a multi-seed report's seeds until
`kerasreports.seeds` writes their aggregate and it is swapped into place.

`run.run` builds a `Plan`, hands `plan.specs` to `kerasreports.jobs`, then calls
`plan.finish_seeds` (or `plan.discard` when interrupted).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from kerasreports import catalog, outputs, run

log = logging.getLogger("kerasreports")


class Plan:
    """The jobs of a run: which reports (and seeds) run, which are cached, and the hidden
    folders that collect a multi-seed report's seeds until its aggregate is written."""

    def __init__(self, output_root: Path, checkpoints, restart: bool, force: bool,
                 tensorboard=None):
        self.output_root, self.checkpoints, self.restart = output_root, checkpoints, restart
        self.force, self.tensorboard = force, tensorboard
        self.specs: list[dict] = []
        self.cached: list[run.Outcome] = []
        self.staged: list[tuple[catalog.Report, Path, list[int]]] = []

    def _current(self, report, folder: Path, parts: dict, label: str) -> bool:
        from kerasreports import cache

        if not self.force and cache.is_current(folder, parts):
            log.info("=== %s: unchanged since its report was made (same notebook, "
                     "parameters, data, package and backend): skipped; --force reruns it",
                     label)
            return True
        if folder.is_dir() and not self.force:
            log.info("=== %s: rerun, changed: %s", label, ", ".join(cache.changed(folder, parts)))
        return False

    def _job(self, report, parameters: dict, final: Path, label: str, parts) -> None:
        from kerasreports import jobs

        self.specs.append(jobs.spec(report.name, parameters, self.output_root, final,
                                    label=label, checkpoints=self.checkpoints,
                                    restart=self.restart, key_parts=parts,
                                    tensorboard=self.tensorboard))

    def add(self, report: catalog.Report, parameters: dict, seeds: list[int] | None) -> None:
        from kerasreports import cache
        from kerasreports import seeds as seed_runs

        final = self.output_root / report.name
        if not seeds or len(seeds) == 1:
            parameters = dict(parameters, **({"seed": seeds[0]} if seeds else {}))
            parts = cache.key_parts(report, parameters)
            if self._current(report, final, parts, report.name):
                self.cached.append(run.Outcome(report.name, True, 0.0, final, cached=True))
            else:
                self._job(report, parameters, final, report.name, parts)
            return
        per_seed = {}
        for seed in seeds:
            values = dict(parameters, seed=seed)
            per_seed[seed] = (values, cache.key_parts(report, values))
        label = {seed: f"{report.name} seed {seed}" for seed in seeds}
        if all(self._current(report, final / seed_runs.seed_folder(s), per_seed[s][1],
                             label[s]) for s in seeds) and (final / "metrics.json").is_file():
            self.cached += [run.Outcome(label[s], True, 0.0, final / seed_runs.seed_folder(s),
                                    cached=True) for s in seeds]
            return
        stage = outputs.work_dir(self.output_root, report.name)  # removed if the run dies
        self.staged.append((report, stage, seeds))
        for seed in seeds:
            values, parts = per_seed[seed]
            target = stage / seed_runs.seed_folder(seed)
            earlier = final / seed_runs.seed_folder(seed)
            if not self.force and cache.is_current(earlier, parts):
                shutil.copytree(earlier, target)
                self.cached.append(run.Outcome(label[seed], True, 0.0, earlier, cached=True))
            else:
                self._job(report, values, target, label[seed], parts)

    def _keep_first_partial(self, report, stage: Path, seeds: list[int]) -> None:
        from kerasreports import seeds as seed_runs

        for seed in seeds:
            partial = stage / seed_runs.seed_folder(seed) / "failed.ipynb"
            if partial.is_file():
                run.keep_partial(partial, self.output_root / report.name)
                return

    def discard(self) -> None:
        """Remove the staging folders that are still here, keeping a partial notebook."""
        for report, stage, seeds in self.staged:
            if stage.is_dir():
                self._keep_first_partial(report, stage, seeds)
                shutil.rmtree(stage, ignore_errors=True)

    def finish_seeds(self, outcomes: list[run.Outcome], signals) -> list[run.Outcome]:
        """Aggregate each multi-seed report and swap it into place; a report none of
        whose seeds finished keeps its previous folder, with the first seed's failed
        notebook as failed.ipynb. Returns the outcomes of the aggregates."""
        from kerasreports import seeds as seed_runs

        finished = []
        for report, stage, seeds in self.staged:
            final = self.output_root / report.name
            failed = {s: o.error for s in seeds for o in outcomes
                      if o.name == f"{report.name} seed {s}" and not o.ok}
            record = seed_runs.write(stage, seeds, failed)
            if record is None:
                self._keep_first_partial(report, stage, seeds)
                shutil.rmtree(stage, ignore_errors=True)
                finished.append(run.Outcome(report.name, False, 0.0, final,
                                        f"no seed finished ({len(failed)} failed)"))
                continue
            with signals.deferred():
                run.move_into_place(stage, final)
            signals.raise_pending()
            for outcome in outcomes:  # the seeds' folders are in place now
                if outcome.report_dir.parent == stage:
                    outcome.report_dir = final / outcome.report_dir.name
            log.info("=== %s: %d of %d seeds aggregated: %s", report.name,
                     len(record["seeds"]), len(seeds), final / "summary.md")
            finished.append(run.Outcome(f"{report.name} (aggregate)", not failed,
                                    0.0, final, f"{len(failed)} seeds failed" if failed
                                    else ""))
        return finished

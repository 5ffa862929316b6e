"""Figures the reports show: learning curves, image grids, metric-vs-parameter curves.

Every function returns a `matplotlib.figure.Figure`; `record.Recorder.figure` saves it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def learning_curves(histories: dict[str, dict], metric: str = "loss", *,
                    title: str = "", ylabel: str | None = None, logy: bool = False):
    """Training (solid) and validation (dashed) `metric` per epoch, one colour per run."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for i, (label, history) in enumerate(histories.items()):
        colour = f"C{i}"
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], color=colour, label=f"{label} training")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], color=colour, linestyle="--",
                    label=f"{label} validation")
    return _finish(fig, ax, xlabel="epoch", ylabel=ylabel or metric, title=title, logy=logy)


def per_epoch(histories: dict[str, dict], key: str, *, title: str = "",
              ylabel: str | None = None, logy: bool = False):
    """One history key (e.g. "val_loss") per epoch, one line per run."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for label, history in histories.items():
        ax.plot(np.arange(1, len(history[key]) + 1), history[key], label=label)
    return _finish(fig, ax, xlabel="epoch", ylabel=ylabel or key, title=title, logy=logy)


def denoising_grid(clean, noisy, denoised, losses, *, title: str = "", image_shape=(28, 28)):
    """Rows clean / noisy / denoised for each image, its reconstruction loss above it."""
    n = len(clean)
    fig, axes = plt.subplots(3, n, figsize=(1.3 * n, 4.4))
    axes = np.asarray(axes).reshape(3, n)
    for j in range(n):
        for i, (row, name) in enumerate(((clean, "clean"), (noisy, "noisy"),
                                         (denoised, "denoised"))):
            ax = axes[i, j]
            ax.imshow(np.reshape(row[j], image_shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(name)
        axes[2, j].set_title(f"R_loss = {losses[j]:.4f}", fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def metric_vs_parameter(x, series: dict[str, list], *, xlabel: str, ylabel: str,
                        title: str = "", points: dict[str, tuple[list, list]] | None = None):
    """One line per series over `x`; `points` adds unconnected markers (e.g. the source's)."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for label, values in series.items():
        ax.plot(x, values, marker="o", label=label)
    for label, (px, py) in (points or {}).items():
        ax.scatter(px, py, marker="x", s=60, color="black", zorder=3, label=label)
    return _finish(fig, ax, xlabel=xlabel, ylabel=ylabel, title=title)


def _finish(fig, ax, *, xlabel: str, ylabel: str, title: str, logy: bool = False):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def page_grid(rows: list[dict[str, np.ndarray]], *, title: str = "", dpi: int = 100):
    """Grey pages side by side, one row per dict (column title -> page), near 1:1 pixels.

    Saved at `dpi` (the `Recorder` saves at 100), each panel keeps the page's own size, so
    text strokes are shown as they are rather than resampled.
    """
    ncols = max(len(row) for row in rows)
    width = max(page.shape[1] for row in rows for page in row.values())
    heights = [max(page.shape[0] for page in row.values()) for row in rows]
    fig, axes = plt.subplots(len(rows), ncols, squeeze=False,
                             figsize=(ncols * width / dpi, (sum(heights) + 40 * len(rows)) / dpi),
                             gridspec_kw={"height_ratios": heights})
    for r, row in enumerate(rows):
        for c, (label, page) in enumerate(row.items()):
            ax = axes[r, c]
            ax.imshow(page, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(label, fontsize=10)
            ax.set_axis_off()
        for c in range(len(row), ncols):
            axes[r, c].set_axis_off()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def objective_per_trial(trial_ids: list[str], values: list, *, objective: str,
                        direction: str, title: str = ""):
    """Each trial's objective in the order trials started; the best ringed, failures marked."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    x = np.arange(len(trial_ids))
    done = [i for i, v in enumerate(values) if v is not None]
    failed = [i for i, v in enumerate(values) if v is None]
    ax.plot(x[done], [values[i] for i in done], marker="o", linestyle=":", label="trial")
    if done:
        best = (max if direction == "max" else min)(done, key=lambda i: values[i])
        ax.scatter([best], [values[best]], s=160, facecolors="none", edgecolors="C3",
                   linewidths=2, label=f"best: trial {trial_ids[best]}", zorder=3)
    for k, i in enumerate(failed):
        ax.axvline(i, color="grey", alpha=0.4, linestyle="--",
                   label="failed trial" if k == 0 else None)
    ax.set_xticks(x, trial_ids, rotation=90 if len(x) > 12 else 0)
    return _finish(fig, ax, xlabel="trial", ylabel=objective, title=title)


def error_distributions(errors: dict[str, np.ndarray], *, title: str = ""):
    """The R4 source's Figures 2-5 for each labelled error set, one row each: a boxplot of
    every numeric error, a histogram without the boxplot's outliers, and their boxplot.

    NaN errors (predictions that are not numbers) are left out and counted in the label.
    """
    fig, axes = plt.subplots(len(errors), 3, figsize=(10, 2.4 * len(errors)), squeeze=False)
    for row, (label, values) in zip(axes, errors.items()):
        values = np.asarray(values, dtype=float)
        unreadable = int(np.isnan(values).sum())
        values = values[~np.isnan(values)]
        q1, q3 = np.percentile(values, [25, 75]) if len(values) else (0.0, 0.0)
        spread = 1.5 * (q3 - q1)
        inliers = values[(values >= q1 - spread) & (values <= q3 + spread)]
        if q1 == q3:  # most answers exact: the rule would keep only them; show every error
            inliers = values
        row[0].boxplot(values, orientation="horizontal")
        row[0].set_title(f"{label}: all errors" + (f" ({unreadable} not numbers)"
                                                   if unreadable else ""), fontsize=9)
        low, high = (inliers.min(), inliers.max()) if len(inliers) else (0, 0)
        row[1].hist(inliers, bins=np.arange(low - 0.5, high + 1.5), color="C0")
        row[1].set_title(f"without outliers ({len(values) - len(inliers)} removed)",
                         fontsize=9)
        row[1].set_yscale("log")
        # Its own whiskers would flag points again: the outliers are already removed.
        row[2].boxplot(inliers, orientation="horizontal", showfliers=False)
        row[2].set_title("boxplot without outliers", fontsize=9)
        for ax in row:
            ax.set_xlabel("true - predicted")
            ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_strips(rows: list[tuple[str, dict[str, np.ndarray]]], *, scale: float = 1.0):
    """Rows of image sequences, each shown as one strip: (row label, {column title:
    (length, 28, 28[, 1]) images}), e.g. an answer's true images beside generated ones."""
    ncols = max(len(columns) for _, columns in rows)
    fig, axes = plt.subplots(len(rows), ncols, squeeze=False,
                             figsize=(ncols * 1.6 * scale, len(rows) * 0.9 * scale))
    for r, (label, columns) in enumerate(rows):
        for c, (title, images) in enumerate(columns.items()):
            images = np.asarray(images)
            strip = np.concatenate(list(images.reshape(images.shape[0], 28, 28)), axis=1)
            ax = axes[r, c]
            ax.imshow(strip, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(title, fontsize=9)
            if c == 0:
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
        for c in range(len(columns), ncols):
            axes[r, c].set_axis_off()
    fig.tight_layout()
    return fig


def colour_grid(columns: dict[str, np.ndarray], *, title: str = "", size: float = 1.2):
    """Small colour images in a grid: one column per dict entry (title -> (n, h, w, 3)
    images in [0, 1]), the same n images down each column, shown pixel for pixel."""
    n = min(len(images) for images in columns.values())
    fig, axes = plt.subplots(n, len(columns), squeeze=False,
                             figsize=(len(columns) * size, n * size + 0.4))
    for c, (label, images) in enumerate(columns.items()):
        for r in range(n):
            ax = axes[r, c]
            ax.imshow(np.clip(images[r], 0, 1), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(label, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def accuracy_and_loss(histories: dict[str, dict], *, title: str = "", loss: str = "loss"):
    """Accuracy (left) and loss (right; the history key `loss`) per epoch, training solid
    and validation dashed, one colour per model: the source's per-model "accuracy plot"
    and "average loss plot" (e.g. seeds/002 Figs. 8-14) drawn for a whole family at once."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric in zip(axes, ("accuracy", loss)):
        for i, (label, history) in enumerate(histories.items()):
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], color=f"C{i}", label=f"{label}")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], color=f"C{i}", linestyle="--")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, title="solid: training, dashed: validation",
                   title_fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def step_losses(series: dict[str, list], *, title: str = "", reference: float | None = None,
                reference_label: str = ""):
    """Training loss per step (a "hockey stick"), log scale, one line per run, with an
    optional horizontal reference (e.g. ln(classes), a uniform guess's loss)."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for label, losses in series.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, label=label)
    if reference is not None:
        ax.axhline(reference, color="black", linestyle=":", label=reference_label)
    return _finish(fig, ax, xlabel="training step", ylabel="training loss", title=title,
                   logy=True)


def batch_size_study(batch_sizes: list[int], series: dict[str, list], seconds: list[float],
                     *, title: str = "", source: dict[str, tuple[list, list]] | None = None):
    """Accuracies (left) and training time (right) against the batch size (log 2 axis);
    `source` adds the source's points as crosses (label -> (batch sizes, values))."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for label, values in series.items():
        left.plot(batch_sizes, values, marker="o", label=label)
    for i, (label, (px, py)) in enumerate((source or {}).items()):
        left.scatter(px, py, marker="x", s=50, color=f"C{i + len(series)}", zorder=3,
                     label=label)
    right.plot(batch_sizes, seconds, marker="o", color="C0")
    for ax, ylabel in ((left, "accuracy"), (right, "training time (s)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("batch size")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    left.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def attention_maps(maps: list[tuple[str, list[str], list[str], np.ndarray]], *,
                   title: str = "", columns: int = 3):
    """One heat map per sentence: rows the output words, columns the source words, the
    decoder's attention weight of each pair. `maps`: (caption, source words, output
    words, weights (output words, source positions)); positions past the source words
    (padding) are cut off."""
    rows = -(-len(maps) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.6 * rows),
                             squeeze=False)
    for ax, (caption, source, output, weights) in zip(axes.flat, maps):
        weights = np.asarray(weights)[: len(output), : len(source)]
        ax.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(source)), source, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(output)), output, fontsize=7)
        ax.set_title(caption, fontsize=8)
    for ax in list(axes.flat)[len(maps):]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def source_vs_ours_rows(tables: dict[str, dict], *, ylabel: str = "test char accuracy"):
    """One panel per sweep table: the source's value and ours for each row that ran, and
    a dotted line per chance level. `tables`: title -> {"rows": [row numbers],
    "source": [...], "ours": [...], "chance": {label: value}}."""
    fig, axes = plt.subplots(1, len(tables), figsize=(4.2 * len(tables), 3.6), squeeze=False)
    for ax, (title, table) in zip(axes[0], tables.items()):
        x = np.arange(len(table["rows"]))
        ax.bar(x - 0.2, table["source"], 0.4, label="source", color="C7")
        ax.bar(x + 0.2, table["ours"], 0.4, label="ours", color="C0")
        for i, (label, value) in enumerate(table.get("chance", {}).items()):
            ax.axhline(value, color="C3", linestyle=":", linewidth=1,
                       label="chance" if i == 0 else None)
        ax.set_xticks(x, [str(n) for n in table["rows"]])
        ax.set_xlabel("row")
        ax.set_ylim(0, 1)
        ax.set_title(title, fontsize=9)
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig

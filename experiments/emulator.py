"""Gaussian-process emulators of the fitted figures, their validation, and the implausibility of a parameter set.

An emulator stands in for the model: for a point of the (unit-cube) parameter space it gives the mean and the
standard deviation of what one run there would measure.  Each figure has its own: a ridge regression on the
parameters for the trend, and a Gaussian process (scikit-learn: a scaled squared-exponential kernel with one length
scale per parameter, plus a white-noise term) on what the trend leaves.  The white-noise term is the model's own
chance (a seed is a town and a history of life events); it is part of the standard deviation the emulator gives,
because the calibration asks where a run, not an average of runs, looks like England.

Why scikit-learn: its ``GaussianProcessRegressor`` fits the kernel's hyperparameters by maximum likelihood with
restarts, is maintained, and needs no GPU; the emulators of a wave (two dozen figures, a few hundred runs in two
dozen dimensions) fit in a minute or two on two cores.

The implausibility of a point for a figure is the distance from the figure's target (the middle of its band) to
the emulator's mean, in standard deviations of everything that separates them: the emulator's (with the run's
chance) and the figure's own (its band is ``band_sds`` standard deviations either side of the middle: what England's
figure would be in a town like this one).  A point whose implausibility passes the cut-off on more than
``ignore_worst`` figures is ruled out (history matching: Vernon, Goldstein and Bower 2010; Andrianakis et al. 2015).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.linear_model import Ridge


@dataclass
class FigureEmulator:
    """One figure's emulator: a linear trend on every parameter and a Gaussian process on the residuals over the
    figure's active parameters (in units of ``scale``)."""

    trend: Ridge
    active: np.ndarray  # the columns the Gaussian process sees
    process: GaussianProcessRegressor
    scale: float

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of one run's value at each row of ``x`` (unit cube)."""
        mean, sd = self.process.predict(x[:, self.active], return_std=True)
        return (self.trend.predict(x) + mean) * self.scale, sd * self.scale


def fit_figure(x: np.ndarray, y: np.ndarray, scale: float, seed: int, active: int,
               like: FigureEmulator | None = None) -> FigureEmulator:
    """The emulator of one figure from runs at ``x`` (unit cube) measuring ``y`` (runs with no measure dropped).

    The Gaussian process sees the ``active`` parameters with the largest linear effects (Vernon et al.'s active
    variables: the rest are left to the trend and the noise term), which keeps its fit to seconds in thirty
    dimensions.  With ``like``, the active parameters and kernel of an emulator fitted before (on part of these
    runs) are kept and only conditioned on these runs."""
    keep = np.isfinite(y)
    x, y = x[keep], y[keep] / scale
    trend = Ridge(alpha=1e-3).fit(x, y)
    if like is None:
        chosen = np.sort(np.argsort(-np.abs(trend.coef_))[:active])
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(len(chosen), 1.0), (0.05, 100.0))
                  + WhiteKernel(0.1, (1e-5, 10.0)))
        process = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed)
    else:
        chosen = like.active
        process = GaussianProcessRegressor(like.process.kernel_, normalize_y=True, optimizer=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a length scale at its bound: the figure ignores it
        process.fit(x[:, chosen], y - trend.predict(x))
    return FigureEmulator(trend, chosen, process, scale)


@dataclass
class Emulators:
    """The emulators of one wave, figure -> emulator, with each figure's target and standard deviation."""

    figures: dict[str, FigureEmulator]
    target: dict[str, float]  # the middle of the figure's band
    sd: dict[str, float]  # the figure's own standard deviation: half its band / band_sds

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Means and standard deviations, shape (points, figures) in the order of ``figures``."""
        pairs = [emulator.predict(x) for emulator in self.figures.values()]
        return np.column_stack([m for m, _ in pairs]), np.column_stack([s for _, s in pairs])

    def implausibility(self, x: np.ndarray) -> np.ndarray:
        """Implausibility of each row of ``x`` for each figure, shape (points, figures)."""
        return self.implausibility_and_log_likelihood(*self.predict(x))[0]

    def not_ruled_out(self, x: np.ndarray, cutoff: float, ignore_worst: int) -> np.ndarray:
        """Which rows of ``x`` have at most ``ignore_worst`` figures with an implausibility above ``cutoff`` (the
        same as ``worst_but(implausibility(x), ignore_worst) <= cutoff``, a figure at a time: a point ruled out is
        not emulated further)."""
        misses = np.zeros(len(x), dtype=int)
        alive = np.arange(len(x))
        for name, figure in self.figures.items():
            if len(alive) == 0:
                break
            mean, sd = figure.predict(x[alive])
            misses[alive] += np.abs(mean - self.target[name]) > cutoff * np.sqrt(sd**2 + self.sd[name] ** 2)
            alive = alive[misses[alive] <= ignore_worst]
        return misses <= ignore_worst

    def implausibility_and_log_likelihood(self, mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """From the emulators' ``mean`` and ``sd`` at some points: each figure's implausibility (points x figures)
        and the log of the Gaussian likelihood of every target (up to a constant)."""
        target = np.array([self.target[n] for n in self.figures])
        variance = sd**2 + np.array([self.sd[n] for n in self.figures]) ** 2
        implausibility = np.abs(mean - target) / np.sqrt(variance)
        return implausibility, -0.5 * np.sum(implausibility**2 + np.log(variance), axis=1)


def fit(x: np.ndarray, y: dict[str, np.ndarray], target: dict[str, float], sd: dict[str, float], scale: dict[str, float],
        seed: int, workers: int, active: int, like: Emulators | None = None) -> Emulators:
    """Fit every figure's emulator on runs at ``x`` (unit cube) measuring ``y`` (figure -> values), in parallel;
    with ``like``, keep its active parameters and kernels (:func:`fit_figure`)."""
    names = list(y)
    fitted = Parallel(n_jobs=workers)(
        delayed(fit_figure)(x, y[n], scale[n], seed, active, None if like is None else like.figures[n]) for n in names)
    return Emulators(dict(zip(names, fitted)), dict(target), dict(sd))


def validate(emulators: Emulators, x: np.ndarray, y: dict[str, np.ndarray]) -> list[dict]:
    """How well emulators fitted without the runs at ``x`` predict them: per figure, the share of runs within two
    standard deviations of the prediction (about 0.95 for a good emulator), the root mean square error in units of
    the figure's band's half-width, and the share of the runs' variance the mean explains."""
    mean, sd = emulators.predict(x)
    rows = []
    for k, name in enumerate(emulators.figures):
        keep = np.isfinite(y[name])
        truth, m, s = y[name][keep], mean[keep, k], sd[keep, k]
        half_width = emulators.figures[name].scale  # each figure is emulated in units of its band's half-width
        residual = truth - m
        rows.append({"figure": name, "runs": int(keep.sum()),
                     "within_2sd": float(np.mean(np.abs(residual) <= 2 * s)),
                     "rmse_half_widths": float(np.sqrt(np.mean(residual**2)) / half_width),
                     "variance_explained": float(1 - np.var(residual) / np.var(truth)) if np.var(truth) > 0 else 0.0})
    return rows


def worst_but(implausibility: np.ndarray, ignore_worst: int) -> np.ndarray:
    """Each row's (ignore_worst+1)-th largest implausibility over the figures."""
    return -np.partition(-implausibility, ignore_worst, axis=1)[:, ignore_worst]

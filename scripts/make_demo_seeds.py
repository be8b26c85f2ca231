"""Generate the demo seeds: a synthetic weekly MMM with known truth.

Why synthetic: a model can only be checked for recovery against data whose truth is known.
The process below is the same structure the default model fits (geometric adstock, then
logistic saturation, additive controls, yearly seasonality and a linear trend), so the
seeded true contributions and ROAS are what a correct fit should recover.

Process (weekly, Monday weeks, 2022-01-03 .. 3.5 years):
    sales_t = base + trend * t/T + season_t + price_effect * (price_t - 1) + holiday_effect * hol_t
              + sum_c beta_c * logistic(lam_c * adstock_c(spend_c)_t / max_spend_c) + noise_t
with adstock_c the normalised geometric adstock over lags 0..6 and noise ~ Normal(0, sigma).

Raw inputs arrive at mixed grains, as real exports do: tv, social and display weekly, search
daily and print monthly (spread evenly over the month's days by the SQL layer).

Run: ``python scripts/make_demo_seeds.py`` (deterministic; rewrites seeds/demo/demo_*.csv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261122
START = pd.Timestamp("2022-01-03")  # a Monday
N_WEEKS = 182  # 3.5 years
MAX_LAG = 6
SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "demo"

# channel: (mean weekly spend, adstock alpha, logistic lam, beta = max weekly contribution)
CHANNELS: dict[str, tuple[float, float, float, float]] = {
    "tv": (3_000.0, 0.65, 1.2, 14_000.0),
    "search": (1_500.0, 0.10, 2.0, 9_000.0),
    "social": (1_200.0, 0.30, 1.5, 6_000.0),
    "display": (800.0, 0.25, 2.5, 2_500.0),
    "print": (1_000.0, 0.45, 1.0, 4_000.0),
}
BASE, TREND, SIGMA = 60_000.0, 8_000.0, 2_000.0
PRICE_EFFECT, HOLIDAY_EFFECT = -40_000.0, 9_000.0


def geometric_adstock(x: np.ndarray, alpha: float, max_lag: int) -> np.ndarray:
    """Normalised geometric adstock over lags 0..max_lag (pymc-marketing's default form)."""
    w = alpha ** np.arange(max_lag + 1)
    w = w / w.sum()
    out = np.zeros_like(x)
    for lag, wl in enumerate(w):
        out[lag:] += wl * x[: len(x) - lag]
    return out


def logistic(x: np.ndarray, lam: float) -> np.ndarray:
    return (1 - np.exp(-lam * x)) / (1 + np.exp(-lam * x))


def weekly_from_daily(daily: pd.Series) -> pd.Series:
    """Sum a daily series into Monday-start weeks, as the SQL panel does."""
    week = daily.index - pd.to_timedelta(daily.index.day_of_week, unit="D")
    return daily.groupby(week).sum()


def main() -> None:
    rng = np.random.default_rng(SEED)
    weeks = pd.date_range(START, periods=N_WEEKS, freq="7D")
    days = pd.date_range(START, weeks[-1] + pd.Timedelta(days=6), freq="D")
    t = np.arange(N_WEEKS) / (N_WEEKS - 1)

    raw_rows: list[dict] = []
    weekly_spend: dict[str, np.ndarray] = {}
    for name, (mean_spend, *_rest) in CHANNELS.items():
        # Flighted spend: a smooth seasonal plan times noise, with some dark weeks for tv.
        plan = mean_spend * (1 + 0.5 * np.sin(2 * np.pi * (t * 3.5 + rng.uniform())))
        spend = np.maximum(plan * rng.lognormal(0, 0.35, N_WEEKS), 0).round(2)
        if name == "tv":
            spend[rng.uniform(size=N_WEEKS) < 0.2] = 0.0
        if name == "search":
            daily = np.repeat(spend / 7, 7) * rng.lognormal(0, 0.1, len(days))
            daily = daily.round(2)
            raw_rows += [
                {"period_start": d.date(), "period_end": d.date(), "channel": name, "spend": s}
                for d, s in zip(days, daily, strict=True)
            ]
            weekly_spend[name] = weekly_from_daily(pd.Series(daily, index=days)).to_numpy()
        elif name == "print":
            months = pd.period_range(days[0], days[-1], freq="M")
            per_month = rng.uniform(0.3, 1.7, len(months)) * mean_spend * 4.33
            per_month[rng.uniform(size=len(months)) < 0.3] = 0.0  # dark months, as print runs
            per_month = per_month.round(2)
            daily = pd.Series(0.0, index=days)
            for m, amount in zip(months, per_month, strict=True):
                m_days = pd.date_range(m.start_time, m.end_time.normalize(), freq="D")
                daily.loc[daily.index.isin(m_days)] = amount / len(m_days)
                # months are reported whole; the demo window clips the last one
                first, last = max(m.start_time, days[0]), min(m.end_time.normalize(), days[-1])
                share = len(pd.date_range(first, last)) / len(m_days)
                raw_rows.append(
                    {
                        "period_start": first.date(),
                        "period_end": last.date(),
                        "channel": name,
                        "spend": round(amount * share, 2),
                    }
                )
            weekly_spend[name] = weekly_from_daily(daily).to_numpy()
        else:
            raw_rows += [
                {
                    "period_start": w.date(),
                    "period_end": (w + pd.Timedelta(days=6)).date(),
                    "channel": name,
                    "spend": s,
                }
                for w, s in zip(weeks, spend, strict=True)
            ]
            weekly_spend[name] = spend

    holiday = np.isin(weeks.isocalendar().week.to_numpy(), [1, 13, 47, 48, 51, 52]).astype(float)
    price = (1 + 0.05 * np.sin(2 * np.pi * t * 2) + rng.normal(0, 0.015, N_WEEKS)).round(4)
    doy = weeks.day_of_year.to_numpy()
    season = 6_000 * np.sin(2 * np.pi * doy / 365.25) + 3_000 * np.cos(4 * np.pi * doy / 365.25)

    contributions = {}
    truth_rows = []
    for name, (_mean, alpha, lam, beta) in CHANNELS.items():
        x = weekly_spend[name]
        scale = x.max()
        contributions[name] = beta * logistic(geometric_adstock(x, alpha, MAX_LAG) / scale, lam)
        truth_rows.append(
            {
                "channel": name,
                "adstock_alpha": alpha,
                "saturation_lam": lam,
                "saturation_beta_kpi": beta,
                "spend_scale": round(float(scale), 6),
                "total_spend": round(float(x.sum()), 6),
                "total_contribution": round(float(contributions[name].sum()), 6),
                "roas": round(float(contributions[name].sum() / x.sum()), 9),
            }
        )

    sales = (
        BASE
        + TREND * t
        + season
        + PRICE_EFFECT * (price - 1)
        + HOLIDAY_EFFECT * holiday
        + sum(contributions.values())
        + rng.normal(0, SIGMA, N_WEEKS)
    )

    SEEDS.mkdir(exist_ok=True)
    pd.DataFrame(raw_rows).sort_values(["channel", "period_start"]).to_csv(SEEDS / "demo_media_spend.csv", index=False)
    pd.DataFrame(
        {
            "period_start": weeks.date,
            "period_end": (weeks + pd.Timedelta(days=6)).date,
            "kpi": sales.round(2),
        }
    ).to_csv(SEEDS / "demo_kpi.csv", index=False)
    controls = pd.concat(
        [
            pd.DataFrame({"period_start": weeks.date, "control": "holiday", "value": holiday}),
            pd.DataFrame({"period_start": weeks.date, "control": "price_index", "value": price}),
        ]
    )
    week_end = pd.to_datetime(controls["period_start"]) + pd.Timedelta(days=6)
    controls.insert(1, "period_end", week_end.dt.date)
    controls.to_csv(SEEDS / "demo_controls.csv", index=False)
    pd.DataFrame(truth_rows).to_csv(SEEDS / "demo_true_parameters.csv", index=False)
    pd.DataFrame(
        [
            {"week_start": w.date(), "channel": c, "true_contribution_kpi": round(float(v[i]), 6)}
            for c, v in contributions.items()
            for i, w in enumerate(weeks)
        ]
    ).to_csv(SEEDS / "demo_true_contributions.csv", index=False)


if __name__ == "__main__":
    main()

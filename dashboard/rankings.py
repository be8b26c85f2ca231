"""Which channel returns most, said with the posterior's confidence.

Why: the order of the ROAS means is not the posterior's order. On the public case study the
means rank Insert first, yet no channel has the highest ROAS in more than 30% of the draws, and a
draw agrees with a published reference ranking's order on the three pairs the means swap in
44-45% of draws. A page that sorts by the mean alone would present a coin toss as a finding.
"""

from __future__ import annotations

import pandas as pd

# A channel is called the best only when it ranks first in most draws.
CLEAR_LEADER = 0.5


def best_channel_note(roas: pd.DataFrame) -> str:
    """One sentence on the channel with the highest P(highest ROAS), hedged below CLEAR_LEADER."""
    ranked = roas.dropna(subset=["prob_highest_roas"]).sort_values("prob_highest_roas", ascending=False)
    if ranked.empty:
        return "No channel has spend here, so none is ranked."
    top = ranked.iloc[0]
    if top["prob_highest_roas"] > CLEAR_LEADER:
        return f"{top['channel']} has the highest ROAS in {top['prob_highest_roas']:.0%} of the posterior draws."
    return (
        f"The data do not say which channel returns most: the likeliest, {top['channel']}, has the highest "
        f"ROAS in only {top['prob_highest_roas']:.0%} of the posterior draws."
    )

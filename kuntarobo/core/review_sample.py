"""How many proposals of a bulk approval a reviewer must open first.

GDPR art. 22 and chapter 8 b of the Administrative Procedure Act (434/2003) require that an
official's approval of a robot's proposals is a real review, not a signature on a batch. When a
reviewer approves all proposals the robot did not flag at once, the platform therefore asks
them to open a random sample of the batch first. The sample's size is a deployment setting
(percentage and minimum, `KUNTAROBO_REVIEW_SAMPLE_*`), not a legal figure: no law names one.
"""

from __future__ import annotations

import math


def sample_size(batch: int, percent: int, minimum: int) -> int:
    """`percent` of `batch` rounded up, at least `minimum`, never more than the batch itself.

    >>> sample_size(200, 5, 3)   # 5 % of 200 = 10
    10
    >>> sample_size(20, 5, 3)    # 5 % of 20 = 1, raised to the minimum
    3
    >>> sample_size(2, 5, 3)     # a batch smaller than the minimum: all of it
    2
    """
    if batch <= 0:
        return 0
    return min(batch, max(minimum, math.ceil(batch * percent / 100)))

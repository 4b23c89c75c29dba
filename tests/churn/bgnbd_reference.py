#!/usr/bin/env python3
"""Independent reference for segd's BG/NBD formulas (Fader, Hardie & Lee 2005).

Reads from standard input a first line `r alpha a b t` and then one customer per line,
`x t_x T`; prints for each customer `p_alive expected_purchases log_likelihood`, the three
separated by spaces, each in full precision.

Written from the paper, not from segd's Swift code, and on different footing where it can be:
- the log-likelihood is eq. 6 term by term, with SciPy's betaln and gammaln;
- P(alive) is the share of that likelihood in which the customer is still alive at T (the
  first term of eq. 6 over the whole), not the closed form segd uses;
- the conditional expectation is eq. 10 with SciPy's hyp2f1.

Fails (exit status 1, from the import) when NumPy or SciPy is missing: the Swift test that runs
this script must fail then, not skip.
"""
import sys

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1


def evaluate(r, alpha, a, b, t, x, tx, T):
    repeat = x > 0
    shared = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    # Eq. 6: alive at T after x purchases, or dropped out right after the last one (x > 0 only).
    alive = shared + betaln(a, b + x) - (r + x) * np.log(alpha + T)
    dropped = np.where(
        repeat,
        shared + betaln(a + 1, np.where(repeat, b + x - 1, b)) - (r + x) * np.log(alpha + tx),
        -np.inf,
    )
    log_likelihood = np.logaddexp(alive, dropped)
    p_alive = np.exp(alive - log_likelihood)
    # Eq. 10.
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    expected = (a + b + x - 1) / (a - 1) * bracket * p_alive
    return p_alive, expected, log_likelihood


def main():
    lines = sys.stdin.read().split("\n")
    r, alpha, a, b, t = (float(value) for value in lines[0].split())
    rows = np.array([[float(value) for value in line.split()] for line in lines[1:] if line.strip()])
    x, tx, T = rows[:, 0], rows[:, 1], rows[:, 2]
    for values in zip(*evaluate(r, alpha, a, b, t, x, tx, T)):
        print(" ".join(repr(float(value)) for value in values))


if __name__ == "__main__":
    main()

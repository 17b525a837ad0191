"""The auditable random draw of experts (随机抽选评委), plain Python without Django.

model      pool and spec from JSON, eligibility (七（四）5)
structure  expert types and the constraints on compositions
optimize   the maximin-then-minimax distribution (column generation over types)
conflicts  which constraints conflict when no committee is possible
lottery    integer tickets over compositions, exact probabilities
randomness canonical JSON, SHA-256, commit-reveal seed, counter-mode sampling
draw       the draw itself, reserves and substitutions; records and their verification
cli        `zhicheng draw run` and `zhicheng draw verify`
"""

"""The auditable random draw of experts (随机抽选评委), plain Python without Django.

model      pool and spec from JSON, eligibility (七（四）5)
structure  expert types and the constraints on compositions
pooling    version 2's types: employers pooled in coarse types, split out where needed
optimize   the maximin-then-minimax distribution (column generation over types)
conflicts  which constraints conflict when no committee is possible
lottery    integer tickets over compositions, exact probabilities
randomness canonical JSON, SHA-256, commit-reveal seed, counter-mode sampling
rounding   version 2's members: exact dependent rounding on the type × employer graph
draw       the draw itself, reserves and substitutions
record     records (version 2, and version 1 still verified) and their verification
verification a record's verification (problems, notes) and how both verify commands print it
cli        `zhicheng draw run` and `zhicheng draw verify`
"""

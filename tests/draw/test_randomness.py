import hashlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from zhicheng.draw.randomness import Stream, canonical_json, commitment, digest, seed_from_key, seed_key


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats():
    assert canonical_json({"b": 1, "a": ["土木", True, None]}) == '{"a":["土木",true,null],"b":1}'.encode()
    with pytest.raises(ValueError):
        digest({"p": 0.5})


def test_commitment_is_plain_sha256_of_the_secret():
    assert commitment("abc") == hashlib.sha256(b"abc").hexdigest()


def test_seed_key_follows_rfc3797_layout():
    key = seed_key({"office": "aa" * 16, "supervisor": "bb" * 16}, [3, 5, 8, 1, 0])
    assert key == "aa" * 16 + "/" + "bb" * 16 + "/3.5.8.1.0/"
    assert seed_from_key(key) == hashlib.sha256(key.encode()).digest()


def test_stream_is_sha256_counter_mode():
    seed = bytes(range(32))
    first = hashlib.sha256(seed + b"ticket\x00" + (0).to_bytes(8, "big")).digest()
    assert Stream(seed, "ticket").below(2**64) == int.from_bytes(first[:8], "big")


@given(st.binary(min_size=1, max_size=32), st.integers(1, 10**12))
def test_below_stays_in_range_and_is_deterministic(seed, bound):
    assert Stream(seed, "x").below(bound) == Stream(seed, "x").below(bound)
    assert 0 <= Stream(seed, "x").below(bound) < bound


def test_rejection_sampling_skips_words_in_the_biased_tail():
    # With bound 3·2^62 the limit is 3·2^62: any word at or above it must be rejected, not folded.
    stream = Stream(b"s", "x")
    bound = 3 * 2**62
    stream.words = iter([2**64 - 1, 3 * 2**62, 5])
    assert stream.below(bound) == 5


def test_below_is_uniform():
    stream = Stream(b"uniformity", "x")
    counts = Counter(stream.below(7) for _ in range(14000))
    assert chisquare([counts[i] for i in range(7)]).pvalue > 1e-4


def test_shuffle_is_a_uniform_permutation():
    stream = Stream(b"shuffle", "x")
    counts = Counter(tuple(stream.shuffle([1, 2, 3])) for _ in range(6000))
    assert len(counts) == 6
    assert chisquare(list(counts.values())).pvalue > 1e-4

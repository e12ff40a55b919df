"""The demo generator writes country names as people write them."""
from __future__ import annotations

import random
import re

import pytest

from corpus import sample


@pytest.mark.parametrize("name, expected", [
    ("the United Kingdom", "United Kingdom"), ("the United States", "United States"),
    ("Saudi Arabia", "Saudi Arabia"), ("Iran", "Iran"),
])
def test_sentence_start_keeps_the_name_as_written(name, expected):
    assert sample.sentence_start(name) == expected


def test_no_generated_title_lowers_a_country_name():
    rng = random.Random(7)
    titles = [sample.story(rng)[0] for _ in range(400)]
    assert not [t for t in titles if re.search(r"United (kingdom|states)|Saudi arabia", t)]
    assert any(t.startswith("United Kingdom and ") for t in titles)

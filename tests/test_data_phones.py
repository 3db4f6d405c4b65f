"""Phone tables, espeak-ng mnemonic mapping, alignment conversion and label derivation."""
import pytest

from train.data.features import fold_segments, frame_labels, label_sequence
from train.data.phones import (ESPEAK_TO_TIMIT, FOLD_61_TO_39, PHONE_INDEX, PHONES39, PHONES61,
                               espeak_to_timit, strip_stress)
from train.data.synthetic import SynthConfig, _plan, events_to_segments, VOICES


def test_tables():
    assert len(set(PHONES61)) == 61 and len(set(PHONES39)) == 39
    assert list(PHONES39) == sorted(PHONES39) and "sil" in PHONES39
    assert set(FOLD_61_TO_39) == set(PHONES61)
    assert FOLD_61_TO_39["q"] is None and FOLD_61_TO_39["h#"] == "sil"
    assert FOLD_61_TO_39["zh"] == "sh" and FOLD_61_TO_39["axr"] == "er"
    for phones in ESPEAK_TO_TIMIT.values():
        assert set(phones) <= set(PHONES61)


def test_unknown_mnemonic_is_an_error():
    with pytest.raises(KeyError, match="ESPEAK_TO_TIMIT"):
        espeak_to_timit("Q9")


def _mnemonics_of(texts_and_voices):
    from train.data.espeak import get_espeak

    espeak = get_espeak()
    seen = set()
    for text, voice in texts_and_voices:
        seen |= {strip_stress(m) for m, _ in espeak.synth(text, voice, 175, 50, 50).events}
    return seen


def _default_plan_mnemonics(stride):
    jobs = _plan(SynthConfig.preset("default"))[::stride]
    return _mnemonics_of([(j.text, f"en-us+{j.voice}") for j in jobs])


def test_mnemonics_of_default_corpus_sample_are_mapped():
    seen = _default_plan_mnemonics(stride=10)
    unmapped = {m for m in seen if m not in ESPEAK_TO_TIMIT and m != ";"}
    assert not unmapped
    # the sample exercises splits, the glide merge and every voice variant's inventory
    assert {"A@", "e@", "i@3", ";", "_:"} <= seen


@pytest.mark.slow
def test_mnemonics_of_whole_default_corpus_are_mapped():
    seen = _default_plan_mnemonics(stride=1)
    assert not {m for m in seen if m not in ESPEAK_TO_TIMIT and m != ";"}


def test_every_voice_variant_exists():
    assert _mnemonics_of([("Hello.", f"en-us+{v}") for v in VOICES])


def test_events_to_segments():
    events = [("D", 100), ("@2", 300), (";", 500), ("'A@", 600), ("_:", 1600), ("_", 2000),
              ("n", 2000), ("'i@3", 2400), ("_:", 3400), ("_", 3900)]
    segs = events_to_segments(events, 4000)
    assert segs == [(0, 100, "h#"), (100, 300, "dh"), (300, 600, "ax"), (600, 1200, "aa"),
                    (1200, 1600, "r"), (1600, 2000, "pau"), (2000, 2400, "n"),
                    (2400, 3000, "ih"), (3000, 3400, "r"), (3400, 4000, "h#")]


def test_fold_and_labels():
    segs = [(0, 400, "h#"), (400, 800, "q"), (800, 1200, "ix"), (1200, 1500, "pau"),
            (1500, 1700, "tcl"), (1700, 2000, "t"), (2000, 2600, "h#")]
    seg39 = fold_segments(segs)
    assert seg39 == [(0, 800, "sil"), (800, 1200, "ih"), (1200, 1700, "sil"),
                     (1700, 2000, "t"), (2000, 2600, "sil")]
    seq = label_sequence(seg39)
    assert [PHONES39[i] for i in seq] == ["ih", "sil", "t"]
    labels = frame_labels(seg39, 15)  # centres 200, 360, ..., 2440; frames past the end: sil
    expect = ["sil"] * 4 + ["ih"] * 3 + ["sil"] * 3 + ["t"] * 2 + ["sil"] * 3
    assert [PHONES39[i] for i in labels] == expect
    assert labels.dtype.name == "int64" and PHONE_INDEX["sil"] == PHONES39.index("sil")

"""Phone inventories: TIMIT's 61 symbols, the standard 39-class folding (Lee & Hon 1989),
and the table from espeak-ng's en-us phoneme mnemonics to TIMIT symbols.

Index order of the 39 classes (`PHONES39`) is alphabetical, with `sil` in its alphabetical
place; `PHONE_INDEX[p]` gives the integer label used by `frame_labels` and `label_seq`.

Folding 61 -> 39 (`FOLD_61_TO_39`): ao->aa; ax, ax-h->ah; axr->er; hv->hh; ix->ih; el->l;
em->m; en, nx->n; eng->ng; zh->sh; ux->uw; the closures bcl dcl gcl pcl tcl kcl and pau, epi,
h# -> sil; `q` (glottal stop) is deleted: its samples go to the preceding phone (or to the
following one at the very start). Every other symbol maps to itself.

espeak-ng mnemonics (`ESPEAK_TO_TIMIT`, stress marks ' , = % stripped first):
- one phone each, e.g. `T`->th, `D`->dh, `N`->ng, `j`->y, `t#`(flap)->dx, `@`->ax, `I#`->ix;
- R-coloured vowels and diphthong+schwa split into two phones, the first taking
  `SPLIT_FRACTION` of the duration: `A@`->aa r, `O@`/`o@`->ao r, `e@`->eh r, `i@3`->ih r,
  `U@`->uh r, `i@`->iy ax, `aI@`->ay ax, `aI3`->ay axr, `aU@`->aw ax;
- `;` (a short palatal glide espeak inserts, as in "the old") is merged into the previous phone;
- pauses (`_`, `_:`, `_!`, ...) become silence: `h#` before the first and after the last
  phone, `pau` in between.
The full table is printed in docs/data.md (`python -m train data phones`).
"""
from __future__ import annotations

__all__ = [
    "PHONES61", "PHONES39", "PHONE_INDEX", "SIL", "FOLD_61_TO_39", "ESPEAK_TO_TIMIT",
    "ESPEAK_MERGE_PREVIOUS", "SPLIT_FRACTION", "fold61", "strip_stress", "espeak_to_timit",
]

PHONES61: tuple[str, ...] = tuple("""
iy ih eh ey ae aa aw ay ah ao oy ow uh uw ux er ax ix axr ax-h
jh ch b d g p t k dx s sh z zh f th v dh m n ng em nx en eng l r w y hh hv el
bcl dcl gcl pcl tcl kcl q pau epi h#""".split())

FOLD_61_TO_39: dict[str, str | None] = {p: p for p in PHONES61}
FOLD_61_TO_39.update({
    "ao": "aa", "ax": "ah", "ax-h": "ah", "axr": "er", "hv": "hh", "ix": "ih", "el": "l",
    "em": "m", "en": "n", "nx": "n", "eng": "ng", "zh": "sh", "ux": "uw", "q": None,
})
for _p in ("bcl", "dcl", "gcl", "pcl", "tcl", "kcl", "pau", "epi", "h#"):
    FOLD_61_TO_39[_p] = "sil"

SIL = "sil"
PHONES39: tuple[str, ...] = tuple(sorted({v for v in FOLD_61_TO_39.values() if v is not None}))
PHONE_INDEX: dict[str, int] = {p: i for i, p in enumerate(PHONES39)}
assert len(PHONES61) == 61 and len(PHONES39) == 39

SPLIT_FRACTION = 0.6
"""Share of a split mnemonic's duration given to its first phone."""

ESPEAK_TO_TIMIT: dict[str, tuple[str, ...]] = {
    # consonants
    "p": ("p",), "b": ("b",), "t": ("t",), "t2": ("t",), "d": ("d",), "d#": ("d",),
    "k": ("k",), "g": ("g",), "x": ("k",), "f": ("f",), "v": ("v",), "T": ("th",),
    "D": ("dh",), "s": ("s",), "z": ("z",), "S": ("sh",), "Z": ("zh",), "h": ("hh",),
    "tS": ("ch",), "dZ": ("jh",), "m": ("m",), "n": ("n",), "N": ("ng",), "l": ("l",),
    "r": ("r",), "r-": ("r",), "w": ("w",), "j": ("y",), "t#": ("dx",), "?": ("q",),
    "n-": ("en",), "m-": ("em",), "l-": ("el",), "@L": ("el",),
    # monophthong vowels
    "i:": ("iy",), "i": ("iy",), "I": ("ih",), "I2": ("ix",), "I#": ("ix",), "E": ("eh",),
    "a": ("ae",), "aa": ("ae",), "a#": ("ax",), "A:": ("aa",), "0": ("aa",), "O:": ("ao",),
    "O2": ("ao",), "O": ("ao",), "V": ("ah",), "@": ("ax",), "@2": ("ax",), "@5": ("ax",),
    "3:": ("er",), "3": ("axr",), "U": ("uh",), "u:": ("uw",), "u": ("uw",),
    # diphthongs
    "eI": ("ey",), "aI": ("ay",), "aU": ("aw",), "oU": ("ow",), "OI": ("oy",),
    # R-coloured vowels and diphthong + schwa: two phones
    "A@": ("aa", "r"), "O@": ("ao", "r"), "o@": ("ao", "r"), "e@": ("eh", "r"),
    "i@3": ("ih", "r"), "U@": ("uh", "r"), "i@": ("iy", "ax"), "aI@": ("ay", "ax"),
    "aI3": ("ay", "axr"), "aU@": ("aw", "ax"),
    # pauses (edge pauses are turned into h# by `espeak_to_timit`'s caller)
    "_": ("pau",), "_:": ("pau",), "_!": ("pau",), "_|": ("pau",), "_^_": ("pau",),
}

ESPEAK_MERGE_PREVIOUS: frozenset[str] = frozenset({";"})
"""Mnemonics whose duration is given to the previous phone."""


def strip_stress(mnemonic: str) -> str:
    """Remove espeak's stress and syllabicity prefixes (' , = %)."""
    return mnemonic.lstrip("',=%")


def espeak_to_timit(mnemonic: str) -> tuple[str, ...]:
    """TIMIT-61 phones for one espeak-ng mnemonic; raises KeyError naming unmapped ones."""
    key = strip_stress(mnemonic)
    try:
        return ESPEAK_TO_TIMIT[key]
    except KeyError:
        raise KeyError(
            f"espeak-ng mnemonic {mnemonic!r} has no TIMIT mapping; add it to "
            "ESPEAK_TO_TIMIT in train/data/phones.py"
        ) from None


def fold61(phone: str) -> str | None:
    """The 39-class symbol for a TIMIT-61 phone (None for the deleted `q`)."""
    try:
        return FOLD_61_TO_39[phone]
    except KeyError:
        raise KeyError(f"{phone!r} is not one of TIMIT's 61 phone symbols") from None

"""Sentence generator for the synthetic corpus: a small hand-written grammar and word lists.

Everything here was written for this project (no copied corpora). The word lists are chosen
to cover every English phone class, including the rare ones (zh in "measure", oy in "noise",
uh in "wooden", th in "thirty", ng in "singing", flaps in "water"). Sentences are short
(about 3 to 12 words, 1 to 4 s of speech) and the grammar yields millions of distinct ones,
so train/dev/test can be kept disjoint by construction (`SentenceSampler.take` never repeats).
"""
from __future__ import annotations

import random

__all__ = ["SentenceSampler"]


def _bar_list(text: str) -> list[str]:
    """Entries of a "|"-separated list, whitespace collapsed."""
    return [" ".join(item.split()) for item in text.split("|")]

_NAMES = """Anna Benjamin Carla Dorothy Edgar Fiona George Hugo Irene Joseph Karen Lloyd
Martha Nathan Olive Peter Ruth Samuel Theresa Victor Walter Yvonne Zachary Joy Roger
Shirley Arthur Judith Vincent Heather Gloria Howard""".split()

_ADJS = """old young quiet noisy bright dark heavy light yellow purple orange golden
wooden plastic tiny enormous careful lazy happy worried strange usual shiny muddy frozen
broken empty thirsty clever gentle rough smooth beige crooked cheerful nervous""".split()

_NOUNS = """dog cat horse teacher farmer doctor pilot baker sailor singer boy girl child
neighbour painter mother father brother sister author judge nurse chef voter lawyer
butcher cowboy engineer""".split()

_THINGS = """book bottle table chair window garden bridge river village kitchen letter
picture basket hammer ladder pocket blanket engine garage treasure measure vision
collision pleasure oyster coin toy voice cushion sugar wood bush foot hook cookie pudding
thread thumb feather leather weather mouth cloud tower fountain jewel tune music truck
orchard lighthouse mirror rocket puzzle whistle pencil button ribbon badge jacket""".split()

_PLACES = _bar_list("""the market | the station | the harbour | the old church | the library | the
school yard | the forest | the beach | the museum | the hotel lobby | the city hall | the
mountain road | the bakery | the farmhouse | the airport | the garden shed | the theatre |
the north shore | the west bank | the village square""")

_VERBS_T = _bar_list("""found | bought | painted | carried | washed | dropped | borrowed | measured |
pushed | fixed | cooked | watched | counted | hid | sold | opened | closed | needed |
wanted | moved | joined | enjoyed | avoided | chose | threw | caught | brought | took""")

_VERBS_I = _bar_list("""laughed | waited | slept | arrived | shouted | sang | danced | worked | left |
stayed | smiled | rested | hurried | whispered | complained | returned | listened |
travelled | voted | wondered""")

_ADVS = """quickly slowly quietly happily carefully loudly early late twice again
usually nearly suddenly gently rarely""".split()

_TIMES = _bar_list("""on Monday | on Tuesday morning | last winter | this afternoon | at noon |
at midnight | after dinner | before breakfast | in the spring | every Thursday |
around seven | during the storm | at the weekend | in June | yesterday""")

_NUMBERS = _bar_list("""two | three | four | five | six | seven | eight | nine | ten | eleven |
twelve | thirteen | twenty | thirty | forty | fifty | sixty | a hundred""")

_IRREGULAR_PLURALS = {"foot": "feet", "mouth": "mouths", "wood": "woods"}


def _plural(noun: str) -> str:
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"

_QUESTIONS = ["where", "why", "when", "how"]


def _np(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return rng.choice(_NAMES)
    det = rng.choice(["the", "a", "my", "your", "our", "their", "that", "this"])
    noun = rng.choice(_NOUNS)
    if rng.random() < 0.5:
        adj = rng.choice(_ADJS)
        if det == "a" and adj[0] in "aeiou":
            det = "an"
        return f"{det} {adj} {noun}"
    return f"{det} {noun}"


def _thing(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return f"{rng.choice(_NUMBERS)} {_plural(rng.choice(_THINGS))}"
    det = rng.choice(["the", "a", "his", "her", "some", "every", "that"])
    noun = rng.choice(_THINGS)
    if rng.random() < 0.5:
        adj = rng.choice(_ADJS)
        if det == "a" and adj[0] in "aeiou":
            det = "an"
        return f"{det} {adj} {noun}"
    if det == "a" and noun[0] in "aeiou":
        det = "an"
    return f"{det} {noun}"


def _sentence(rng: random.Random) -> str:
    form = rng.randrange(8)
    if form == 0:
        s = f"{_np(rng)} {rng.choice(_VERBS_T)} {_thing(rng)}"
    elif form == 1:
        s = f"{_np(rng)} {rng.choice(_VERBS_T)} {_thing(rng)} near {rng.choice(_PLACES)}"
    elif form == 2:
        s = f"{_np(rng)} {rng.choice(_VERBS_I)} {rng.choice(_ADVS)} {rng.choice(_TIMES)}"
    elif form == 3:
        s = f"{rng.choice(_QUESTIONS)} did {_np(rng)} take {_thing(rng)} to {rng.choice(_PLACES)}?"
    elif form == 4:
        s = f"{rng.choice(_TIMES)}, {_np(rng)} {rng.choice(_VERBS_I)} at {rng.choice(_PLACES)}"
    elif form == 5:
        s = f"{_thing(rng)} {rng.choice(['was', 'is', 'seemed', 'looked'])} {rng.choice(_ADJS)}"
        if rng.random() < 0.5:
            s += f" and {rng.choice(_ADJS)}"
    elif form == 6:
        s = (f"{_np(rng)} said that {_np(rng)} {rng.choice(_VERBS_T)} "
             f"{_thing(rng)}")
    else:
        s = f"please bring {_thing(rng)} to {rng.choice(_NAMES)} {rng.choice(_TIMES)}"
    s = s[0].upper() + s[1:]
    return s if s.endswith("?") else s + "."


class SentenceSampler:
    """Deterministic stream of distinct sentences from a seed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._seen: set[str] = set()

    def take(self, n: int) -> list[str]:
        """`n` sentences never returned before by this sampler."""
        out: list[str] = []
        tries = 0
        while len(out) < n:
            s = _sentence(self._rng)
            tries += 1
            if tries > 100 * n + 1000:
                raise RuntimeError("sentence grammar exhausted; enlarge the word lists")
            if s not in self._seen:
                self._seen.add(s)
                out.append(s)
        return out
